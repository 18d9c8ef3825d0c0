from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from ops import views


class _UnreachableConnection:
    def cursor(self) -> None:
        raise OperationalError("connection refused")


@pytest.mark.django_db
def test_it_reports_a_healthy_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_reports_an_unreachable_database_as_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "connection", _UnreachableConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_it_is_ready_when_every_migration_is_applied(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["migrations"] == "applied"


@pytest.mark.django_db
def test_it_is_not_ready_while_a_migration_is_pending(client: Client) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    app_label, name = max(key for key in loader.disk_migrations if key[0] == "axes")
    MigrationRecorder.Migration.objects.filter(app=app_label, name=name).delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending", "pending": [f"axes.{name}"]}


@pytest.mark.django_db
def test_it_answers_probes_over_plain_http_when_https_is_enforced(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301


def test_it_refuses_to_write_to_the_probes(client: Client) -> None:
    assert client.post("/healthz").status_code in {403, 405}
