"""The committee's public pages with a published meeting, in a real browser: accessible
(axe-core) on desktop and at 360 px, no sideways scrolling."""

from __future__ import annotations

from governance.services import committee
from tests.browser.conftest import run_axe, screenshot
from tests.governance.helpers import (
    answer,
    approve,
    make_meeting,
    make_opinion,
    people,
    response_of,
)


def published_meeting() -> int:
    who = people()
    hq = who["hq"]
    meeting = make_meeting(hq, summary="推進本部から令和5年度の実施結果を報告した。")
    make_opinion(meeting, hq, text="プランの取組を市民に分かりやすく伝えてほしい。")
    make_opinion(meeting, hq, text="働き方のDXを加速してほしい。", scope="measure", measure=(1, 1))
    opinion = make_opinion(
        meeting,
        hq,
        text="課題解決アプリを市民と一緒に作ってほしい。",
        scope="initiatives",
        codes=("1",),
        departments=("デジタル行政戦略課",),
    )
    approve(
        answer(
            response_of(opinion, "デジタル行政戦略課"),
            who["digital"],
            text="市民参加の開発会を開きます。",
            status="considering",
            reason="令和7年度中に開催方法を決めます。",
        ),
        hq,
    )
    committee.publish_meeting(meeting=meeting, user=hq)
    return meeting.pk


def test_the_committee_pages_are_accessible_on_desktop_and_phone(plan_site, page_and_problems):
    page, problems = page_and_problems
    meeting_id = published_meeting()
    pages = {
        "committee-meeting": f"/committee/meetings/{meeting_id}/",
        "committee-opinions-filtered": "/committee/opinions/?status=considering",
        "initiative-1-with-opinion": "/initiatives/1/",
        "policy-1-with-opinion": "/policies/1/",
    }
    for name, path in pages.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        assert page.goto(plan_site + path).status == 200, path
        assert page.locator("h1").count() == 1, path
        assert run_axe(page) == [], path
        screenshot(page, f"{name}-desktop")
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 360px"
        assert run_axe(page) == [], path
        screenshot(page, f"{name}-360")
    assert "働き方のDXを加速してほしい。" in page.content()  # the last page, /policies/1/
    assert problems.errors == []
