"""The committee's public URLs: its pages under /committee/ and its open data files."""

from __future__ import annotations

from django.urls import path

from governance.public import views

app_name = "committee"
urlpatterns = [
    path("committee/", views.committee, name="index"),
    path("committee/meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path(
        "committee/meetings/<int:meeting_id>/materials/<int:material_id>.pdf",
        views.material,
        name="material",
    ),
    path("committee/opinions/", views.opinion_list, name="opinions"),
    path("open-data/committee-opinions.csv", views.download_csv, name="download_csv"),
    path("open-data/committee-opinions.json", views.download_json, name="download_json"),
]
