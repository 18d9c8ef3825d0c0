"""The plan loader's cost: every table is read once and written in bulk, so loading a plan
costs a bounded number of queries whatever its number of initiatives (the times are in
benchmarks/import_plan.py)."""

from __future__ import annotations

import copy

import pytest

from initiatives.models import Initiative, Target, YearPlan
from initiatives.plan.loader import import_plan

pytestmark = pytest.mark.django_db

# Plan row, revisions, stances, sections, policies, measures, directions, initiatives,
# 担当課, indicators, yearly plans, targets, results, actual values, relistings, glossary
# and the first editions: a few queries each, however many rows they hold; and the one
# update that tells the public pages the structure changed.
LOAD_QUERIES = 92


def replicated(document: dict, copies: int) -> dict:
    """The plan with each initiative repeated `copies` times under new codes (No.x-2, …)."""
    big = copy.deepcopy(document)
    for policy in big["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                originals = direction["initiatives"]
                direction["initiatives"] = list(originals) + [
                    {**copy.deepcopy(i), "code": f"{i['code'].strip()}-{k}"}
                    for k in range(2, copies + 1)
                    for i in originals
                ]
    return big


def test_reloading_the_plan_unchanged_costs_a_few_queries_and_changes_nothing(
    plan_document, django_assert_max_num_queries
) -> None:
    before = (Initiative.objects.count(), YearPlan.objects.count(), Target.objects.count())
    with django_assert_max_num_queries(LOAD_QUERIES // 2):
        summary = import_plan(data=plan_document)
    assert summary.initiatives == 124 and not summary.created and not summary.removed
    assert (Initiative.objects.count(), YearPlan.objects.count(), Target.objects.count()) == before


@pytest.mark.parametrize("copies", [2, 4])
def test_loading_more_initiatives_costs_no_more_queries(
    plan_document, copies, django_assert_max_num_queries
) -> None:
    document = replicated(plan_document, copies)
    with django_assert_max_num_queries(LOAD_QUERIES):
        summary = import_plan(data=document)
    assert summary.initiatives == 124 * copies
    assert len(summary.created) == 124 * (copies - 1)
    assert Initiative.objects.filter(code="R6-5-2").exists()
    # In the document's order: each copy follows the originals of its direction.
    orders = list(Initiative.objects.order_by("order").values_list("order", flat=True))
    assert orders == list(range(1, 124 * copies + 1))
    # Loading the original again removes the copies (their results' deletion is recorded in
    # their history one row at a time, by simple-history's signal: not bounded here).
    summary = import_plan(data=plan_document)
    assert len(summary.removed) == 124 * (copies - 1)
    assert Initiative.objects.count() == 124
