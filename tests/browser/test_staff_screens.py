"""The staff screens in a browser: axe-core (WCAG 2.0–2.2 A and AA rules, every impact)
finds nothing on the result list, the entry screen, the review queue and the review form (HQ
on a submitted result) and the HQ overview; the live count follows typing and errors take the focus.

The axe results are written to test-artifacts/axe-staff.json for the record."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from initiatives.models import Result
from tests.browser.conftest import AXE, screenshot
from tests.initiatives.workflow_helpers import PASSWORD, make_user, open_year

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RECORD = Path(settings.BASE_DIR) / "test-artifacts" / "axe-staff.json"


def axe(page) -> dict:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return {violations: r.violations.map(v => ({id: v.id,"
        " impact: v.impact, nodes: v.nodes.slice(0, 5).map(n => n.target)})),"
        " passes: r.passes.map(v => v.id), incomplete: r.incomplete.map(v => v.id),"
        " version: r.testEngine.version}; }",
        TAGS,
    )


def log_in(page, site: str, username: str) -> None:
    page.goto(site + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + reverse("admin:index"))


def test_the_staff_screens_have_no_axe_violations(plan_site, browser) -> None:
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq)
    make_user("sato", "デジタル行政戦略課")
    no1 = Result.objects.get(initiative__code="1", fiscal_year__year=2024)
    no2 = Result.objects.get(initiative__code="2", fiscal_year__year=2024)
    record: dict[str, dict] = {}

    def check(page, name: str, path: str) -> None:
        response = page.goto(plan_site + path)
        assert response.status == 200, path
        result = axe(page)
        record[name] = {"path": path, **result}
        screenshot(page, f"staff-{name}")

    # axe is injected inline; the site's CSP (script-src 'self') would refuse it.
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    department = context.new_page()
    log_in(department, plan_site, "sato")
    check(department, "department-home", reverse("admin:index"))
    check(department, "entry", reverse("admin:initiatives_result_change", args=[no1.pk]))

    # The live count follows typing; past the limit the server refuses with the errors
    # listed first and focused, and the title says so.
    field = department.locator("#id_text")
    field.fill("あ" * 130)
    assert "いま130字" in department.inner_text("#id_text_count")
    assert "over-guide" in department.get_attribute("#id_text_count", "class")
    field.fill("い" * 401)
    assert "上限を1字超えています" in department.inner_text("#id_text_count")
    department.click("button[value=save]")
    department.wait_for_load_state()
    assert department.title().startswith("エラー:")
    assert department.evaluate("document.activeElement.id") == "error-summary"
    result = axe(department)
    record["entry-with-errors"] = {"path": "(after a refused save)", **result}
    screenshot(department, "staff-entry-errors")

    # Submit No.2 so that HQ has something to review.
    department.goto(plan_site + reverse("admin:initiatives_result_change", args=[no2.pk]))
    department.check("input[name=status][value=achieved]")
    department.fill("#id_text", "実施しました。")
    department.click("button[value=submit]")
    department.wait_for_load_state()
    assert department.locator("#next-result").count() == 1
    context.close()

    # axe is injected inline; the site's CSP (script-src 'self') would refuse it.
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    log_in(page, plan_site, "honbu")
    check(page, "hq-home", reverse("admin:index"))
    check(page, "changelist", reverse("admin:initiatives_result_changelist"))
    check(page, "review-queue", reverse("admin:initiatives_result_review"))
    assert "No.2" in page.inner_text("main, #content")
    check(page, "review-form", reverse("admin:initiatives_result_change", args=[no2.pk]))
    check(page, "overview", reverse("admin:initiatives_result_overview") + "?year=2024")
    context.close()

    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    violations = {name: r["violations"] for name, r in record.items() if r["violations"]}
    assert violations == {}
