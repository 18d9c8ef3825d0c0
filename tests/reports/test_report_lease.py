"""A rendering whose worker died is started again within its lease; after MAX_ATTEMPTS the
waiting page says so and offers to try again, instead of polling forever."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reports import services
from reports.models import RenderedReport
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# Public files are made at publication; HQ's draft is the report a request still renders.
URL = "/reports/2023-draft.pdf"


@pytest.fixture
def client(client):
    client.force_login(make_staff("honbu", hq=True))
    return client


def worker_dies(report: RenderedReport) -> int:
    """A worker takes the report and is killed: no heartbeat renews its lease any more."""
    attempt = services._claim(report.pk)
    assert attempt is not None
    RenderedReport.objects.filter(pk=report.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    return attempt


def test_a_dead_worker_is_noticed_and_the_page_says_what_happens(client, settings) -> None:
    settings.TASKS = DUMMY
    first = client.get(URL)
    assert first.status_code == 503 and "作成の順番を待っています" in first.text
    report = RenderedReport.objects.get()

    attempt = services._claim(report.pk)
    assert attempt == 1
    running = client.get(URL)
    assert running.status_code == 503 and "1回目" in running.text
    assert services._claim(report.pk) is None  # the lease holds: nobody else takes it

    RenderedReport.objects.filter(pk=report.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    again = client.get(URL)
    assert again.status_code == 503
    assert "前回の作成が途中で止まったため、作り直しています（次が2回目" in again.text
    report.refresh_from_db()
    assert report.state == RenderedReport.State.PENDING and report.attempts == 1


def test_after_repeated_deaths_the_page_shows_an_error_with_a_retry(client, settings) -> None:
    settings.TASKS = DUMMY
    client.get(URL)
    report = RenderedReport.objects.get()
    for expected in range(1, services.MAX_ATTEMPTS + 1):
        assert worker_dies(report) == expected
        response = client.get(URL)
    assert response.status_code == 503
    assert f"{services.MAX_ATTEMPTS}回試みましたが作成できませんでした" in response.text
    assert "もう一度作成する" in response.text and '<meta http-equiv="refresh"' not in response.text
    report.refresh_from_db()
    assert report.state == RenderedReport.State.FAILED
    assert "処理が止まりました" in report.error
    # It stays failed on reload (no polling, no endless restarts) …
    assert client.get(URL).status_code == 503

    # … until someone asks for it again.
    settings.TASKS = IMMEDIATE
    retried = client.post(URL)
    assert retried.status_code == 303 and retried["Location"] == URL
    done = client.get(URL)
    assert done.status_code == 200 and done["Content-Type"] == "application/pdf"
    report.refresh_from_db()
    assert report.state == RenderedReport.State.DONE and report.attempts == 1


def test_a_rendering_error_is_retried_then_shown(client, settings, monkeypatch) -> None:
    settings.TASKS = IMMEDIATE

    def broken(**kwargs):
        raise RuntimeError("フォントが見つかりません")

    monkeypatch.setattr(services, "render_pdf", broken)
    response = client.get(URL)
    assert response.status_code == 503
    report = RenderedReport.objects.get()
    assert report.attempts == services.MAX_ATTEMPTS
    assert "フォントが見つかりません" in report.error
    assert "フォントが見つかりません" not in response.text  # no internals for the public


def test_the_heartbeat_renews_only_the_current_attempt(settings, client) -> None:
    settings.TASKS = DUMMY
    client.get(URL)
    report = RenderedReport.objects.get()
    attempt = services._claim(report.pk)
    RenderedReport.objects.filter(pk=report.pk).update(lease_until=timezone.now())
    assert services.beat(report_id=report.pk, attempt=attempt)
    report.refresh_from_db()
    assert report.lease_until > timezone.now() + services.LEASE - datetime.timedelta(seconds=5)
    assert not services.beat(report_id=report.pk, attempt=attempt + 1)


def test_a_queued_report_no_worker_took_is_queued_again(client, settings) -> None:
    settings.TASKS = DUMMY
    client.get(URL)
    RenderedReport.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    settings.TASKS = IMMEDIATE
    response = client.get(URL)
    assert response.status_code == 200
    report = RenderedReport.objects.get()
    assert report.state == RenderedReport.State.DONE and report.attempts == 1
