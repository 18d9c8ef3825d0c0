"""Staff screens with two plans at work: the spring after a plan's last year, when the old
plan's final results and the new plan's first year are entered side by side."""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives.models import Plan, Result
from initiatives.plan.loader import import_plan
from tests.conftest import next_plan_document
from tests.initiatives.workflow_helpers import make_staff, open_year, staff

pytestmark = pytest.mark.django_db

DEPARTMENT = "デジタル行政戦略課"


@pytest.fixture
def two_plans(plan_document) -> Plan:
    import_plan(data=next_plan_document(plan_document))
    return Plan.objects.get(slug="2027-2030")


@pytest.fixture
def hq():
    return make_staff("hq-plans", hq=True)


def test_a_department_sees_both_plans_labelled(client, two_plans, hq):
    open_year(2026, hq=hq)
    open_year(2027, hq=hq)
    clerk = make_staff("digital-plans", DEPARTMENT)
    assert Result.objects.filter(fiscal_year__year=2027).exists()
    landing = staff(client, clerk).get(reverse("admin:initiatives_result_changelist"))
    assert landing.status_code == 302
    page = client.get(landing["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "金沢市行政経営プラン（第2期）（令和9年度～令和12年度（4カ年））" in html
    assert "金沢市行政経営プラン（令和5年度～令和8年度（4カ年））" in html
    # The plan filter narrows the list to one plan.
    narrowed = client.get(
        reverse("admin:initiatives_result_changelist"),
        {"initiative__plan__id__exact": two_plans.pk},
    ).content.decode()
    assert "令和9年度" in narrowed and "令和8年度</td>" not in narrowed


def test_one_plan_lists_need_no_plan_column(client, hq):
    html = staff(client, hq).get(reverse("admin:initiatives_result_changelist")).content.decode()
    assert "column-plan_display" not in html


def test_the_overview_groups_years_under_their_plan(client, two_plans, hq):
    page = staff(client, hq).get(reverse("admin:initiatives_result_overview"), {"year": 2027})
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<optgroup label="金沢市行政経営プラン（第2期）（令和9年度～令和12年度（4カ年））">' in html
    )
    assert "プラン：<strong>金沢市行政経営プラン（第2期）</strong>" in html


def test_the_plan_workbook_is_per_plan(client, two_plans, hq):
    client = staff(client, hq)
    listing = client.get(reverse("admin:initiatives_initiative_changelist")).content.decode()
    assert "?plan=2027-2030" in listing and "?plan=2023-2026" in listing
    answer = client.get(reverse("admin:initiatives_initiative_plan_export"), {"plan": "2027-2030"})
    assert answer.status_code == 200
    assert "2027-2030" in answer["Content-Disposition"]
    missing = client.get(reverse("admin:initiatives_initiative_plan_export"), {"plan": "nope"})
    assert missing.status_code == 404
