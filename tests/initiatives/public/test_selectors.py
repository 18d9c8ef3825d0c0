from __future__ import annotations

from collections import Counter

import pytest

from initiatives.models import Actual, Initiative, Result
from initiatives.plan.selectors import get_plan
from initiatives.public.selectors import (
    PublicFilter,
    achievement_tallies,
    public_initiative,
    public_initiatives,
    published_years,
)
from tests.conftest import real_plan_document

pytestmark = pytest.mark.django_db


def test_it_counts_published_statuses_per_policy_and_measure():
    plan = get_plan()
    tallies = achievement_tallies(plan=plan)
    assert [t.fiscal_year.year for t in tallies] == [2023]
    year = tallies[0]
    published = Result.objects.filter(fiscal_year__year=2023, published_at__isnull=False).exclude(
        published_status=""
    )
    assert sum(t.total for t in year.policies) == published.count()
    assert sum(t.total for t in year.measures) == published.count()
    not_achieved = sum(c.count for t in year.policies for c in t.counts if c.label == "未達成")
    assert not_achieved == 8
    for tally in year.policies:
        assert round(sum(c.share for c in tally.counts)) in (0, 100)


def test_it_ignores_working_statuses_in_the_tallies():
    plan = get_plan()
    before = achievement_tallies(plan=plan)
    Result.objects.filter(fiscal_year__year=2023).update(status="not_achieved")
    assert achievement_tallies(plan=plan) == before


def test_it_leaves_out_a_year_with_nothing_published():
    plan = get_plan()
    initiative = Initiative.objects.filter(year_plans__fiscal_year__year=2024).first()
    Result.objects.create(
        initiative=initiative,
        fiscal_year_id=initiative.year_plans.get(fiscal_year__year=2024).fiscal_year_id,
        status="achieved",
        text="下書き",
    )
    assert [fy.year for fy in published_years(plan=plan)] == [2023]


def test_it_filters_by_published_status_only():
    plan = get_plan()
    result = Result.objects.filter(
        fiscal_year__year=2023, published_at__isnull=False, published_status="achieved"
    ).first()
    result.status = "not_achieved"
    result.save()
    codes = {
        i.code
        for i in public_initiatives(
            plan=plan, filters=PublicFilter(statuses=((2023, "not_achieved"),))
        )
    }
    assert result.initiative.code not in codes
    assert len(codes) == 8


def test_it_searches_published_text_not_working_text():
    plan = get_plan()
    result = Result.objects.filter(published_at__isnull=False).first()
    result.text = "作業中だけの語QQQ"
    result.save()
    assert public_initiatives(plan=plan, filters=PublicFilter(keyword="作業中だけの語QQQ")) == []


def test_it_shows_only_published_actuals_on_a_sheet():
    plan = get_plan()
    actual = (
        Actual.objects.filter(result__published_at__isnull=False)
        .select_related("result__initiative")
        .first()
    )
    actual.value = 123456
    actual.save()
    sheet = public_initiative(plan=plan, code=actual.result.initiative.code)
    values = [y.actual for i in sheet.indicators for y in i.years]
    assert 123456 not in values
    assert actual.published_value in values


def test_it_hides_an_unpublished_result_on_a_sheet():
    plan = get_plan()
    result = (
        Result.objects.filter(published_at__isnull=False, fiscal_year__year=2023)
        .select_related("initiative")
        .first()
    )
    result.published_at = None
    result.save()
    sheet = public_initiative(plan=plan, code=result.initiative.code)
    year = next(y for y in sheet.years if y.fiscal_year.year == 2023)
    assert (year.status, year.text, year.note) == ("", "", "")


def test_it_orders_initiatives_as_the_table_does():
    plan = get_plan()
    initiatives = public_initiatives(plan=plan)
    assert [i.order for i in initiatives] == sorted(i.order for i in initiatives)
    sheet = public_initiative(plan=plan, code=initiatives[1].code)
    assert sheet.previous == initiatives[0]
    assert sheet.next == initiatives[2]


def _r5_statuses_in_the_document() -> list[tuple[int, int, str]]:
    """(policy, measure, status) of every initiative's 令和5年度 result in the plan document.
    A 【再掲】 is listed under `relisted` with a code only, so each initiative is here once."""
    rows = []
    for policy in real_plan_document()["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    result = (initiative["years"].get("2023") or {}).get("result")
                    if result and result["status"]:
                        rows.append((policy["number"], measure["number"], result["status"]))
    return rows


def test_it_counts_each_r5_result_once_per_policy_and_measure_as_the_document():
    statuses = _r5_statuses_in_the_document()
    by_policy = Counter((policy, status) for policy, _measure, status in statuses)
    by_measure = Counter((policy, measure, status) for policy, measure, status in statuses)
    (year,) = achievement_tallies(plan=get_plan())
    assert year.fiscal_year.year == 2023

    def counted(tally) -> dict[str, int]:
        return {c.status: c.count for c in tally.counts if c.count}

    assert {t.key: counted(t) for t in year.policies} == {
        f"p{policy}": {s: n for (p, s), n in by_policy.items() if p == policy}
        for policy in (1, 2, 3)
    }
    assert {t.key: counted(t) for t in year.measures} == {
        f"p{policy}m{measure}": {
            s: n for (p, m, s), n in by_measure.items() if (p, m) == (policy, measure)
        }
        for policy, measure in sorted({(p, m) for p, m, _s in statuses})
    }
    # As fixtures/README.md counts 方針2 (no 未確定 there), and the whole year.
    assert counted(next(t for t in year.policies if t.key == "p2")) == {
        "achieved": 27,
        "not_achieved": 4,
    }
    assert sum(t.total for t in year.policies) == sum(t.total for t in year.measures) == 90
    # 方針1（2）and（3）show the 【再掲】 rows of No.51 and No.75, which count in 方針2 and 3.
    assert next(t for t in year.measures if t.key == "p1m2").total == 7
    assert next(t for t in year.measures if t.key == "p1m3").total == 5
    for tally in year.policies + year.measures:
        for count in tally.counts:
            assert count.share == round(100 * count.count / tally.total, 1)
