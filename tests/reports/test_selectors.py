from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Department, FiscalYear, Initiative, YearPlan
from initiatives.plan.selectors import get_plan
from reports.selectors import report_data, status_counts
from tests.conftest import real_plan_document

pytestmark = pytest.mark.django_db


def _sheet(data, code: str):
    return next(
        sheet
        for group in data.groups
        for sheet in group.sheets
        if sheet.initiative.code == code and not sheet.relisted
    )


def test_it_repeats_equal_plan_texts_and_merges_only_marked_years() -> None:
    initiative = Initiative.objects.filter(added_in__isnull=True).order_by("order").first()
    plans = YearPlan.objects.filter(initiative=initiative)
    plans.update(merged_with_previous=False)
    plans.filter(fiscal_year__year__in=(2024, 2025, 2026)).update(text="同じ計画")
    plans.filter(fiscal_year__year=2023).update(text="別の計画")
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    cells = [(cell.text, cell.span) for cell in _sheet(data, initiative.code).plan_cells]
    # The same text in each year's own cell, as the document prints No.2's 「運用」.
    assert cells == [("別の計画", 1), ("同じ計画", 1), ("同じ計画", 1), ("同じ計画", 1)]
    # One cell across years only where the document merges it.
    plans.filter(fiscal_year__year=2026).update(merged_with_previous=True)
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    cells = [(cell.text, cell.span) for cell in _sheet(data, initiative.code).plan_cells]
    assert cells == [("別の計画", 1), ("同じ計画", 1), ("同じ計画", 2)]


def test_it_leaves_the_first_year_empty_for_an_initiative_added_later() -> None:
    initiative = Initiative.objects.filter(added_in__isnull=False).order_by("order").first()
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    sheet = _sheet(data, initiative.code)
    assert sheet.plan_cells[0].in_plan is False
    assert sheet.plan_cells[0].text == ""
    assert sheet.results == []


def test_it_reads_a_report_in_the_same_number_of_queries_whatever_its_size() -> None:
    plan = get_plan()
    fiscal_year = FiscalYear.objects.get(year=2023)
    with CaptureQueriesContext(connection) as whole:
        full = report_data(plan=plan, fiscal_year=fiscal_year)
    department = Department.objects.order_by("pk").first()
    with CaptureQueriesContext(connection) as one:
        part = report_data(plan=plan, fiscal_year=fiscal_year, department=department)
    assert full.sheet_count > part.sheet_count
    assert len(whole.captured_queries) == len(one.captured_queries)
    assert len(whole.captured_queries) < 30


def _document_rows() -> list[tuple[int, dict]]:
    """(policy number, years) of every initiative in the plan document, each once: a 【再掲】
    is only a code under `relisted`."""
    return [
        (policy["number"], initiative["years"])
        for policy in real_plan_document()["policies"]
        for measure in policy["measures"]
        for direction in measure["directions"]
        for initiative in direction["initiatives"]
    ]


def test_it_counts_each_initiative_once_in_the_r5_statistics() -> None:
    expected: dict[int, Counter] = {1: Counter(), 2: Counter(), 3: Counter()}
    for policy, years in _document_rows():
        if "2023" in years:
            expected[policy][(years["2023"]["result"] or {}).get("status", "")] += 1
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    assert [
        (s.policy.number, s.total, {status: n for status, _label, n, _pct in s.counts if n})
        for s in data.stats
    ] == [
        (policy, sum(counts.values()), {s: n for s, n in counts.items() if s})
        for policy, counts in expected.items()
    ]
    assert [(s.policy.number, s.total) for s in data.stats] == [(1, 26), (2, 31), (3, 33)]
    assert [s.unreported for s in data.stats] == [0, 0, 0]
    p2 = next(s for s in data.stats if s.policy.number == 2)
    assert [(label, n, pct) for _s, label, n, pct in p2.counts] == [
        ("達成", 27, 87.1),
        ("未達成", 4, 12.9),
        ("未確定", 0, 0.0),
    ]


def test_it_counts_each_initiative_once_per_year_in_the_status_counts() -> None:
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    expected: dict[int, Counter] = {}
    for _policy, years in _document_rows():
        for year, cell in years.items():
            # A later year than the report's shows no status, even where one exists.
            status = (cell["result"] or {}).get("status", "") if year == "2023" else ""
            expected.setdefault(int(year), Counter())[status] += 1
    assert status_counts(data=data) == {year: dict(c) for year, c in expected.items()}
    assert status_counts(data=data)[2023] == {
        "achieved": 81,
        "not_achieved": 8,
        "undetermined": 1,
    }
    assert status_counts(data=data)[2024] == {"": 124}
