from __future__ import annotations

from django.urls import path

from initiatives.public import api

app_name = "api"
urlpatterns = [
    path("openapi.json", api.openapi, name="openapi"),
    path("plans/", api.plans, name="plans"),
    path("plans/<slug:plan_slug>/", api.plan_detail, name="plan"),
    path("plans/<slug:plan_slug>/initiatives/<str:code>", api.initiative_detail, name="initiative"),
]
