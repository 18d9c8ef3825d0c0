"""HQ's overview of a year, counted exactly after a known set of steps.

The expected numbers are worked out from the plan document (who owns what, which policy an
initiative is under), not from the code under test."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import FiscalYear, Indicator, Policy, Result
from initiatives.results import services
from initiatives.results.selectors import overview
from initiatives.vocabulary import State
from tests.conftest import real_plan_document
from tests.initiatives.workflow_helpers import make_staff, open_year, result_of

pytestmark = pytest.mark.django_db

# Where each initiative ends up; every other one of 令和6年度 stays 未入力.
# No.2 is co-owned (こども相談センター, デジタル行政戦略課): one result, counted once in each.
# No.82 was returned once and submitted again, so it is no longer 差戻し.
STEPS_TAKEN = {
    "1": State.DRAFT,
    "8": State.APPROVED,
    "2": State.RETURNED,
    "82": State.SUBMITTED,
    "10": State.RETURNED,
}


def document_initiatives() -> list[tuple[str, int, list[str]]]:
    """(code, policy number, departments) of every initiative with a 令和6年度 plan."""
    rows = []
    for policy in real_plan_document()["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    if "2024" in initiative["years"]:
                        rows.append(
                            (initiative["code"], policy["number"], initiative["departments"])
                        )
    return rows


def expected_counts() -> tuple[Counter, dict[str, Counter], dict[int, Counter]]:
    totals: Counter = Counter()
    by_department: dict[str, Counter] = {}
    by_policy: dict[int, Counter] = {}
    for code, policy, departments in document_initiatives():
        state = STEPS_TAKEN.get(code, State.NOT_STARTED)
        totals[state] += 1
        by_policy.setdefault(policy, Counter())[state] += 1
        for department in departments:
            by_department.setdefault(department, Counter())[state] += 1
    return totals, by_department, by_policy


def enter_and_submit(code: str, user) -> Result:
    result = result_of(code, 2024)
    indicators = Indicator.objects.filter(initiative__code=code).values_list("pk", flat=True)
    # Far above any target of these initiatives, so that 達成 agrees with the checks.
    actuals = {pk: Decimal(10**6) for pk in indicators}
    return services.save_and_submit(
        result=result,
        user=user,
        version=result.version,
        status="achieved",
        text=f"No.{code} を実施した",
        note="",
        actuals=actuals,
    )


@pytest.fixture
def hq():
    return make_staff("honbu", hq=True)


@pytest.fixture
def year_in_progress(hq) -> FiscalYear:
    """令和6年度 after the steps of STEPS_TAKEN, each taken by the department or HQ."""
    open_year(2024, hq=hq)
    digital = make_staff("sato", "デジタル行政戦略課")
    kodomo = make_staff("takahashi", "こども相談センター")
    tax = make_staff("suzuki", "税務課")
    personnel = make_staff("yamamoto", "人事課")

    no1 = result_of("1", 2024)
    services.save_draft(
        result=no1, user=digital, version=no1.version, status="", text="途中", note="", actuals={}
    )
    no8 = enter_and_submit("8", digital)
    services.approve_result(result=no8, user=hq, version=no8.version)
    no2 = enter_and_submit("2", kodomo)
    services.return_result(result=no2, user=hq, version=no2.version, comment="内訳を")
    no82 = enter_and_submit("82", tax)
    no82 = services.return_result(result=no82, user=hq, version=no82.version, comment="根拠を")
    services.submit_result(result=no82, user=tax, version=no82.version)
    no10 = enter_and_submit("10", personnel)
    services.return_result(result=no10, user=hq, version=no10.version, comment="数値を")
    return no1.fiscal_year


def test_it_counts_every_department_and_policy_exactly(year_in_progress) -> None:
    totals, by_department, by_policy = expected_counts()
    data = overview(fiscal_year=year_in_progress)

    assert data.totals == dict(totals)
    assert data.totals == {
        State.NOT_STARTED: 119,
        State.DRAFT: 1,
        State.SUBMITTED: 1,
        State.RETURNED: 2,
        State.APPROVED: 1,
    }
    assert {row.label: row.counts for row in data.departments} == {
        name: dict(counts) for name, counts in by_department.items()
    }
    policy_numbers = dict(Policy.objects.values_list("pk", "number"))
    assert {policy_numbers[row.key]: row.counts for row in data.policies} == {
        number: dict(counts) for number, counts in by_policy.items()
    }
    assert [row.total for row in data.departments] == [
        sum(by_department[row.label].values()) for row in data.departments
    ]


def test_it_counts_the_returned_column_and_lists_exactly(year_in_progress) -> None:
    data = overview(fiscal_year=year_in_progress)
    returned = {
        row.label: row.counts.get(State.RETURNED, 0)
        for row in data.departments
        if row.counts.get(State.RETURNED)
    }
    # No.2 in both of its departments, No.10 in 人事課; No.82 was submitted again.
    assert returned == {"こども相談センター": 1, "デジタル行政戦略課": 1, "人事課": 1}
    digital = next(row for row in data.departments if row.label == "デジタル行政戦略課")
    assert dict(digital.cells()) == {
        State.NOT_STARTED: 18,
        State.DRAFT: 1,
        State.SUBMITTED: 0,
        State.RETURNED: 1,
        State.APPROVED: 1,
        State.PUBLISHED: 0,
    }
    assert [r.initiative.code for r in data.returned] == ["2", "10"]
    assert [r.initiative.code for r in data.submitted] == ["82"]
    assert data.overdue == []


def test_it_shows_the_same_numbers_on_the_overview_screen(hq, year_in_progress) -> None:
    client = Client()
    client.force_login(hq)
    page = client.get(reverse("admin:initiatives_result_overview"), {"year": "2024"}).text
    assert "差戻し中（2件）" in page and "確認待ち（提出済 1件）" in page
    totals = page.split('id="totals"')[1].split("</table>")[0]
    # 未入力, 入力中, 提出済, 差戻し, 承認済, 公開
    assert _numbers(totals) == [119, 1, 1, 2, 1, 0]
    by_department = page.split('id="by-department"')[1].split("</table>")[0]
    digital = next(row for row in by_department.split("<tr>") if "デジタル行政戦略課" in row)
    assert _numbers(digital) == [18, 1, 0, 1, 1, 0, 21]
    tax = next(row for row in by_department.split("<tr>") if ">税務課<" in row)
    assert _numbers(tax) == [0, 0, 1, 0, 0, 0, 1]


def _numbers(html: str) -> list[int]:
    """The numbers of a table's cells, linked or not."""
    return [int(n) for n in re.findall(r"<td>(?:<a [^>]*>)?(\d+)(?:</a>)?</td>", html)]
