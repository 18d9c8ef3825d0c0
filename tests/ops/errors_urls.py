"""The project's URLs plus views that fail on purpose, for the error page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kanazawa_plan.urls import handler500
from kanazawa_plan.urls import urlpatterns as project_urlpatterns


def broken(request: HttpRequest) -> HttpResponse:
    raise ValueError("secret-internal-detail")


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly secret-internal-detail")


def connection_closed(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed secret-internal-detail")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("secret-internal-detail")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    *project_urlpatterns,
    path("test-errors/broken/", broken),
    path("test-errors/database-gone/", database_gone),
    path("test-errors/connection-closed/", connection_closed),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/forbidden/", forbidden),
]

__all__ = ["handler500", "urlpatterns"]
