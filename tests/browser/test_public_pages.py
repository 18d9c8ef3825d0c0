from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.browser.conftest import run_axe, screenshot

PAGES = {
    "home": "/",
    "initiatives": "/initiatives/",
    "initiatives-filtered": "/initiatives/?status_2023=not_achieved",
    "initiative-R6-5": "/initiatives/R6-5/",
    "initiative-1": "/initiatives/1/",
    "policy-1": "/policies/1/",
    "open-data": "/open-data/",
    "committee": "/committee/",
    "committee-opinions": "/committee/opinions/",
}


def test_it_loads_every_page_accessibly_on_desktop_and_phone(plan_site, page_and_problems):
    page, problems = page_and_problems
    for name, path in PAGES.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(plan_site + path)
        assert response.status == 200, path
        assert page.get_attribute("html", "lang") == "ja"
        assert page.title().strip(), path
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
    assert problems.errors == []


def test_it_filters_opens_an_initiative_and_downloads_the_csv(plan_site, page_and_problems):
    page, problems = page_and_problems
    page.goto(plan_site + "/")
    page.get_by_role("link", name="取組事項一覧").first.click()
    page.wait_for_url(re.compile(r"/initiatives/$"))
    page.get_by_label("令和5年度の達成状況").select_option(label="未達成")
    page.get_by_role("button", name="この条件で表示").click()
    page.wait_for_url(re.compile(r"status_2023=not_achieved"))
    assert page.locator(".result-count").inner_text().startswith("8件")
    rows = page.locator("table.achievement tbody tr:not([class]) th.col-name a")
    assert rows.count() >= 8
    first_name = rows.first.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(table) == 9
    assert {row[table[0].index("令和5年度 達成状況")] for row in table[1:]} == {"未達成"}
    rows.first.click()
    page.wait_for_url(re.compile(r"/initiatives/[^/]+/$"))
    assert first_name in page.locator("h1").inner_text()
    assert page.locator("text=未達成").count() >= 1
    page.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert page.locator("a[rel=prev]").count() == 1
    assert problems.errors == []


def test_it_is_usable_with_the_keyboard(plan_site, page_and_problems):
    page, problems = page_and_problems
    page.goto(plan_site + "/initiatives/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.get_by_label("キーワード").focus()
    page.keyboard.type("窓口")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"keyword="))
    assert "件" in page.locator(".result-count").inner_text()
    page.goto(plan_site + "/")
    page.get_by_role("link", name=re.compile("方針1")).first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/policies/1/$"))
    assert problems.errors == []
