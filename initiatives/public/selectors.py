"""Public reads: the pages, downloads, search and charts anyone can see.

Everything here reads ONLY the published copy of a result (Result.published_*,
Actual.published_value) and only where Result.published_at is set; the working fields
(status, text, note, value) never reach a public page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from initiatives.models import (
    Direction,
    FiscalYear,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Measure,
    Plan,
    Policy,
    PublicCorrection,
    Relisting,
    Result,
    Target,
    YearPlan,
)
from initiatives.plan.selectors import fiscal_years_of
from initiatives.results.checks import Figure, Finding, findings
from initiatives.results.decisions import Decision, decision_of
from initiatives.search import search_words, word_q
from initiatives.vocabulary import RESOURCE_FIELDS, STATUS_ORDER, status_label


def public_corrections(*, result: Result) -> list[PublicCorrection]:
    """The corrections of a published result, newest first: date, field, before → after."""
    return list(PublicCorrection.objects.filter(result=result).order_by("-corrected_at", "pk"))


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
    # One initiative by its exact 取組No. (the API's initiative answer).
    code: str = ""

    @property
    def is_empty(self) -> bool:
        return self == PublicFilter()


def public_initiatives(*, plan: Plan, filters: PublicFilter | None = None) -> list[Initiative]:
    """Initiatives in table order matching the filters, with their published results only."""
    filters = filters or PublicFilter()
    queryset = Initiative.objects.filter(plan=plan)
    if filters.code:
        queryset = queryset.filter(code=filters.code)
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
    for word in search_words(filters.keyword):
        in_results = published_results().filter(word_q(word, texts=["published_text"]))
        owned = InitiativeDepartment.objects.filter(word_q(word, texts=["department__name"]))
        queryset = queryset.filter(
            word_q(word, texts=["name", "summary"], codes=["code"])
            | Q(pk__in=in_results.values("initiative_id"))
            | Q(pk__in=owned.values("initiative_id"))
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
                label=status_label(status),
                count=counts.get(status, 0),
                share=round(100 * counts.get(status, 0) / total, 1) if total else 0.0,
            )
            for status in STATUS_ORDER
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
    # A status accepted despite the checks' findings: what they say and the city's reason.
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""
    # 「未確定 → 達成（令和6年10月確定）」 when a 未確定 was decided later.
    decision: Decision | None = None


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


def _explanations(result: Result | None, indicators: list[Indicator]) -> dict:
    """The reason beside a published status that disagrees with its figures, and the
    decision of a former 未確定 — all from the prefetched rows, without a query."""
    if result is None:
        return {}
    reason = result.published_consistency_reason
    found = []
    if reason:
        actuals = {a.indicator_id: a.published_value for a in result.actuals.all()}
        figures = [
            Figure(
                name=indicator.name,
                unit=indicator.unit,
                comparison=indicator.comparison,
                target=next(
                    (
                        t.value
                        for t in indicator.targets.all()
                        if t.fiscal_year_id == result.fiscal_year_id
                    ),
                    None,
                ),
                actual=actuals.get(indicator.pk),
            )
            for indicator in indicators
        ]
        found = findings(
            status=result.published_status, note=result.published_note, figures=figures
        )
    return {
        "findings": found,
        "reason": reason,
        "decision": decision_of(result.corrections.all()),
    }


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
                status_label=status_label(status),
                text=result.published_text if result else "",
                note=result.published_note if result else "",
                corrections=list(result.corrections.all()) if result else [],
                **_explanations(result, list(initiative.indicators.all())),
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
