from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from initiatives.public.views import plan_list

# Every public page and report download of a plan lives under /plans/<slug>/ (its permanent
# address); the unprefixed URLs serve the current plan (initiatives/public/plans.py).
plan_urls = [
    path("", include(("initiatives.public.urls", "public"), namespace="plan-public")),
    path("reports/", include(("reports.urls", "reports"), namespace="plan-reports")),
]

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("ops.urls")),
    path("plans/", plan_list, name="plan_list"),
    path("plans/<slug:plan_slug>/", include(plan_urls)),
    path("", include("initiatives.public.urls")),
    path("", include("governance.public.urls")),
    path("reports/", include("reports.urls")),
]

# A database that cannot be reached answers 503 (ops/views.py), every other error 500.
handler500 = "ops.views.server_error"
