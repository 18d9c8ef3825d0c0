from __future__ import annotations

import re
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from initiatives.demo import ensure_demo_accounts
from initiatives.models import Department, FiscalYear, Result
from initiatives.plan.selectors import get_plan
from reports.models import RenderedReport
from reports.rendering import report_html
from reports.selectors import report_data

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


def test_it_serves_the_department_pdf_and_renders_it_once_per_data_state(client, settings) -> None:
    settings.TASKS = IMMEDIATE
    department, result = _department_with_published_result()
    url = f"/reports/2023/department/{department.pk}.pdf"

    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert _body(first).startswith(b"%PDF")
    report = RenderedReport.objects.get()
    assert report.state == RenderedReport.State.DONE
    assert report.pages >= 1

    again = client.get(url)
    assert again.status_code == 200
    _body(again)
    assert RenderedReport.objects.get().pk == report.pk  # served from the cache

    # A working edit that is not published changes nothing the public report contains.
    Result.objects.filter(pk=result.pk).update(text="未公表の作業中テキスト")
    _body(client.get(url))
    assert RenderedReport.objects.get().pk == report.pk

    # Publishing new text yields a new key, a new rendering, and the old file is removed.
    Result.objects.filter(pk=result.pk).update(
        published_text="公表された新しい実施結果", published_at=timezone.now()
    )
    fresh = client.get(url)
    assert fresh.status_code == 200
    _body(fresh)
    newest = RenderedReport.objects.get()
    assert newest.pk != report.pk
    assert newest.content_key != report.content_key
    assert not report.file.storage.exists(report.file.name)
    assert newest.file.storage.exists(newest.file.name)


def test_it_shows_a_refreshing_progress_page_while_the_worker_renders(client, settings) -> None:
    settings.TASKS = DUMMY
    response = client.get("/reports/2023-summary.pdf")
    assert response.status_code == 202
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "報告書を作成しています" in html
    assert RenderedReport.objects.get().state == RenderedReport.State.PENDING


def test_it_serves_the_summary_pdf_with_statistics_and_no_sheets(client, settings) -> None:
    settings.TASKS = IMMEDIATE
    response = client.get("/reports/2023-summary.pdf")
    assert response.status_code == 200
    path = RenderedReport.objects.get().file.path
    _body(response)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "方針別の達成状況" in text
    assert "5. 取組事項一覧" in text
    assert "めざす姿" not in text


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
    department = unpublished.initiative.owners.first().department
    response = client.get(f"/reports/2023/department/{department.pk}.pdf")
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


def test_it_queues_again_a_report_whose_worker_stopped(client, settings) -> None:
    settings.TASKS = DUMMY
    assert client.get("/reports/2023-summary.pdf").status_code == 202
    report = RenderedReport.objects.get()
    RenderedReport.objects.filter(pk=report.pk).update(
        state=RenderedReport.State.RUNNING,
        started_at=timezone.now() - timezone.timedelta(minutes=30),
        lease_until=timezone.now() - timezone.timedelta(minutes=29),  # no heartbeat since
        attempts=1,
    )
    settings.TASKS = IMMEDIATE
    response = client.get("/reports/2023-summary.pdf")
    assert response.status_code == 200
    _body(response)
    report.refresh_from_db()
    assert report.state == RenderedReport.State.DONE
