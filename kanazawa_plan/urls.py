from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("ops.urls")),
    path("", include("initiatives.public.urls")),
    path("", include("governance.public.urls")),
    path("reports/", include("reports.urls")),
]

# A database that cannot be reached answers 503 (ops/views.py), every other error 500.
handler500 = "ops.views.server_error"
