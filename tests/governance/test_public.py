"""The committee on the public pages: meetings, a page per meeting with its material,
the opinions list and its filters, the initiative and policy pages, and the open data."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.services import committee
from initiatives.models import Initiative
from tests.governance.helpers import (
    PDF_BYTES,
    answer,
    approve,
    make_meeting,
    make_opinion,
    pdf,
    people,
    response_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def who():
    return people()


@pytest.fixture
def published(who):
    """The Done-means meeting: three opinions, No.1's answered, approved and published."""
    hq = who["hq"]
    meeting = make_meeting(hq, summary="委員から3件の意見があった。")
    committee.add_material(meeting=meeting, title="資料1 進捗状況", file=pdf(), user=hq)
    on_plan = make_opinion(meeting, hq, text="プラン全体を市民に分かりやすく伝えてほしい。")
    on_measure = make_opinion(
        meeting, hq, text="働き方のDXを加速してほしい。", scope="measure", measure=(1, 1)
    )
    on_no1 = make_opinion(
        meeting,
        hq,
        text="課題解決アプリを市民と一緒に作ってほしい。",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課",),
    )
    response = response_of(on_no1, "デジタル行政戦略課")
    approve(
        answer(
            response,
            who["digital"],
            text="令和7年度から市民参加の開発会を開きます。",
            status="in_progress",
        ),
        hq,
    )
    committee.publish_meeting(meeting=meeting, user=hq)
    return {"meeting": meeting, "plan": on_plan, "measure": on_measure, "no1": on_no1}


def test_the_committee_page_lists_published_meetings_newest_first(client, who, published):
    hq = who["hq"]
    make_meeting(hq, number=2, date=datetime.date(2025, 2, 1), title="未公開の第2回")
    later = make_meeting(hq, number=3, date=datetime.date(2025, 7, 1), year=2024)
    committee.publish_meeting(meeting=later, user=hq)
    html = client.get("/committee/").content.decode()
    assert "未公開の第2回" not in html
    assert html.index(f'href="/committee/meetings/{later.pk}/"') < html.index(
        f'href="/committee/meetings/{published["meeting"].pk}/"'
    )
    assert "3件" in html
    assert 'aria-current="page">推進委員会' in html


def test_a_meeting_page_shows_its_agenda_material_opinions_and_responses(client, published):
    meeting = published["meeting"]
    response = client.get(f"/committee/meetings/{meeting.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "第1回 金沢市行政経営プラン推進委員会" in html
    assert "2024年7月10日" in html and "令和5年度の実施結果" in html
    assert "<li>今後の進め方について</li>" in html
    material = meeting.materials.get()
    assert f'href="/committee/meetings/{meeting.pk}/materials/{material.pk}.pdf"' in html
    assert "委員から3件の意見があった。" in html
    assert "意見・提言と市の対応（3件）" in html
    assert "課題解決アプリを市民と一緒に作ってほしい。" in html
    assert "令和7年度から市民参加の開発会を開きます。" in html
    assert "対応中" in html and "デジタル行政戦略課" in html
    assert 'href="/plans/2023-2026/initiatives/1/"' in html
    assert 'href="/plans/2023-2026/policies/1/"' in html  # the measure's opinion links its policy
    assert html.count("市の対応は取りまとめ中です") == 2


def test_material_downloads_as_a_pdf_only_once_its_meeting_is_published(client, who, published):
    material = published["meeting"].materials.get()
    response = client.get(f"/committee/meetings/{material.meeting_id}/materials/{material.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    hidden = make_meeting(who["hq"], number=2)
    secret = committee.add_material(meeting=hidden, title="未公開資料", file=pdf(), user=who["hq"])
    assert client.get(f"/committee/meetings/{hidden.pk}/").status_code == 404
    url = f"/committee/meetings/{hidden.pk}/materials/{secret.pk}.pdf"
    assert client.get(url).status_code == 404
    other = f"/committee/meetings/{material.meeting_id}/materials/{secret.pk}.pdf"
    assert client.get(other).status_code == 404


def test_the_opinions_list_filters_by_status_policy_and_year(client, published):
    html = client.get("/committee/opinions/").content.decode()
    assert "<strong>3件</strong>" in html
    in_progress = client.get("/committee/opinions/", {"status": "in_progress"}).content.decode()
    assert "<strong>1件</strong>" in in_progress
    assert "課題解決アプリ" in in_progress
    assert "committee-opinions.csv?status=in_progress" in in_progress
    done = client.get("/committee/opinions/", {"status": "done"}).content.decode()
    assert "<strong>0件</strong>" in done
    policy_1 = client.get("/committee/opinions/", {"policy": "1"}).content.decode()
    assert "<strong>2件</strong>" in policy_1  # the measure (1)-(1) and No.1, not the plan
    assert "プラン全体を市民に" not in policy_1
    policy_3 = client.get("/committee/opinions/", {"policy": "3"}).content.decode()
    assert "<strong>0件</strong>" in policy_3
    assert "<strong>0件</strong>" in client.get("/committee/opinions/", {"year": "2024"}).text
    assert "<strong>3件</strong>" in client.get("/committee/opinions/", {"policy": "x"}).text


def test_the_initiative_page_shows_the_opinion_and_the_citys_response(client, published):
    html = client.get("/initiatives/1/").content.decode()
    assert "推進委員会の意見・提言と市の対応" in html
    assert "課題解決アプリを市民と一緒に作ってほしい。" in html
    assert "令和7年度から市民参加の開発会を開きます。" in html
    assert "推進委員会の意見・提言と市の対応" not in client.get("/initiatives/2/").text


def test_the_policy_page_shows_the_opinions_on_its_measures(client, published):
    html = client.get("/policies/1/").content.decode()
    assert "働き方のDXを加速してほしい。" in html
    assert "課題解決アプリを" not in html  # initiatives' opinions stay on their own pages
    assert "働き方のDXを加速" not in client.get("/policies/2/").text


def test_the_new_initiative_says_it_was_added_after_the_committees_opinion(client, who):
    hq = who["hq"]
    meeting = make_meeting(hq, date=datetime.date(2024, 5, 20))
    opinion = make_opinion(meeting, hq, text="デジタル人材の育成を加えるべき")
    r6_1 = Initiative.objects.get(code="R6-1")
    committee.record_outcome(
        opinion=opinion,
        revision=r6_1.added_in,
        initiatives=[r6_1, Initiative.objects.get(code="1")],
        note="",
        user=hq,
    )
    assert "委員会の提言を受けて" not in client.get("/initiatives/R6-1/").text
    committee.publish_meeting(meeting=meeting, user=hq)
    html = client.get("/initiatives/R6-1/").content.decode()
    assert "委員会の提言を受けて追加" in html
    assert f'href="/committee/meetings/{meeting.pk}/#opinion-{opinion.pk}"' in html
    assert "委員会の提言を受けて見直し" in client.get("/initiatives/1/").text
    meeting_page = client.get(f"/committee/meetings/{meeting.pk}/").text
    assert (
        "令和6年8月 改訂版" in meeting_page
        and 'href="/plans/2023-2026/initiatives/R6-1/"' in meeting_page
    )


def test_the_csv_has_a_bom_documented_columns_and_one_row_per_response(client, published):
    response = client.get("/open-data/committee-opinions.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    page = client.get("/open-data/").content.decode()
    for name in header:
        assert f'<th scope="row">{name}</th>' in page
    assert len(body) == 3
    by_number = {row[header.index("意見番号")]: row for row in body}
    no1 = by_number["3"]
    assert no1[header.index("対象の詳細")] == "取組 No.1"
    assert no1[header.index("対象の方針番号")] == "1"
    assert no1[header.index("担当課")] == "デジタル行政戦略課"
    assert no1[header.index("対応区分")] == "対応中"
    assert no1[header.index("審議した年度")] == "令和5年度"
    assert by_number["1"][header.index("対応区分")] == ""


def test_csv_cells_that_could_run_a_formula_are_neutralised(client, who):
    hq = who["hq"]
    meeting = make_meeting(hq)
    make_opinion(meeting, hq, text='=HYPERLINK("http://evil.example","x")')
    committee.publish_meeting(meeting=meeting, user=hq)
    body = client.get("/open-data/committee-opinions.csv").content.decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in body


def test_the_json_nests_opinions_and_responses_under_meetings(client, published):
    document = json.loads(client.get("/open-data/committee-opinions.json").content)
    assert document["format"]["name"] == "kanazawa-plan-committee-opinions"
    (meeting,) = document["meetings"]
    assert meeting["fiscal_year"] == 2023 and meeting["date"] == "2024-07-10"
    no1 = meeting["opinions"][2]
    assert no1["scope"] == "initiatives"
    assert no1["target"]["initiatives"] == ["1"]
    (response,) = no1["responses"]
    assert response["status"] == "in_progress"
    assert response["department"] == "デジタル行政戦略課"
    assert meeting["opinions"][1]["target"]["measure"] == {"policy": 1, "number": 1}
    filtered = json.loads(client.get("/open-data/committee-opinions.json", {"policy": "3"}).content)
    assert filtered["meetings"] == []


GROWTH_URLS = (
    "/committee/",
    "/committee/opinions/",
    "/committee/opinions/?status=done&policy=1",
    "/initiatives/1/",
    "/policies/1/",
    "/open-data/committee-opinions.csv",
    "/open-data/committee-opinions.json",
)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200, url
    return len(context)


def add_opinions(who, meeting, count: int) -> None:
    hq = who["hq"]
    for n in range(count):
        opinion = make_opinion(
            meeting,
            hq,
            text=f"追加の意見{n}",
            scope="initiatives",
            codes=("1", "2"),
            departments=("デジタル行政戦略課", "税務課"),
        )
        approve(answer(response_of(opinion, "税務課"), who["tax"], text=f"対応{n}"), hq)
    committee.publish_meeting(meeting=meeting, user=hq)


def test_pages_run_as_many_queries_for_many_more_opinions(client, who, published):
    meeting = published["meeting"]
    url = f"/committee/meetings/{meeting.pk}/"
    add_opinions(who, meeting, 1)
    before = {u: count_queries(client, u) for u in (*GROWTH_URLS, url)}
    add_opinions(who, meeting, 15)
    after = {u: count_queries(client, u) for u in (*GROWTH_URLS, url)}
    assert after == before
    assert before[url] <= 12
