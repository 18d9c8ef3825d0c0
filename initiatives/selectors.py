"""Reads of the plan's data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from initiatives.interchange import FORMAT, decimal_text
from initiatives.models import (
    Actual,
    Direction,
    FiscalYear,
    Indicator,
    Initiative,
    Measure,
    Plan,
    Policy,
    Relisting,
    Result,
    Target,
    YearPlan,
)


def get_plan() -> Plan:
    """The plan this installation tracks (there is one)."""
    return Plan.objects.order_by("pk").get()


def initiatives_in_order(*, plan: Plan) -> list[Initiative]:
    """All initiatives in table order with what a table of them shows, in fixed queries."""
    return list(
        Initiative.objects.filter(plan=plan)
        .with_structure()
        .prefetch_related(
            Prefetch("results", queryset=Result.objects.select_related("fiscal_year")),
        )
        .in_table_order()
    )


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

    return {
        "format": FORMAT,
        "plan": {
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
                "measures": [
                    {
                        "number": measure.number,
                        "title": measure.title,
                        "summary": measure.summary,
                        "description": measure.description,
                        "issues": measure.issues,
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
                                    {"code": r.initiative.code, "position": r.position}
                                    for r in relisted[direction.pk]
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
        years[str(year)] = {
            "plan": year_plan.text,
            "targets": {t.indicator.name: decimal_text(t.value) for t in targets.get(year, [])},
            "result": results.get(year),
        }
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


def _result_document(result: Result, *, published_only: bool) -> dict | None:
    actuals = sorted(result.actuals.all(), key=lambda a: a.indicator.order)
    if published_only:
        if not result.is_published:
            return None
        status, text, note = result.published_status, result.published_text, result.published_note
        values = {a.indicator.name: decimal_text(a.published_value) for a in actuals}
    else:
        status, text, note = result.status, result.text, result.note
        values = {a.indicator.name: decimal_text(a.value) for a in actuals}
    if not status:
        return None
    return {"status": status, "text": text, "actuals": values, "note": note}


@dataclass
class TableRow:
    """One row of the achievement table: an initiative, or its 【再掲】 under another direction."""

    initiative: Initiative
    relisted: bool
    # fiscal year → published status code, "" when nothing is published,
    # None when the initiative was not yet in the plan that year.
    statuses: dict[int, str | None]


@dataclass
class DirectionBlock:
    direction: Direction
    rows: list[TableRow]


@dataclass
class MeasureBlock:
    measure: Measure
    directions: list[DirectionBlock]


@dataclass
class PolicyBlock:
    policy: Policy
    measures: list[MeasureBlock]


def fiscal_years_of(plan: Plan) -> list[FiscalYear]:
    return list(FiscalYear.objects.filter(year__range=(plan.start_year, plan.end_year)))


def achievement_table(
    *, plan: Plan, initiatives: list[Initiative] | None = None, published_only: bool = True
) -> list[PolicyBlock]:
    """取組事項一覧: policies → measures → directions → rows, with one status per fiscal year.

    `initiatives` limits the rows (a filtered view); relisted rows follow their initiative.
    With `published_only` (the default, for anything public) a status is the published one.
    Runs a fixed number of queries whatever the size of the plan.
    """
    if initiatives is None:
        initiatives = initiatives_in_order(plan=plan)
    years = [fy.year for fy in fiscal_years_of(plan)]
    planned: dict[int, set[int]] = defaultdict(set)
    for initiative_id, year in YearPlan.objects.filter(initiative__plan=plan).values_list(
        "initiative_id", "fiscal_year__year"
    ):
        planned[initiative_id].add(year)

    def statuses(initiative: Initiative) -> dict[int, str | None]:
        published = {}
        for result in initiative.results.all():
            if published_only:
                published[result.fiscal_year.year] = (
                    result.published_status if result.is_published else ""
                )
            else:
                published[result.fiscal_year.year] = result.status
        return {
            year: (published.get(year, "") if year in planned[initiative.pk] else None)
            for year in years
        }

    shown = {initiative.pk: initiative for initiative in initiatives}
    rows_by_direction: dict[int, list[TableRow]] = defaultdict(list)
    for initiative in initiatives:
        rows_by_direction[initiative.direction_id].append(
            TableRow(initiative=initiative, relisted=False, statuses=statuses(initiative))
        )
    for relisting in Relisting.objects.filter(direction__measure__policy__plan=plan).order_by(
        "position"
    ):
        initiative = shown.get(relisting.initiative_id)
        if initiative is None:
            continue
        rows = rows_by_direction[relisting.direction_id]
        rows.insert(
            min(relisting.position, len(rows)),
            TableRow(initiative=initiative, relisted=True, statuses=statuses(initiative)),
        )

    blocks: list[PolicyBlock] = []
    directions = (
        Direction.objects.filter(measure__policy__plan=plan)
        .select_related("measure__policy")
        .order_by("measure__policy__number", "measure__number", "number")
    )
    for direction in directions:
        rows = rows_by_direction.get(direction.pk)
        if not rows:
            continue
        measure, policy = direction.measure, direction.measure.policy
        if not blocks or blocks[-1].policy.pk != policy.pk:
            blocks.append(PolicyBlock(policy=policy, measures=[]))
        measures = blocks[-1].measures
        if not measures or measures[-1].measure.pk != measure.pk:
            measures.append(MeasureBlock(measure=measure, directions=[]))
        measures[-1].directions.append(DirectionBlock(direction=direction, rows=rows))
    return blocks
