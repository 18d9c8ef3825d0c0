"""The interchange export: a plan (with working or published results) as one document."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch

from initiatives.models import (
    Actual,
    Direction,
    Indicator,
    Initiative,
    Measure,
    Plan,
    Relisting,
    Result,
    Target,
    YearPlan,
)
from initiatives.plan.interchange import FORMAT
from initiatives.plan.organisation_format import organisation_document
from initiatives.plan.selectors import get_plan
from initiatives.vocabulary import number_text


def export_plan_document(*, plan: Plan | None = None, published_only: bool = False) -> dict:
    """The whole plan as an interchange document.

    With `published_only` the results are the published editions (what the public sees);
    otherwise they are the working copies departments and HQ edit.
    """
    plan = plan or get_plan()
    initiatives = (
        Initiative.objects.filter(plan=plan)
        .select_related("added_in")
        .prefetch_related(
            "owners__department",
            Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
            Prefetch("year_plans", queryset=YearPlan.objects.select_related("fiscal_year")),
            Prefetch(
                "results",
                queryset=Result.objects.select_related("fiscal_year").prefetch_related(
                    Prefetch("actuals", queryset=Actual.objects.select_related("indicator"))
                ),
            ),
        )
        .order_by("order")
    )
    targets: dict[int, dict[int, list[Target]]] = defaultdict(lambda: defaultdict(list))
    for target in (
        Target.objects.filter(indicator__initiative__plan=plan)
        .select_related("indicator", "fiscal_year")
        .order_by("indicator__order")
    ):
        targets[target.indicator.initiative_id][target.fiscal_year.year].append(target)
    by_direction: dict[int, list[Initiative]] = defaultdict(list)
    for initiative in initiatives:
        by_direction[initiative.direction_id].append(initiative)
    relisted: dict[int, list[Relisting]] = defaultdict(list)
    for relisting in (
        Relisting.objects.filter(direction__measure__policy__plan=plan)
        .select_related("initiative")
        .order_by("position")
    ):
        relisted[relisting.direction_id].append(relisting)
    directions: dict[int, list[Direction]] = defaultdict(list)
    for direction in Direction.objects.filter(measure__policy__plan=plan).order_by("number"):
        directions[direction.measure_id].append(direction)
    measures: dict[int, list[Measure]] = defaultdict(list)
    for measure in Measure.objects.filter(policy__plan=plan).order_by("number"):
        measures[measure.policy_id].append(measure)

    document = {
        "format": FORMAT,
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "subtitle": plan.subtitle,
            "author": plan.author,
            "philosophy": plan.philosophy,
            "philosophy_description": plan.philosophy_description,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "revisions": [
                {
                    "code": r.code,
                    "label": r.label,
                    "kind": r.kind,
                    "date": r.date.isoformat(),
                }
                for r in plan.revisions.order_by("date", "code")
            ],
            "stances": [
                {"number": s.number, "title": s.title, "description": s.description}
                for s in plan.stances.order_by("number")
            ],
            "sections": [
                {"key": s.key, "heading": s.heading, "body": s.body}
                for s in plan.sections.order_by("order")
            ],
        },
        "policies": [
            {
                "number": policy.number,
                "title": policy.title,
                "subtitle": policy.subtitle,
                "description": policy.description,
                "issues": policy.issues,
                "measures": [
                    {
                        "number": measure.number,
                        "title": measure.title,
                        "summary": measure.summary,
                        "description": measure.description,
                        "highlights": measure.highlights,
                        "directions": [
                            {
                                "number": direction.number,
                                "title": direction.title,
                                "statement": direction.statement,
                                "examples": direction.examples,
                                "initiatives": [
                                    _initiative_document(
                                        i, targets[i.pk], published_only=published_only
                                    )
                                    for i in by_direction[direction.pk]
                                ],
                                "relisted": [
                                    _relisting_document(r) for r in relisted[direction.pk]
                                ],
                            }
                            for direction in directions[measure.pk]
                        ],
                    }
                    for measure in measures[policy.pk]
                ],
            }
            for policy in plan.policies.order_by("number")
        ],
        "glossary": [
            {"term": t.term, "description": t.description} for t in plan.glossary.order_by("order")
        ],
    }
    organisation = organisation_document(plan)
    if organisation is not None:
        document["organisation"] = organisation
    return document


def _initiative_document(
    initiative: Initiative, targets: dict[int, list[Target]], published_only: bool
) -> dict:
    results = {
        r.fiscal_year.year: _result_document(r, published_only=published_only)
        for r in initiative.results.all()
    }
    years = {}
    for year_plan in sorted(initiative.year_plans.all(), key=lambda p: p.fiscal_year.year):
        year = year_plan.fiscal_year.year
        years[str(year)] = {"plan": year_plan.text}
        if year_plan.merged_with_previous:
            years[str(year)]["plan_merged"] = True
        years[str(year)]["targets"] = {
            t.indicator.name: number_text(t.value) for t in targets.get(year, [])
        }
        years[str(year)]["result"] = results.get(year)
    return {
        "code": initiative.code,
        "name": initiative.name,
        "numeric_target": initiative.numeric_target,
        "added_in": initiative.added_in.code if initiative.added_in else None,
        "departments": [o.department.name for o in initiative.owners.all()],
        "summary": initiative.summary,
        "target_state": initiative.target_state,
        "related_plans": initiative.related_plans,
        "resources": initiative.resources,
        "indicators": [
            {
                "name": ind.name,
                "unit": ind.unit,
                "comparison": ind.comparison,
                "benchmark": ind.benchmark,
            }
            for ind in initiative.indicators.all()
        ],
        "years": years,
    }


def _relisting_document(relisting: Relisting) -> dict:
    """A 【再掲】 entry; the sheet's own fields only where the document prints them."""
    entry: dict = {"code": relisting.initiative.code, "position": relisting.position}
    if relisting.summary:
        entry["summary"] = relisting.summary
    if relisting.target_state:
        entry["target_state"] = relisting.target_state
    if relisting.related_plans is not None:
        entry["related_plans"] = relisting.related_plans
    if relisting.resources is not None:
        entry["resources"] = relisting.resources
    if relisting.result_texts:
        entry["result_texts"] = dict(sorted(relisting.result_texts.items()))
    return entry


def _result_document(result: Result, *, published_only: bool) -> dict | None:
    actuals = sorted(result.actuals.all(), key=lambda a: a.indicator.order)
    if published_only:
        if not result.is_published:
            return None
        status, text, note = result.published_status, result.published_text, result.published_note
        reason = result.published_consistency_reason
        values = {a.indicator.name: number_text(a.published_value) for a in actuals}
    else:
        status, text, note = result.status, result.text, result.note
        reason = result.consistency_reason
        values = {a.indicator.name: number_text(a.value) for a in actuals}
    if not status:
        return None
    document = {"status": status, "text": text, "actuals": values, "note": note}
    if reason:
        document["consistency_reason"] = reason
    return document
