from __future__ import annotations

import re

from django.urls import path, re_path

from initiatives.public import downloads, views
from initiatives.public.datapackage import FILES

FILE_NAMES = "|".join(re.escape(name) for name in FILES)

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/<str:code>/", views.initiative_detail, name="initiative_detail"),
    path("policies/<int:number>/", views.policy_detail, name="policy_detail"),
    path("open-data/", views.open_data_page, name="open_data"),
    # The wide table keeps its names; every file of datapackage.FILES answers at the last one.
    path(
        "open-data/initiatives.csv",
        downloads.open_data_file,
        {"name": "initiatives.csv"},
        name="download_csv",
    ),
    path(
        "open-data/initiatives.json",
        downloads.open_data_file,
        {"name": "initiatives.json"},
        name="download_json",
    ),
    path(
        "open-data/initiatives.xlsx",
        downloads.open_data_file,
        {"name": "initiatives.xlsx"},
        name="download_xlsx",
    ),
    # Only the names of datapackage.FILES: the committee's files live beside them.
    re_path(
        rf"^open-data/(?P<name>{FILE_NAMES})$",
        downloads.open_data_file,
        name="open_data_file",
    ),
]
