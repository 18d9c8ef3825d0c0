"""Several plans in one installation: slugs, the interchange format, URLs per plan."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.models import Plan
from initiatives.plan.interchange import PlanFormatError
from initiatives.plan.loader import import_plan
from initiatives.plan.selectors import get_plan, plan_of_year, plans_newest_first
from tests.conftest import next_plan_document

pytestmark = pytest.mark.django_db


def _export(slug: str | None = None) -> str:
    out = io.StringIO()
    call_command("export_plan", *(["--plan", slug] if slug else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def second_plan(plan_document) -> Plan:
    import_plan(data=next_plan_document(plan_document))
    return Plan.objects.get(slug="2027-2030")


def test_the_real_plan_has_its_period_as_slug():
    plan = get_plan()
    assert plan.slug == "2023-2026"
    assert json.loads(_export())["plan"]["slug"] == "2023-2026"
    assert json.loads(_export())["format"] == "kanazawa-plan/2"


def test_importing_a_second_plan_leaves_the_first_byte_identical(plan_document):
    before = _export("2023-2026")
    import_plan(data=next_plan_document(plan_document))
    assert _export("2023-2026") == before
    second = json.loads(_export("2027-2030"))
    assert second["plan"]["title"] == "金沢市行政経営プラン（第2期）"
    assert (second["plan"]["start_year"], second["plan"]["end_year"]) == (2027, 2030)
    assert [p.slug for p in plans_newest_first()] == ["2027-2030", "2023-2026"]


def test_a_version_1_document_still_loads_and_is_named_by_its_period(plan_document):
    doc = next_plan_document(plan_document)
    doc["format"] = "kanazawa-plan/1"
    del doc["plan"]["slug"]
    import_plan(data=doc)
    assert Plan.objects.filter(slug="2027-2030").exists()


def test_an_unknown_format_is_refused(plan_document):
    plan_document["format"] = "kanazawa-plan/3"
    with pytest.raises(PlanFormatError, match="kanazawa-plan/2"):
        import_plan(data=plan_document)


def test_a_bad_slug_is_refused_in_japanese(plan_document):
    doc = next_plan_document(plan_document, slug="第2期")
    with pytest.raises(PlanFormatError, match="半角の英小文字"):
        import_plan(data=doc)
    assert Plan.objects.count() == 1


def test_a_plan_overlapping_another_is_refused_and_nothing_changes(plan_document, tmp_path):
    path = tmp_path / "overlap.json"
    doc = next_plan_document(plan_document, slug="2025-2028", shift=2)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="推進期間が「金沢市行政経営プラン」"):
        call_command("import_plan", str(path), stdout=io.StringIO())
    assert list(Plan.objects.values_list("slug", flat=True)) == ["2023-2026"]


def test_export_of_an_unknown_plan_names_the_known_ones():
    with pytest.raises(CommandError, match="2023-2026"):
        _export("1999-2002")


def test_the_current_plan_follows_today_unless_hq_marks_one(second_plan, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *_args: datetime.date(2027, 3, 31))
    assert get_plan().slug == "2023-2026"
    monkeypatch.setattr(timezone, "localdate", lambda *_args: datetime.date(2027, 4, 1))
    assert get_plan().slug == "2027-2030"
    Plan.objects.filter(slug="2023-2026").update(is_current=True)
    assert get_plan().slug == "2023-2026"
    assert plan_of_year(2028).slug == "2027-2030"
    assert plan_of_year(2031) is None


def test_pages_exist_under_each_plan_and_unprefixed(client, second_plan):
    assert client.get("/plans/2023-2026/initiatives/1/").status_code == 200
    assert client.get("/plans/2027-2030/initiatives/").status_code == 200
    assert client.get("/initiatives/1/").status_code == 200
    assert client.get("/plans/1999-2002/initiatives/").status_code == 404
    page = client.get("/plans/2027-2030/initiatives/").content.decode()
    assert "金沢市行政経営プラン（第2期）" in page
    assert "令和9年度～令和12年度" in page
    # Links stay within the plan the reader is in.
    assert 'href="/plans/2027-2030/initiatives/1/"' in page
    assert 'href="/initiatives/1/"' not in page


def test_each_page_says_which_plan_it_belongs_to(client):
    page = client.get("/plans/2023-2026/").content.decode()
    assert "推進期間 令和5年度～令和8年度（4カ年）" in page
    assert 'rel="canonical" href="http://testserver/plans/2023-2026/"' in page
    unprefixed = client.get("/initiatives/").content.decode()
    assert 'rel="canonical" href="http://testserver/plans/2023-2026/initiatives/"' in unprefixed


def test_the_plan_list_shows_all_plans_newest_first(client, second_plan, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *_args: datetime.date(2027, 6, 1))
    page = client.get("/plans/").content.decode()
    assert page.index("（第2期）") < page.index("令和5年度～令和8年度")
    assert 'href="/plans/2027-2030/"' in page and 'href="/plans/2023-2026/"' in page
    assert "推進中" in page and "終了" in page


def test_report_years_belong_to_their_plan(client, second_plan):
    # 令和5年度 is the first plan's: not under the second plan's prefix.
    assert client.get("/plans/2027-2030/reports/2023.pdf").status_code == 404
    prefixed = client.get("/plans/2023-2026/reports/2023.pdf")
    unprefixed = client.get("/reports/2023.pdf")
    assert prefixed.status_code == unprefixed.status_code
    assert prefixed.status_code in (200, 503)


def test_a_new_plan_has_nothing_published(client, second_plan):
    page = client.get("/plans/2027-2030/initiatives/1/").content.decode()
    assert "公開された実施結果はありません" in page
    assert "status--achieved" not in page
    first = client.get("/plans/2023-2026/initiatives/1/").content.decode()
    assert "status--achieved" in first
