from __future__ import annotations

from django.urls import path

from initiatives.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/<str:code>/", views.initiative_detail, name="initiative_detail"),
    path("policies/<int:number>/", views.policy_detail, name="policy_detail"),
    path("open-data/", views.open_data_page, name="open_data"),
    path("open-data/initiatives.csv", views.download_csv, name="download_csv"),
    path("open-data/initiatives.json", views.download_json, name="download_json"),
    path("open-data/initiatives.xlsx", views.download_xlsx, name="download_xlsx"),
]
