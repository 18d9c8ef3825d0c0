from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from initiatives.public.reach import SITEMAPS, robots_txt

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("ops.urls")),
    path("", include("initiatives.public.urls")),
    path("", include("governance.public.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("initiatives.public.api_urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

# A database that cannot be reached answers 503 (ops/views.py), every other error 500.
handler500 = "ops.views.server_error"
