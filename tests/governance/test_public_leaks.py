"""Nothing unpublished of the committee ever reaches the public: every public page and
download is walked with unpublished meetings, opinions, responses in every state, a
reopened response and a revision link of an unpublished opinion present."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from governance.models import Meeting
from governance.services import committee, responses
from initiatives.models import FiscalYear, Initiative
from reports.models import RenderedReport
from reports.services import ReportRequest, build_html
from tests.governance.helpers import (
    UNPUBLISHED,
    answer,
    approve,
    make_meeting,
    make_opinion,
    pdf,
    people,
    response_of,
)
from tests.initiatives.public.test_views import public_urls
from tests.initiatives.public_helpers import MARKER, add_draft_data
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db


def add_unpublished_committee_data() -> dict:
    """A published meeting holding unpublished work, and an unpublished meeting."""
    who = people()
    hq, digital, tax = who["hq"], who["digital"], who["tax"]
    shown = make_meeting(hq, summary="公開された議事要旨")
    published = make_opinion(
        shown,
        hq,
        text="公開された意見",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課", "税務課"),
    )
    approve(answer(response_of(published, "デジタル行政戦略課"), digital, text="公開した対応"), hq)
    approve(answer(response_of(published, "税務課"), tax, text="税務課の公開した対応"), hq)
    on_measure = make_opinion(
        shown,
        hq,
        text="公開された施策への意見",
        scope="measure",
        measure=(1, 1),
        departments=("デジタル行政戦略課", "税務課"),
    )
    approve(answer(response_of(on_measure, "デジタル行政戦略課"), digital, text="施策の対応"), hq)
    committee.publish_meeting(meeting=shown, user=hq)
    # After publication: approved but not published again, reopened and corrected, added.
    approve(answer(response_of(on_measure, "税務課"), tax, text=f"{UNPUBLISHED} 承認済"), hq)
    reopened = response_of(published, "税務課")
    responses.reopen_response(response=reopened, user=hq, version=reopened.version)
    answer(reopened, tax, text=f"{UNPUBLISHED} 修正中", status="not_adopted", reason=UNPUBLISHED)
    late = make_opinion(
        shown,
        hq,
        text=f"{UNPUBLISHED} 公開後に追加した意見",
        scope="initiatives",
        codes=("1", "R6-1"),
        departments=("デジタル行政戦略課",),
    )
    committee.record_outcome(
        opinion=late,
        revision=Initiative.objects.get(code="R6-1").added_in,
        initiatives=[Initiative.objects.get(code="R6-1")],
        note=UNPUBLISHED,
        user=hq,
    )
    on_policy = make_opinion(
        shown,
        hq,
        text=f"{UNPUBLISHED} 方針への意見",
        policy=1,
        scope="policy",
        departments=("税務課",),
    )
    answer(response_of(on_policy, "税務課"), tax, text=f"{UNPUBLISHED} 提出済")
    hidden = make_meeting(
        hq,
        number=2,
        date=datetime.date(2025, 2, 1),
        title=f"{UNPUBLISHED} 会議名",
        agenda=UNPUBLISHED,
        summary=UNPUBLISHED,
    )
    material = committee.add_material(
        meeting=hidden, title=f"{UNPUBLISHED} 資料", file=pdf(), user=hq
    )
    secret = make_opinion(
        hidden,
        hq,
        text=f"{UNPUBLISHED} 未公開の会議の意見",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課",),
    )
    approve(answer(response_of(secret, "デジタル行政戦略課"), digital, text=UNPUBLISHED), hq)
    committee.record_outcome(
        opinion=secret,
        revision=Initiative.objects.get(code="R6-2").added_in,
        initiatives=[Initiative.objects.get(code="R6-2")],
        note=UNPUBLISHED,
        user=hq,
    )
    return {"shown": shown, "hidden": hidden, "material": material}


def committee_urls(shown: Meeting) -> list[str]:
    urls = ["/committee/", f"/committee/meetings/{shown.pk}/", "/open-data/"]
    for query in ("", "?status=not_adopted", "?status=done", "?policy=1", "?year=2023"):
        urls += [f"/committee/opinions/{query}"]
        urls += [f"/open-data/committee-opinions.{kind}{query}" for kind in ("csv", "json")]
    return urls


def test_no_unpublished_opinion_or_response_shows_anywhere(client):
    data = add_unpublished_committee_data()
    add_draft_data()
    for url in public_urls() + committee_urls(data["shown"]):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        assert UNPUBLISHED not in body, url
        assert MARKER not in body, url
    # The published copies are there, so the walk did look at the right places.
    meeting_page = client.get(f"/committee/meetings/{data['shown'].pk}/").content.decode()
    assert "公開された意見" in meeting_page and "公開した対応" in meeting_page
    assert "委員会の提言を受けて" not in client.get("/initiatives/R6-1/").text
    assert "委員会の提言を受けて" not in client.get("/initiatives/R6-2/").text
    hidden, material = data["hidden"], data["material"]
    assert client.get(f"/committee/meetings/{hidden.pk}/").status_code == 404
    download = f"/committee/meetings/{hidden.pk}/materials/{material.pk}.pdf"
    assert client.get(download).status_code == 404


def test_the_reopened_response_keeps_its_published_text(client):
    data = add_unpublished_committee_data()
    page = client.get(f"/committee/meetings/{data['shown'].pk}/").content.decode()
    assert "税務課の公開した対応" in page
    assert "対応しない" not in page


def test_the_assembly_report_holds_nothing_unpublished(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    add_unpublished_committee_data()
    add_draft_data()
    for year in (2023, 2024):
        request = ReportRequest(
            kind=RenderedReport.Kind.ASSEMBLY, fiscal_year=FiscalYear.objects.get(year=year)
        )
        html, _key = build_html(request=request)
        assert UNPUBLISHED not in html and MARKER not in html
    assert (
        "公開された意見"
        in build_html(
            request=ReportRequest(
                kind=RenderedReport.Kind.ASSEMBLY, fiscal_year=FiscalYear.objects.get(year=2023)
            )
        )[0]
    )
    make_edition_files("assembly_xlsx")  # as the worker does after publication
    response = client.get("/reports/2023-assembly.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [
        str(value or "")
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    assert any("公開された意見" in cell for cell in cells)
    assert not any(UNPUBLISHED in cell or MARKER in cell for cell in cells)
