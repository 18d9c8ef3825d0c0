from __future__ import annotations

import re
import subprocess
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from initiatives.demo import ensure_demo_accounts
from initiatives.models import Department, FiscalYear, Result
from initiatives.plan.selectors import get_plan
from initiatives.publication.services import record_edition
from reports.models import RenderedReport
from reports.rendering import report_html
from reports.selectors import report_data
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _department_with_published_result() -> tuple[Department, Result]:
    result = (
        Result.objects.filter(published_at__isnull=False, fiscal_year__year=2023)
        .select_related("initiative")
        .order_by("initiative__order")
        .first()
    )
    department = result.initiative.owners.first().department
    return department, result


def test_it_serves_the_department_pdf_of_each_edition_and_the_previous_one_meanwhile(
    client, settings
) -> None:
    settings.TASKS = IMMEDIATE
    department, result = _department_with_published_result()
    url = f"/reports/2023/department/{department.pk}.pdf"
    [report] = make_edition_files("department", department_ids=[department.pk])
    report.refresh_from_db()
    assert report.state == RenderedReport.State.DONE and report.pages >= 1

    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert _body(first).startswith(b"%PDF")

    # A working edit that is not published changes nothing: no new file, no rendering.
    Result.objects.filter(pk=result.pk).update(text="未公表の作業中テキスト")
    _body(client.get(url))
    assert RenderedReport.objects.get().pk == report.pk

    # A new edition: until its file is made, the previous edition's file is served.
    fiscal_year = FiscalYear.objects.get(year=2023)
    record_edition(fiscal_year=fiscal_year, published_at=timezone.now(), added=0, corrected=1)
    meanwhile = client.get(url)
    assert meanwhile.status_code == 200
    _body(meanwhile)
    assert RenderedReport.objects.get().pk == report.pk  # the request queued nothing

    [newest] = make_edition_files("department", department_ids=[department.pk])
    fresh = client.get(url)
    assert fresh.status_code == 200
    _body(fresh)
    assert RenderedReport.objects.get().pk == newest.pk
    assert newest.content_key != report.content_key
    assert not report.file.storage.exists(report.file.name)


@pytest.mark.parametrize("tasks", [DUMMY, IMMEDIATE], ids=["worker-stopped", "immediate"])
@pytest.mark.parametrize(
    "url",
    [
        "/reports/2023.pdf",
        "/reports/2023-summary.pdf",
        "/reports/2023-assembly.pdf",
        "/reports/2023.xlsx",
        "/reports/2023-assembly.xlsx",
        "/reports/2023/department/1.pdf",
    ],
)
def test_it_answers_503_without_refresh_and_never_queues_for_an_anonymous_request(
    client, settings, tasks, url
) -> None:
    settings.TASKS = tasks
    with patch("reports.tasks.render_report_task") as task:
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    html = response.content.decode()
    assert "http-equiv" not in html
    assert "作成中です" in html and "しばらくしてから再度ご覧ください" in html
    assert 'href="/#reports"' in html
    task.enqueue.assert_not_called()
    assert not RenderedReport.objects.exists()


def test_it_answers_503_while_the_worker_is_stopped_and_the_file_once_it_ran(
    client, settings
) -> None:
    settings.TASKS = DUMMY  # publication queued the files; no worker runs them
    make_edition_files("summary")
    assert RenderedReport.objects.get().state == RenderedReport.State.PENDING
    assert client.get("/reports/2023-summary.pdf").status_code == 503
    home = client.get("/").content.decode()
    assert 'href="/reports/2023-summary.pdf"' not in home
    assert "概要版：作成中（しばらくしてから再度ご覧ください）" in home

    settings.TASKS = IMMEDIATE  # the worker runs again: the stale job is queued again
    RenderedReport.objects.update(
        started_at=timezone.now() - timezone.timedelta(minutes=30),
        lease_until=timezone.now() - timezone.timedelta(minutes=28),
    )
    make_edition_files("summary")
    response = client.get("/reports/2023-summary.pdf")
    assert response.status_code == 200
    path = RenderedReport.objects.get().file.path
    _body(response)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "方針別の達成状況" in text
    assert "5. 取組事項一覧" in text
    assert "めざす姿" not in text
    home = client.get("/").content.decode()
    assert '<a href="/reports/2023-summary.pdf" download>' in home


def test_it_answers_404_for_a_year_outside_the_plan(client) -> None:
    for url in ("/reports/2019.pdf", "/reports/2040-summary.pdf", "/reports/2031.xlsx"):
        assert client.get(url).status_code == 404


def test_it_keeps_unpublished_text_out_of_public_reports(client, settings) -> None:
    settings.TASKS = IMMEDIATE
    fiscal_year = FiscalYear.objects.get(year=2023)
    result = Result.objects.filter(fiscal_year=fiscal_year, published_at__isnull=False).first()
    Result.objects.filter(pk=result.pk).update(text="作業中の秘密テキスト", status="not_achieved")
    unpublished = Result.objects.filter(fiscal_year=fiscal_year).exclude(pk=result.pk).first()
    Result.objects.filter(pk=unpublished.pk).update(
        text="公開前の下書きテキスト", published_at=None, published_text="公開前の公開欄"
    )
    for kind in ("full", "summary"):
        html = report_html(data=report_data(plan=get_plan(), fiscal_year=fiscal_year), kind=kind)
        assert "作業中の秘密テキスト" not in html.html
        assert "公開前の下書きテキスト" not in html.html
        assert "公開前の公開欄" not in html.html
        assert "【案】" not in html.html
    draft = report_html(
        data=report_data(plan=get_plan(), fiscal_year=fiscal_year, draft=True), kind="draft"
    )
    assert "作業中の秘密テキスト" in draft.html
    assert "公開前の下書きテキスト" in draft.html
    make_edition_files("full")
    response = client.get("/reports/2023.pdf")
    path = RenderedReport.objects.get().file.path
    _body(response)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "公開前の下書きテキスト" not in re.sub(r"\s+", "", text)
    assert "公開前の公開欄" not in re.sub(r"\s+", "", text)


def test_it_refuses_the_draft_to_the_public_and_to_staff_without_permission(client) -> None:
    assert client.get("/reports/2023-draft.pdf").status_code == 403
    user = get_user_model().objects.create_user("staff", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get("/reports/2023-draft.pdf").status_code == 403
    assert not RenderedReport.objects.exists()


def test_it_gives_hq_the_draft_from_the_admin(client, settings) -> None:
    settings.TASKS = IMMEDIATE
    ensure_demo_accounts(today=timezone.localdate())
    client.force_login(get_user_model().objects.get(username="hq"))  # the demo HQ reviewer
    admin_page = client.get(f"/{settings.ADMIN_URL}reports/renderedreport/")
    assert admin_page.status_code == 200
    assert "/reports/2023-draft.pdf" in admin_page.content.decode()
    response = client.get("/reports/2023-draft.pdf")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response).startswith(b"%PDF")
    assert RenderedReport.objects.get().kind == RenderedReport.Kind.DRAFT


def test_it_queues_again_a_file_whose_worker_stopped(client, settings) -> None:
    settings.TASKS = DUMMY
    [report] = make_edition_files("summary")
    assert client.get("/reports/2023-summary.pdf").status_code == 503
    RenderedReport.objects.filter(pk=report.pk).update(
        state=RenderedReport.State.RUNNING,
        started_at=timezone.now() - timezone.timedelta(minutes=30),
        lease_until=timezone.now() - timezone.timedelta(minutes=29),  # no heartbeat since
        attempts=1,
    )
    settings.TASKS = IMMEDIATE
    assert client.get("/reports/2023-summary.pdf").status_code == 503  # a request never does
    make_edition_files("summary")  # render_editions / the next publication does
    response = client.get("/reports/2023-summary.pdf")
    assert response.status_code == 200
    _body(response)
    report.refresh_from_db()
    assert report.state == RenderedReport.State.DONE


@pytest.mark.django_db
def test_a_public_file_is_revalidated_with_304_and_open_to_other_sites(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_edition_files("xlsx")
    response = client.get("/reports/2023.xlsx")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300, must-revalidate"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Last-Modified"]
    again = client.get("/reports/2023.xlsx", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert client.get("/reports/2023.xlsx", headers={"if-none-match": '"x"'}).status_code == 200
