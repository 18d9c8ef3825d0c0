"""Editions: a partial publication says so everywhere, publication queues the year's files,
public downloads are served from the edition's files without building report HTML."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import Edition, FiscalYear, Plan, Result
from initiatives.publication.selectors import edition_counts, latest_edition
from reports.models import RenderedReport
from tests.initiatives.workflow_helpers import make_user, open_year, result_of
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hq():
    return make_user("honbu", hq=True)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _approve_no1_of_2024(hq) -> Result:
    open_year(2024, hq=hq)
    no1 = result_of("1", 2024)
    # Set-up shortcut: the workflow's own tests take a result through submit and approve.
    Result.objects.filter(pk=no1.pk).update(
        state=Result.State.APPROVED, status="achieved", text="開発アプリ数 125件"
    )
    return no1


def test_the_publish_screen_shows_what_will_and_will_not_be_published(hq) -> None:
    _approve_no1_of_2024(hq)
    total = Result.objects.filter(fiscal_year__year=2024).count()
    page = _login(hq).get(reverse("admin:initiatives_result_publish", args=[2024]))
    text = page.content.decode()
    assert "公開するもの（承認済 1件）" in text
    assert f"公開しないもの（{total - 1}件）" in text
    assert f"未入力 {total - 1}件" in text
    assert f"令和6年度（2024年度）: {total}件中 1件を公表（集計中）" in text


def test_a_partial_publication_is_labelled_on_every_public_page(hq, client) -> None:
    no1 = _approve_no1_of_2024(hq)
    response = _login(hq).post(reverse("admin:initiatives_result_publish", args=[2024]))
    assert response.status_code == 302
    edition = latest_edition(FiscalYear.objects.get(year=2024))
    total = Result.objects.filter(fiscal_year__year=2024).count()
    assert (edition.number, edition.kind) == (1, Edition.Kind.PUBLICATION)
    assert (edition.published_count, edition.total_count) == (1, total)
    assert edition.published_by.username == "honbu"
    label = f"令和6年度（2024年度）: {total}件中 1件を公表（集計中）"
    assert edition_counts(edition.fiscal_year).label == label
    for url in (
        "/",
        "/initiatives/",
        "/policies/1/",
        f"/initiatives/{no1.initiative.code}/",
        "/open-data/",
        "/committee/",
    ):
        html = client.get(url).content.decode()
        assert label in html, url
        assert "令和5年度（2023年度）: " in html and "件すべてを公表" in html, url
    document = client.get("/open-data/initiatives.json").json()
    [reiwa6] = [y for y in document["publication"] if y["fiscal_year"] == 2024]
    assert reiwa6["label"] == label and reiwa6["partial"] is True
    assert (reiwa6["published"], reiwa6["total"], reiwa6["edition"]) == (1, total, 1)
    book = load_workbook(io.BytesIO(client.get("/open-data/initiatives.xlsx").content))
    assert label in [row[1] for row in book["公表状況"].iter_rows(values_only=True)]
    home = client.get("/").content.decode()
    assert "令和6年度（2024年度）の達成状況（公表分の内訳）" in home
    assert "件数と割合は公表分の内訳で、未公表の取組は含みません" in home
    # Its files are not made yet (the suite does not render at publication): no link.
    assert 'href="/reports/2024.pdf"' not in home
    assert "全体版：作成中（しばらくしてから再度ご覧ください）" in home
    assert client.get("/reports/2024.pdf").status_code == 503


def test_publishing_queues_every_public_file_of_the_year_after_commit(
    hq, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = DUMMY  # the worker is stopped: the files stay queued
    settings.REPORTS_RENDER_ON_PUBLICATION = True
    _approve_no1_of_2024(hq)
    with django_capture_on_commit_callbacks(execute=True):
        _login(hq).post(reverse("admin:initiatives_result_publish", args=[2024]))
    reports = RenderedReport.objects.filter(fiscal_year__year=2024)
    kinds = sorted(set(reports.values_list("kind", flat=True)))
    assert kinds == ["assembly", "assembly_xlsx", "department", "full", "summary", "xlsx"]
    assert all(r.state == RenderedReport.State.PENDING and r.edition_id for r in reports)
    assert reports.filter(kind="department").count() >= 1
    # And the plan's open-data files for the new state, so no visitor waits for them.
    from django.tasks import default_task_backend

    prepared = [
        r.args for r in default_task_backend.results if r.task.name == "prepare_open_data_task"
    ]
    assert prepared == [[Plan.objects.get().pk]]
    # A request while the worker is stopped: 503, and nothing more is queued.
    before = RenderedReport.objects.count()
    response = Client().get("/reports/2024-summary.pdf")
    assert response.status_code == 503 and response["Retry-After"]
    assert RenderedReport.objects.count() == before


def test_a_cached_download_builds_no_html_and_runs_at_most_two_queries(client, monkeypatch) -> None:
    make_edition_files("summary", "xlsx")

    def no_html(*args, **kwargs):
        raise AssertionError("a download must not build report HTML")

    monkeypatch.setattr("reports.rendering.render_to_string", no_html)
    monkeypatch.setattr("reports.services.build_html", no_html)
    for url in ("/reports/2023-summary.pdf", "/reports/2023.xlsx"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content)
        assert response.status_code == 200
        assert len(queries) <= 2, [q["sql"] for q in queries]


def test_the_cover_says_when_the_edition_was_published(client) -> None:
    [report] = make_edition_files("summary")
    report.refresh_from_db()
    text = subprocess.run(
        ["pdftotext", report.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    edition = report.edition
    assert f"公表日{edition.published_at:%Y}年" in flat
    assert "（第1版）" in flat
    assert "令和5年度（2023年度）実施結果" in flat
