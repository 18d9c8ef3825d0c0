"""The report to the assembly (議会報告): the achievement summary, the 未達成 and 未確定
initiatives with their results, the committee's published opinions with the responses,
the revisions, as PDF (same engine and look as the plan report) and Excel tables."""

from __future__ import annotations

import datetime
import io
import re
import subprocess

import pytest
from openpyxl import load_workbook

from governance.services import committee
from initiatives.models import FiscalYear, Initiative
from initiatives.plan.selectors import get_plan
from reports.assembly import assembly_data
from reports.models import RenderedReport
from reports.rendering import assembly_html
from tests.governance.helpers import (
    UNPUBLISHED,
    answer,
    approve,
    make_meeting,
    make_opinion,
    people,
    response_of,
)
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committee_year(django_capture_on_commit_callbacks):
    """令和5年度's meeting: an answered, approved and published opinion on No.1, an opinion
    whose response is still with HQ, and an unpublished meeting; R6 linked to an opinion."""
    who = people()
    hq = who["hq"]
    meeting = make_meeting(hq, date=datetime.date(2024, 7, 10))
    no1 = make_opinion(
        meeting,
        hq,
        text="課題解決アプリを市民と一緒に作ってほしい。",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課",),
    )
    approve(
        answer(
            response_of(no1, "デジタル行政戦略課"),
            who["digital"],
            text="=市民参加の開発会を開きます。",
            status="in_progress",
        ),
        hq,
    )
    waiting = make_opinion(meeting, hq, text="税の収納を強化してほしい。", departments=("税務課",))
    answer(response_of(waiting, "税務課"), who["tax"], text=f"{UNPUBLISHED} 提出中の対応")
    committee.record_outcome(
        opinion=no1,
        revision=Initiative.objects.get(code="R6-1").added_in,
        initiatives=[Initiative.objects.get(code="R6-1")],
        note="デジタル人材の取組を追加",
        user=hq,
    )
    committee.publish_meeting(meeting=meeting, user=hq)
    hidden = make_meeting(hq, number=2, summary=UNPUBLISHED)
    make_opinion(hidden, hq, text=f"{UNPUBLISHED} 未公開の会議の意見")
    return {"meeting": meeting, "hq": hq}


def html_of(year: int) -> str:
    data = assembly_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=year))
    return assembly_html(data=data).html


def test_it_reads_the_years_shortfalls_opinions_and_revisions(committee_year):
    data = assembly_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    assert data.total == 90
    assert data.totals == {"achieved": 81, "not_achieved": 8, "undetermined": 1}
    not_achieved, undetermined = data.shortfalls
    assert [r.initiative.code for r in not_achieved.rows] == [
        "7",
        "40",
        "42",
        "44",
        "55",
        "82",
        "83",
        "84",
    ]
    assert [r.initiative.code for r in undetermined.rows] == ["74"]
    assert [o.opinion.order for o in data.opinions] == [1, 2]
    assert [len(o.responses) for o in data.opinions] == [1, 0]
    (revision,) = data.revisions
    assert revision.revision.code == "R6"
    assert len(revision.added) == 34
    assert [(item.opinion.order, note) for item, note in revision.opinions] == [
        (1, "デジタル人材の取組を追加")
    ]


def test_a_year_without_meetings_lists_the_revisions_made_in_it(committee_year):
    data = assembly_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2024))
    assert data.opinions == []
    assert [row.revision.code for row in data.revisions] == ["R6"]  # 2024-08-01
    assert "まだ公表されていません" in html_of(2024)


def test_its_html_has_every_chapter_and_nothing_unpublished(committee_year):
    html = html_of(2023)
    for heading in (
        "1. 計画達成状況の概要（令和5年度）",
        "2. 未達成・未確定の取組（令和5年度）",
        "3. 行政経営プラン推進委員会の意見・提言と市の対応",
        "4. プランの改訂",
        "5. 取組事項一覧（参考）",
    ):
        assert heading in html
    assert '<p class="variant">議会報告</p>' in html
    assert "課題解決アプリを市民と一緒に作ってほしい。" in html
    assert "=市民参加の開発会を開きます。" in html
    assert "市の対応は取りまとめ中です。" in html
    assert UNPUBLISHED not in html


def test_publishing_a_response_gives_the_report_a_new_key(committee_year):
    fiscal_year = FiscalYear.objects.get(year=2023)
    before = assembly_html(data=assembly_data(plan=get_plan(), fiscal_year=fiscal_year)).key
    meeting, hq = committee_year["meeting"], committee_year["hq"]
    tax_response = response_of(meeting.opinions.get(order=2), "税務課")
    approve(tax_response, hq)
    assert assembly_html(data=assembly_data(plan=get_plan(), fiscal_year=fiscal_year)).key == before
    committee.publish_meeting(meeting=meeting, user=hq)
    after = assembly_html(data=assembly_data(plan=get_plan(), fiscal_year=fiscal_year)).key
    assert after != before


def test_it_serves_the_pdf_rendered_by_the_worker(client, settings, committee_year):
    settings.TASKS = IMMEDIATE
    make_edition_files("assembly")
    response = client.get("/reports/2023-assembly.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    b"".join(response.streaming_content)
    report = RenderedReport.objects.get()
    assert report.kind == RenderedReport.Kind.ASSEMBLY
    text = subprocess.run(
        ["pdftotext", report.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert "議会報告" in flat
    assert "課題解決アプリを市民と一緒に作ってほしい。" in flat
    assert "市民参加の開発会を開きます。" in flat
    assert "未達成（8件）" in flat and "未確定（1件）" in flat
    assert UNPUBLISHED not in flat


def test_it_gives_the_tables_as_an_excel_workbook(client, committee_year):
    make_edition_files("assembly_xlsx")
    response = client.get("/reports/2023-assembly.xlsx")
    assert response.status_code == 200
    assert 'filename="kanazawa-plan-2023-assembly.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["集計", "未達成・未確定", "委員会の意見と対応", "プランの改訂"]
    shortfalls = [row for row in book["未達成・未確定"].iter_rows(min_row=3, values_only=True)]
    assert len(shortfalls) == 9 and shortfalls[0][:2] == ("未達成", "7")
    opinions = list(book["委員会の意見と対応"].iter_rows(min_row=3, values_only=True))
    assert opinions[0][5:8] == ("デジタル行政戦略課", "対応中", "'=市民参加の開発会を開きます。")
    assert opinions[1][6] == "取りまとめ中"
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert all(UNPUBLISHED not in str(value or "") for value in row)
    revisions = list(book["プランの改訂"].iter_rows(min_row=3, values_only=True))
    assert revisions[0][0] == "令和6年8月 改訂版" and revisions[0][3] == "第1回 意見1"


def test_it_answers_404_outside_the_plan_and_links_from_the_public_pages(client):
    make_edition_files("assembly", "assembly_xlsx")
    assert client.get("/reports/2019-assembly.pdf").status_code == 404
    assert client.get("/reports/2031-assembly.xlsx").status_code == 404
    html = client.get("/").content.decode()
    assert 'href="/reports/2023-assembly.pdf"' in html
    assert 'href="/reports/2023-assembly.xlsx"' in html
