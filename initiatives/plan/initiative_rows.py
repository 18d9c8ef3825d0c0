"""Loading the initiatives of an interchange document with everything under them (担当課,
indicators, yearly plans and targets, published results and actual values): every table is
read once for the whole plan, compared in memory and written in bulk, so the number of
queries does not grow with the number of initiatives. Called by `loader.import_plan`
inside its transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F

from initiatives.models import (
    Actual,
    Department,
    Direction,
    FiscalYear,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Plan,
    PlanRevision,
    Result,
    Target,
    YearPlan,
)
from initiatives.plan.bulk import Sync

# Orders are unique within a plan: rows whose order changes are parked above every real
# order first, so that the constraint holds at every statement.
_PARK = 1_000_000

_INITIATIVE_FIELDS = [
    "direction",
    "order",
    "name",
    "numeric_target",
    "added_in",
    "summary",
    "target_state",
    "related_plans",
    "secures_people",
    "secures_money",
    "secures_things",
    "secures_information",
]
_RESULT_FIELDS = [
    "status",
    "text",
    "note",
    "state",
    "published_status",
    "published_text",
    "published_note",
    "consistency_reason",
    "published_consistency_reason",
    "published_at",
]


def result_label(result: Result) -> str:
    return f"No.{result.initiative.code} {result.fiscal_year.label}（{result.get_state_display()}）"


def _to_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def write_initiatives(
    *,
    plan: Plan,
    placed: list[tuple[Direction, dict]],
    fiscal_years: dict[int, FiscalYear],
    revisions: dict[str, PlanRevision],
    summary,
    published_at: datetime.datetime,
    entered: dict[tuple[int, int], Result],
) -> dict[str, Initiative]:
    """Write the document's initiatives (in document order) and their children; returns
    them by code. Initiatives the document no longer states are left to the caller."""
    initiatives = _write_initiative_rows(plan, placed, revisions, summary)
    documents = [(initiatives[d["code"].strip()], d) for _direction, d in placed]
    _write_owners(plan, documents)
    indicators = _write_indicators(plan, documents)
    _write_year_plans(plan, documents, fiscal_years)
    _write_targets(plan, documents, fiscal_years, indicators)
    _write_results(plan, documents, fiscal_years, indicators, summary, published_at, entered)
    return initiatives


def _write_initiative_rows(
    plan: Plan,
    placed: list[tuple[Direction, dict]],
    revisions: dict[str, PlanRevision],
    summary,
) -> dict[str, Initiative]:
    rows = Sync.of(
        Initiative,
        Initiative.objects.filter(plan=plan),
        lambda i: i.code,
        fields=_INITIATIVE_FIELDS,
        validate=True,
    )
    orders = {row.pk: row.order for row in rows.existing.values()}
    for order, (direction, data) in enumerate(placed, start=1):
        code = data["code"].strip()
        resources = set(data["resources"])
        initiative = rows.want(
            code,
            plan=plan,
            code=code,
            direction=direction,
            order=order,
            name=data["name"],
            numeric_target=data["numeric_target"],
            added_in=revisions[data["added_in"]] if data["added_in"] else None,
            summary=data["summary"],
            target_state=data["target_state"],
            related_plans=data["related_plans"],
            secures_people="ヒト" in resources,
            secures_money="カネ" in resources,
            secures_things="モノ" in resources,
            secures_information="情報" in resources,
        )
        if initiative.pk is None:
            summary.created.append(code)
    moving = [row.pk for row in rows.changed if orders[row.pk] != row.order]
    moving += [row.pk for row in rows.stale()]
    if moving:
        Initiative.objects.filter(pk__in=moving).update(order=F("order") + _PARK)
    rows.write()
    return rows.wanted


def _write_owners(plan: Plan, documents: list[tuple[Initiative, dict]]) -> None:
    """担当課 in the document's order; a department named for the first time is created."""
    names = {name.strip() for _i, d in documents for name in d["departments"]}
    departments = {d.name: d for d in Department.objects.filter(name__in=names)}
    missing = sorted(names - set(departments))
    if missing:
        Department.objects.bulk_create(Department(name=name) for name in missing)
        departments = {d.name: d for d in Department.objects.filter(name__in=names)}
    current: dict[int, list[int]] = {}
    for owner in InitiativeDepartment.objects.filter(initiative__plan=plan).order_by("order"):
        current.setdefault(owner.initiative_id, []).append(owner.department_id)
    rewrite = {}
    for initiative, data in documents:
        wanted = [departments[name.strip()].pk for name in data["departments"]]
        if current.get(initiative.pk, []) != wanted:
            rewrite[initiative.pk] = wanted
    if rewrite:
        InitiativeDepartment.objects.filter(initiative_id__in=list(rewrite)).delete()
        InitiativeDepartment.objects.bulk_create(
            InitiativeDepartment(initiative_id=pk, department_id=department, order=position)
            for pk, wanted in rewrite.items()
            for position, department in enumerate(wanted)
        )


def _write_indicators(
    plan: Plan, documents: list[tuple[Initiative, dict]]
) -> dict[tuple[int, str], Indicator]:
    indicators = Sync.of(
        Indicator,
        Indicator.objects.filter(initiative__plan=plan),
        lambda i: (i.initiative_id, i.name),
        fields=["order", "unit", "comparison", "benchmark"],
        validate=True,
    )
    for initiative, data in documents:
        for index, ind in enumerate(data["indicators"]):
            indicators.want(
                (initiative.pk, ind["name"]),
                initiative=initiative,
                name=ind["name"],
                order=index,
                unit=ind["unit"],
                comparison=ind["comparison"],
                benchmark=ind["benchmark"],
            )
    return indicators.apply()


def _write_year_plans(
    plan: Plan, documents: list[tuple[Initiative, dict]], fiscal_years: dict[int, FiscalYear]
) -> None:
    plans = Sync.of(
        YearPlan,
        YearPlan.objects.filter(initiative__plan=plan).select_related("fiscal_year"),
        lambda p: (p.initiative_id, p.fiscal_year.year),
        fields=["text", "merged_with_previous"],
    )
    for initiative, data in documents:
        for key, year_data in data["years"].items():
            year = int(key)
            plans.want(
                (initiative.pk, year),
                initiative=initiative,
                fiscal_year=fiscal_years[year],
                text=year_data["plan"],
                merged_with_previous=year_data.get("plan_merged", False),
            )
    plans.apply()


def _write_targets(
    plan: Plan,
    documents: list[tuple[Initiative, dict]],
    fiscal_years: dict[int, FiscalYear],
    indicators: dict[tuple[int, str], Indicator],
) -> None:
    """Targets of the years the document states; other years' targets are kept."""
    targets = Sync.of(
        Target,
        Target.objects.filter(indicator__initiative__plan=plan).select_related(
            "indicator", "fiscal_year"
        ),
        lambda t: (t.indicator.initiative_id, t.fiscal_year.year, t.indicator.name),
        fields=["value"],
    )
    stated = set()
    for initiative, data in documents:
        for key, year_data in data["years"].items():
            year = int(key)
            stated.add((initiative.pk, year))
            for name, value in year_data["targets"].items():
                targets.want(
                    (initiative.pk, year, name),
                    indicator=indicators[(initiative.pk, name)],
                    fiscal_year=fiscal_years[year],
                    value=_to_decimal(value),
                )
    targets.delete_stale(
        keep=lambda t: (t.indicator.initiative_id, t.fiscal_year.year) not in stated
    )
    targets.write()


def _write_results(
    plan: Plan,
    documents: list[tuple[Initiative, dict]],
    fiscal_years: dict[int, FiscalYear],
    indicators: dict[tuple[int, str], Indicator],
    summary,
    published_at: datetime.datetime,
    entered: dict[tuple[int, int], Result],
) -> None:
    """A result in the interchange document is a published result (as in the city's PDF);
    results the workflow has touched are kept, and a conflict when the document differs."""
    results = Sync.of(
        Result,
        Result.objects.filter(initiative__plan=plan).select_related("fiscal_year"),
        lambda r: (r.initiative_id, r.fiscal_year.year),
        fields=_RESULT_FIELDS,
        history=True,
    )
    entered_ids = {r.pk for r in entered.values()}
    stated_actuals: dict[tuple[int, int], dict] = {}
    for initiative, data in documents:
        for key, year_data in data["years"].items():
            year = int(key)
            result_data = year_data["result"]
            if result_data is None:
                continue
            reason = result_data.get("consistency_reason", "")
            kept = entered.get((initiative.pk, year))
            if kept is not None and (
                kept.state != Result.State.PUBLISHED
                or (kept.status, kept.text, kept.note, kept.consistency_reason)
                != (result_data["status"], result_data["text"], result_data["note"], reason)
            ):
                summary.conflicts.append(result_label(kept))
                results.wanted[(initiative.pk, year)] = kept  # neither deleted nor written
                continue
            results.want(
                (initiative.pk, year),
                initiative=initiative,
                fiscal_year=fiscal_years[year],
                status=result_data["status"],
                text=result_data["text"],
                note=result_data["note"],
                state=Result.State.PUBLISHED,
                published_status=result_data["status"],
                published_text=result_data["text"],
                published_note=result_data["note"],
                consistency_reason=reason,
                published_consistency_reason=reason,
                published_at=published_at,
            )
            summary.results += 1
            stated_actuals[(initiative.pk, year)] = result_data["actuals"]
    # Results of initiatives no longer in the document go with their initiative.
    documented = {initiative.pk for initiative, _d in documents}
    results.delete_stale(keep=lambda r: r.pk in entered_ids or r.initiative_id not in documented)
    results.write()

    actuals = Sync.of(
        Actual,
        Actual.objects.filter(result__initiative__plan=plan).select_related("indicator"),
        lambda a: (a.result_id, a.indicator.name),
        fields=["value", "published_value"],
        history=True,
    )
    for key, stated in stated_actuals.items():
        result = results.wanted[key]
        for name, value in stated.items():
            actuals.want(
                (result.pk, name),
                result=result,
                indicator=indicators[(key[0], name)],
                value=_to_decimal(value),
                published_value=_to_decimal(value),
            )
    stated_results = {results.wanted[key].pk for key in stated_actuals}
    actuals.delete_stale(keep=lambda a: a.result_id not in stated_results)
    actuals.write()
