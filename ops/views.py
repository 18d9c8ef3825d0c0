"""Probes for load balancers and orchestrators, and the page for an unreachable database."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers a query, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: database unavailable: %s", exc)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database is reachable and fully migrated, 503 otherwise."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.warning("readyz: database unavailable: %s", exc)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    if plan:
        pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
        return JsonResponse({"status": "migrations pending", "pending": pending}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask /favicon.ico whatever the page declares: the site's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database connection is a temporary 503, anything else a 500."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable()
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def database_unavailable() -> HttpResponse:
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
