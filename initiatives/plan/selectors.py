"""Reads of the plan's structure: the plan, its fiscal years, its initiatives in table
order and the achievement table (取組事項一覧) that public pages and reports both show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from initiatives.models import (
    Direction,
    FiscalYear,
    Initiative,
    Measure,
    Plan,
    Policy,
    Relisting,
    Result,
    Succession,
    YearPlan,
)
from initiatives.vocabulary import fiscal_year_of


def get_plan(*, slug: str | None = None) -> Plan:
    """The plan with this slug, or without one the current plan: the one HQ marked current,
    else the one whose period contains today's fiscal year, else the latest to start
    (a plan not yet begun only when no other exists). Raises Plan.DoesNotExist."""
    if slug is not None:
        return Plan.objects.get(slug=slug)
    current = current_of(list(Plan.objects.order_by("-start_year")))
    if current is None:
        raise Plan.DoesNotExist("プランが登録されていません。")
    return current


def current_of(plans: list[Plan]) -> Plan | None:
    """The current plan among `plans` (the latest period first), by get_plan's rule; None
    when there are none. The public cache applies the same rule to the plans it reads."""
    if not plans:
        return None
    today = fiscal_year_of(timezone.localdate())
    return (
        next((p for p in plans if p.is_current), None)
        or next((p for p in plans if p.contains_year(today)), None)
        or next((p for p in plans if p.start_year <= today), None)
        or plans[-1]
    )


def plans_newest_first() -> list[Plan]:
    """Every plan, the latest period first (the plan list page, the sitemap)."""
    return list(Plan.objects.order_by("-start_year"))


def years_by_plan(years: list[FiscalYear]) -> list[tuple[Plan, list[FiscalYear]]]:
    """Fiscal years grouped under their plan, the newest plan first (year pickers label the
    plan: in the spring after a plan's last year, two plans are at work)."""
    return [
        (plan, [fy for fy in years if plan.contains_year(fy.year)])
        for plan in plans_newest_first()
        if any(plan.contains_year(fy.year) for fy in years)
    ]


def plan_of_year(year: int) -> Plan | None:
    """The plan whose period holds this fiscal year (periods do not overlap)."""
    return Plan.objects.filter(start_year__lte=year, end_year__gte=year).first()


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


@dataclass
class TableRow:
    """One row of the achievement table: an initiative, or its 【再掲】 under another direction."""

    initiative: Initiative
    relisted: bool
    # fiscal year → published status code, "" when nothing is published,
    # None when the initiative was not yet in the plan that year.
    statuses: dict[int, str | None]
    # fiscal year → the city's reason published beside a status the consistency checks flag.
    reasons: dict[int, str] = field(default_factory=dict)
    # The 【再掲】 record of a relisted row (its sheet's own wording), else None.
    relisting: Relisting | None = None


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

    def reasons(initiative: Initiative) -> dict[int, str]:
        return {
            result.fiscal_year.year: result.published_consistency_reason
            for result in initiative.results.all()
            if published_only and result.is_published and result.published_consistency_reason
        }

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
            TableRow(
                initiative=initiative,
                relisted=False,
                statuses=statuses(initiative),
                reasons=reasons(initiative),
            )
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
            TableRow(
                initiative=initiative,
                relisted=True,
                statuses=statuses(initiative),
                reasons=reasons(initiative),
                relisting=relisting,
            ),
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


# 「前期プランの No.15 を継続」 (seen from the later plan) / 「次期プランの No.3 に継続」 (earlier).
_FROM_LATER = {
    Succession.Kind.CONTINUATION: "を継続",
    Succession.Kind.MERGER: "を統合",
    Succession.Kind.SPLIT: "から分割",
}
_FROM_EARLIER = {
    Succession.Kind.CONTINUATION: "に継続",
    Succession.Kind.MERGER: "に統合",
    Succession.Kind.SPLIT: "に分割",
}


@dataclass
class Continuity:
    """One line of an initiative's chain across plans: the other plan, its initiatives and how
    they relate — 「前期プランの No.15・No.16 を統合」."""

    plan: Plan  # the other plan
    plan_name: str  # 前期プラン / 次期プラン, or the other plan's title and period
    codes: list[str]
    phrase: str
    earlier: bool  # the other plan is the earlier one

    @property
    def text(self) -> str:
        return f"{self.plan_name}の {'・'.join(f'No.{c}' for c in self.codes)} {self.phrase}"


def continuity(*, initiatives: list[Initiative]) -> dict[int, list[Continuity]]:
    """Initiative id → its chain both ways (earlier plans first), in two queries."""
    ids = [i.pk for i in initiatives]
    links = list(
        Succession.objects.filter(Q(successor__in=ids) | Q(predecessor__in=ids))
        .select_related("successor__plan", "predecessor__plan")
        .order_by("order", "pk")
    )
    if not links:
        return {}
    ordered = list(Plan.objects.order_by("start_year").values_list("pk", flat=True))

    def name(own: Plan, other: Plan) -> str:
        step = ordered.index(other.pk) - ordered.index(own.pk)
        if step in (-1, 1):
            return "前期プラン" if step == -1 else "次期プラン"
        return f"{other.title}（{other.period_label}）"

    chains: dict[int, dict[tuple, Continuity]] = defaultdict(dict)
    for link in links:
        for own, other, earlier in (
            (link.successor, link.predecessor, True),
            (link.predecessor, link.successor, False),
        ):
            if own.pk not in ids:
                continue
            key = (earlier, other.plan.start_year, link.kind)
            line = chains[own.pk].get(key)
            if line is None:
                phrase = (_FROM_LATER if earlier else _FROM_EARLIER)[link.kind]
                line = chains[own.pk][key] = Continuity(
                    plan=other.plan,
                    plan_name=name(own.plan, other.plan),
                    codes=[],
                    phrase=phrase,
                    earlier=earlier,
                )
            line.codes.append(other.code)
    # Earlier plans first (oldest first), then later plans.
    return {
        pk: [lines[key] for key in sorted(lines, key=lambda key: (not key[0], *key[1:]))]
        for pk, lines in chains.items()
    }
