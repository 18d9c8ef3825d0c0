"""Reads for the reports: everything one report shows, in a fixed number of queries.

Owns the report's view of the plan: the detail sheets as the document prints them (each
year's 実施計画 in its own cell unless the data says the document merges it; a 【再掲】 sheet
with its own wording), the achievement table and the per-方針 statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from initiatives.models import (
    Department,
    FiscalYear,
    GlossaryTerm,
    Initiative,
    Measure,
    Plan,
    PlanSection,
    Policy,
    Relisting,
    Result,
    YearPlan,
)
from initiatives.plan.selectors import PolicyBlock, achievement_table, fiscal_years_of
from initiatives.vocabulary import RESOURCE_LABELS, STATUS_ORDER, status_label


@dataclass
class PlanCell:
    """One cell of a sheet's 実施計画 row: one year, or the years the document merges."""

    text: str
    span: int
    in_plan: bool
    years: list[int] = field(default_factory=list)


@dataclass
class ResultRow:
    fiscal_year: FiscalYear
    status: str
    status_label: str
    text: str
    note: str


@dataclass
class Sheet:
    """One detail sheet (an initiative, or its 【再掲】 under another direction), with the
    texts this sheet prints (a 再掲 sheet's own wording where the document differs)."""

    initiative: Initiative
    relisted: bool
    direction_heading: bool  # the first sheet of its direction carries the ① heading
    plan_cells: list[PlanCell]
    results: list[ResultRow]
    summary: str = ""
    target_state: str = ""
    related_plans: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The title as printed: 【R6新規】<name>【数値目標】, or 【再掲】<name> (no No.)."""
        i = self.initiative
        prefix = "【再掲】" if self.relisted else ""
        return f"{prefix}{i.name_prefix}{i.name}{i.name_suffix}"

    @property
    def number(self) -> str:
        return "" if self.relisted else f"No.{self.initiative.code}"

    @property
    def bookmark(self) -> str:
        """The outline entry: 「No.1 職員による…」, 「【再掲】金沢MaaSの推進」."""
        return f"{self.number} {self.name}".strip()

    @property
    def departments(self) -> list[str]:
        return [owner.department.name for owner in self.initiative.owners.all()]

    @property
    def resource_marks(self) -> list[tuple[str, bool]]:
        return [(label, label in self.resources) for label in RESOURCE_LABELS]


@dataclass
class SheetGroup:
    """The detail sheets of one 施策, under a page header naming the 方針 and 施策."""

    policy: Policy
    measure: Measure
    sheets: list[Sheet]

    @property
    def running_head(self) -> str:
        return f"方針{self.policy.number} {self.policy.title}　{self.measure.label}"


@dataclass
class PolicyStats:
    policy: Policy
    total: int
    counts: list[tuple[str, str, int, float]]  # status, label, count, percent
    unreported: int


@dataclass
class ReportData:
    """What a report shows, already read from the database."""

    plan: Plan
    fiscal_year: FiscalYear
    fiscal_years: list[FiscalYear]
    draft: bool
    department: Department | None
    revisions: list
    stances: list
    sections: dict[str, PlanSection]
    policies: list[Policy]
    table: list[PolicyBlock]
    groups: list[SheetGroup]
    glossary: list[GlossaryTerm]
    stats: list[PolicyStats] = field(default_factory=list)

    @property
    def sheet_count(self) -> int:
        return sum(len(group.sheets) for group in self.groups)

    @property
    def sheet_policies(self) -> list[tuple[Policy, list[SheetGroup]]]:
        """The sheet groups under their 方針 (the contents list and the outline)."""
        policies: list[tuple[Policy, list[SheetGroup]]] = []
        for group in self.groups:
            if not policies or policies[-1][0].pk != group.policy.pk:
                policies.append((group.policy, []))
            policies[-1][1].append(group)
        return policies


def report_data(
    *,
    plan: Plan,
    fiscal_year: FiscalYear,
    draft: bool = False,
    department: Department | None = None,
) -> ReportData:
    """Read a report's content. Public reports (draft=False) read only published results."""
    fiscal_years = fiscal_years_of(plan)
    results_qs = Result.objects.select_related("fiscal_year").filter(
        fiscal_year__year__lte=fiscal_year.year
    )
    if not draft:
        results_qs = results_qs.filter(published_at__isnull=False)
    initiatives = Initiative.objects.filter(plan=plan)
    if department is not None:
        initiatives = initiatives.filter(owners__department=department)
    initiatives = list(
        initiatives.distinct()
        .with_structure()
        .prefetch_related(
            Prefetch("results", queryset=results_qs),
            Prefetch("year_plans", queryset=YearPlan.objects.select_related("fiscal_year")),
        )
        .in_table_order()
    )
    table = achievement_table(plan=plan, initiatives=initiatives, published_only=not draft)
    # Statuses of later years than the report's year do not belong in it.
    for policy_block in table:
        for measure_block in policy_block.measures:
            for direction_block in measure_block.directions:
                for row in direction_block.rows:
                    for year, status in row.statuses.items():
                        if year > fiscal_year.year and status:
                            row.statuses[year] = ""
    groups = []
    for policy_block in table:
        for measure_block in policy_block.measures:
            sheets = []
            for direction_block in measure_block.directions:
                for index, row in enumerate(direction_block.rows):
                    sheets.append(
                        _sheet(
                            row.initiative,
                            relisted=row.relisted,
                            relisting=row.relisting,
                            heading=index == 0,
                            fiscal_years=fiscal_years,
                            draft=draft,
                        )
                    )
            groups.append(
                SheetGroup(policy=policy_block.policy, measure=measure_block.measure, sheets=sheets)
            )
    policies = list(
        Policy.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.order_by("number").prefetch_related("directions"),
            )
        )
        .order_by("number")
    )
    data = ReportData(
        plan=plan,
        fiscal_year=fiscal_year,
        fiscal_years=fiscal_years,
        draft=draft,
        department=department,
        revisions=list(plan.revisions.order_by("date", "code")),
        stances=list(plan.stances.order_by("number")),
        sections={s.key: s for s in plan.sections.all()},
        policies=policies,
        table=table,
        groups=groups,
        glossary=list(plan.glossary.order_by("order")),
    )
    data.stats = _stats(data)
    return data


def plan_cells(initiative: Initiative, fiscal_years: list[FiscalYear]) -> list[PlanCell]:
    """The 実施計画 row: each year its own cell, the same text repeated where the document
    repeats it; one cell across years only where the data marks the document's merge."""
    plans = {p.fiscal_year.year: p for p in initiative.year_plans.all()}
    cells: list[PlanCell] = []
    for fy in fiscal_years:
        year_plan = plans.get(fy.year)
        last = cells[-1] if cells else None
        if (
            year_plan is not None
            and year_plan.merged_with_previous
            and last is not None
            and last.in_plan
            and last.years[-1] == fy.year - 1
        ):
            last.span += 1
            last.years.append(fy.year)
            continue
        cells.append(
            PlanCell(
                text=year_plan.text if year_plan else "",
                span=1,
                in_plan=year_plan is not None,
                years=[fy.year],
            )
        )
    return cells


def _sheet(
    initiative: Initiative,
    *,
    relisted: bool,
    relisting: Relisting | None,
    heading: bool,
    fiscal_years: list[FiscalYear],
    draft: bool,
) -> Sheet:
    if not relisted:
        relisting = None
    own_texts = relisting.result_texts if relisting else {}
    results = []
    for result in sorted(initiative.results.all(), key=lambda r: r.fiscal_year.year):
        if draft:
            status, text, note = result.status, result.text, result.note
        else:
            status, text, note = (
                result.published_status,
                result.published_text,
                result.published_note,
            )
        if not status and not text:
            continue
        text = own_texts.get(str(result.fiscal_year.year), text)
        results.append(
            ResultRow(
                fiscal_year=result.fiscal_year,
                status=status,
                status_label=status_label(status),
                text=text,
                note=note,
            )
        )
    resources = initiative.resources
    if relisting is not None and relisting.resources is not None:
        resources = list(relisting.resources)
    related_plans = initiative.related_plans
    if relisting is not None and relisting.related_plans is not None:
        related_plans = list(relisting.related_plans)
    return Sheet(
        initiative=initiative,
        relisted=relisted,
        direction_heading=heading,
        plan_cells=plan_cells(initiative, fiscal_years),
        results=results,
        summary=(relisting.summary if relisting else "") or initiative.summary,
        target_state=(relisting.target_state if relisting else "") or initiative.target_state,
        related_plans=related_plans,
        resources=resources,
    )


def _stats(data: ReportData) -> list[PolicyStats]:
    """Statuses of the report's year counted per 方針 (relisted rows counted once)."""
    year = data.fiscal_year.year
    stats = []
    for block in data.table:
        counts: Counter[str] = Counter()
        total = 0
        for measure_block in block.measures:
            for direction_block in measure_block.directions:
                for row in direction_block.rows:
                    if row.relisted or row.statuses.get(year) is None:
                        continue
                    total += 1
                    counts[row.statuses[year] or ""] += 1
        stats.append(
            PolicyStats(
                policy=block.policy,
                total=total,
                counts=[
                    (
                        status,
                        status_label(status),
                        counts[status],
                        round(100 * counts[status] / total, 1) if total else 0.0,
                    )
                    for status in STATUS_ORDER
                ],
                unreported=counts[""],
            )
        )
    return stats


def status_counts(*, data: ReportData) -> dict[int, dict[str, int]]:
    """Per fiscal year, the number of initiatives per status code ("" = not reported)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for block in data.table:
        for measure_block in block.measures:
            for direction_block in measure_block.directions:
                for row in direction_block.rows:
                    if row.relisted:
                        continue
                    for year, status in row.statuses.items():
                        if status is not None:
                            counts[year][status] += 1
    return {year: dict(c) for year, c in counts.items()}
