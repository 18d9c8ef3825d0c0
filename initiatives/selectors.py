"""Reads of the plan's data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

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
    PublicCorrection,
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


def public_corrections(*, result: Result) -> list[PublicCorrection]:
    """The corrections of a published result, newest first: date, field, before → after."""
    return list(PublicCorrection.objects.filter(result=result).order_by("-corrected_at", "pk"))


def corrections_of_year(*, fiscal_year: FiscalYear) -> list[PublicCorrection]:
    """Every public correction of a fiscal year's results, newest first."""
    return list(
        PublicCorrection.objects.filter(result__fiscal_year=fiscal_year)
        .select_related("result__initiative", "result__fiscal_year")
        .order_by("-corrected_at", "result__initiative__order", "pk")
    )


# ---------------------------------------------------------------------------
# Public reads: the pages, downloads, search and charts anyone can see.
#
# Everything below reads ONLY the published copy of a result (Result.published_*,
# Actual.published_value) and only where Result.published_at is set; the working
# fields (status, text, note, value) never reach a public page.
# ---------------------------------------------------------------------------

PUBLIC_STATUS_LABELS = {
    Result.Status.ACHIEVED: "達成",
    Result.Status.NOT_ACHIEVED: "未達成",
    Result.Status.UNDETERMINED: "未確定",
}
PUBLIC_STATUS_ORDER = (
    Result.Status.ACHIEVED,
    Result.Status.NOT_ACHIEVED,
    Result.Status.UNDETERMINED,
)


def published_results() -> QuerySet[Result]:
    """Results whose published copy may be shown."""
    return Result.objects.filter(published_at__isnull=False).select_related("fiscal_year")


@dataclass(frozen=True)
class PublicFilter:
    """The filters of the public table and downloads (parsed from the query string)."""

    policy: int | None = None
    measure: int | None = None
    department: int | None = None
    statuses: tuple[tuple[int, str], ...] = ()
    numeric_target: bool = False
    added_in: str = ""
    resource: str = ""
    keyword: str = ""

    @property
    def is_empty(self) -> bool:
        return self == PublicFilter()


RESOURCE_FIELDS = {
    "ヒト": "secures_people",
    "カネ": "secures_money",
    "モノ": "secures_things",
    "情報": "secures_information",
}


def public_initiatives(*, plan: Plan, filters: PublicFilter | None = None) -> list[Initiative]:
    """Initiatives in table order matching the filters, with their published results only."""
    filters = filters or PublicFilter()
    queryset = Initiative.objects.filter(plan=plan)
    if filters.policy is not None:
        queryset = queryset.filter(direction__measure__policy__number=filters.policy)
    if filters.measure is not None:
        queryset = queryset.filter(direction__measure_id=filters.measure)
    if filters.department is not None:
        queryset = queryset.filter(owners__department_id=filters.department)
    for year, status in filters.statuses:
        matching = published_results().filter(fiscal_year__year=year, published_status=status)
        queryset = queryset.filter(pk__in=matching.values("initiative_id"))
    if filters.numeric_target:
        queryset = queryset.filter(numeric_target=True)
    if filters.added_in:
        queryset = queryset.filter(added_in__code=filters.added_in)
    if filters.resource in RESOURCE_FIELDS:
        queryset = queryset.filter(**{RESOURCE_FIELDS[filters.resource]: True})
    for word in filters.keyword.split():
        in_results = published_results().filter(published_text__icontains=word)
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(code__iexact=word)
            | Q(pk__in=in_results.values("initiative_id"))
        )
    return list(
        queryset.distinct()
        .with_structure()
        .prefetch_related(Prefetch("results", queryset=published_results()))
        .in_table_order()
    )


def published_years(*, plan: Plan) -> list[FiscalYear]:
    """Fiscal years of the plan with at least one published result."""
    years = set(
        published_results()
        .filter(initiative__plan=plan)
        .values_list("fiscal_year__year", flat=True)
        .distinct()
    )
    return [fy for fy in fiscal_years_of(plan) if fy.year in years]


@dataclass
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # percent of the group's initiatives in that year


@dataclass
class Tally:
    """達成 / 未達成 / 未確定 of one group (a 方針 or 施策) in one fiscal year."""

    key: str
    label: str
    total: int
    counts: list[StatusCount]


@dataclass
class YearTallies:
    fiscal_year: FiscalYear
    policies: list[Tally]
    measures: list[Tally]


def _tally(key: str, label: str, counts: dict[str, int]) -> Tally:
    total = sum(counts.values())
    return Tally(
        key=key,
        label=label,
        total=total,
        counts=[
            StatusCount(
                status=status,
                label=PUBLIC_STATUS_LABELS[status],
                count=counts.get(status, 0),
                share=round(100 * counts.get(status, 0) / total, 1) if total else 0.0,
            )
            for status in PUBLIC_STATUS_ORDER
        ],
    )


def achievement_tallies(*, plan: Plan, policy: Policy | None = None) -> list[YearTallies]:
    """Per published fiscal year, the published statuses counted per 方針 and per 施策."""
    rows = (
        published_results()
        .filter(initiative__plan=plan)
        .exclude(published_status="")
        .values(
            "fiscal_year__year",
            "initiative__direction__measure_id",
            "initiative__direction__measure__policy_id",
            "published_status",
        )
        .annotate(n=Count("pk"))
    )
    if policy is not None:
        rows = rows.filter(initiative__direction__measure__policy=policy)
    by_policy: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    by_measure: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in rows:
        year = row["fiscal_year__year"]
        status = row["published_status"]
        by_policy[year][row["initiative__direction__measure__policy_id"]][status] += row["n"]
        by_measure[year][row["initiative__direction__measure_id"]][status] += row["n"]
    measures = Measure.objects.filter(policy__plan=plan).select_related("policy")
    policies = Policy.objects.filter(plan=plan).order_by("number")
    if policy is not None:
        measures = measures.filter(policy=policy)
        policies = policies.filter(pk=policy.pk)
    measures = list(measures.order_by("policy__number", "number"))
    policies = list(policies)
    tallies = []
    for fiscal_year in fiscal_years_of(plan):
        if fiscal_year.year not in by_policy:
            continue
        tallies.append(
            YearTallies(
                fiscal_year=fiscal_year,
                policies=[
                    _tally(f"p{p.number}", f"方針{p.number}", by_policy[fiscal_year.year][p.pk])
                    for p in policies
                ],
                measures=[
                    _tally(
                        f"p{m.policy.number}m{m.number}",
                        f"方針{m.policy.number}（{m.number}）{m.title}",
                        by_measure[fiscal_year.year][m.pk],
                    )
                    for m in measures
                ],
            )
        )
    return tallies


def plan_overview(*, plan: Plan) -> list[Policy]:
    """The three 方針 with their 施策, for the front page."""
    return list(
        Policy.objects.filter(plan=plan)
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("number")))
        .order_by("number")
    )


@dataclass
class PublicYear:
    """One fiscal year of a detail sheet: the plan beside the published result."""

    fiscal_year: FiscalYear
    in_plan: bool
    plan_text: str
    status: str
    status_label: str
    text: str
    note: str
    corrections: list[PublicCorrection]


@dataclass
class IndicatorYear:
    fiscal_year: FiscalYear
    target: Decimal | None
    actual: Decimal | None


@dataclass
class PublicIndicator:
    indicator: Indicator
    years: list[IndicatorYear]


@dataclass
class PublicInitiative:
    """Everything the public detail sheet of an initiative shows."""

    initiative: Initiative
    years: list[PublicYear]
    indicators: list[PublicIndicator]
    relisted_in: list[Direction]
    previous: Initiative | None
    next: Initiative | None


def public_initiative(*, plan: Plan, code: str) -> PublicInitiative:
    """The detail sheet of one initiative; raises Initiative.DoesNotExist."""
    initiative = (
        Initiative.objects.filter(plan=plan, code=code)
        .with_structure()
        .prefetch_related(
            Prefetch("year_plans", queryset=YearPlan.objects.select_related("fiscal_year")),
            Prefetch(
                "results",
                queryset=published_results().prefetch_related(
                    "actuals",
                    Prefetch(
                        "corrections",
                        queryset=PublicCorrection.objects.order_by("-corrected_at", "pk"),
                    ),
                ),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order").prefetch_related(
                    Prefetch("targets", queryset=Target.objects.select_related("fiscal_year"))
                ),
            ),
            Prefetch(
                "relistings",
                queryset=Relisting.objects.select_related("direction__measure__policy"),
            ),
        )
        .get()
    )
    fiscal_years = fiscal_years_of(plan)
    plans = {p.fiscal_year.year: p.text for p in initiative.year_plans.all()}
    results = {r.fiscal_year.year: r for r in initiative.results.all()}
    years = []
    for fiscal_year in fiscal_years:
        result = results.get(fiscal_year.year)
        status = result.published_status if result else ""
        years.append(
            PublicYear(
                fiscal_year=fiscal_year,
                in_plan=fiscal_year.year in plans,
                plan_text=plans.get(fiscal_year.year, ""),
                status=status,
                status_label=PUBLIC_STATUS_LABELS.get(status, ""),
                text=result.published_text if result else "",
                note=result.published_note if result else "",
                corrections=list(result.corrections.all()) if result else [],
            )
        )
    indicators = []
    for indicator in initiative.indicators.all():
        targets = {t.fiscal_year.year: t.value for t in indicator.targets.all()}
        actuals = {
            year: actual.published_value
            for year, result in results.items()
            for actual in result.actuals.all()
            if actual.indicator_id == indicator.pk
        }
        indicators.append(
            PublicIndicator(
                indicator=indicator,
                years=[
                    IndicatorYear(
                        fiscal_year=fy,
                        target=targets.get(fy.year),
                        actual=actuals.get(fy.year),
                    )
                    for fy in fiscal_years
                ],
            )
        )
    siblings = Initiative.objects.filter(plan=plan)
    return PublicInitiative(
        initiative=initiative,
        years=years,
        indicators=indicators,
        relisted_in=[r.direction for r in initiative.relistings.all()],
        previous=siblings.filter(order__lt=initiative.order).order_by("-order").first(),
        next=siblings.filter(order__gt=initiative.order).order_by("order").first(),
    )
