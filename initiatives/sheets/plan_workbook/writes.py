"""Writing a previewed plan import: initiatives with their departments and yearly plans,
their place in the order of their 取組の方向性, indicators with their targets, and the
admin history (LogEntry) of every initiative changed. Called inside the transaction of
`apply_plan_import`; never deletes anything."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

from initiatives.models import (
    FiscalYear,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Plan,
    PlanRevision,
    Target,
    YearPlan,
)
from initiatives.sheets.plan_workbook.columns import RESOURCES, plan_years, same_text
from initiatives.sheets.plan_workbook.report import RowReport
from initiatives.sheets.plan_workbook.resources import directions_of, initiatives_of

# Orders are unique within a plan: rows being moved are parked above every real order.
_PARK = 1_000_000


class PlanWriter:
    """Writes the changed rows of one preview and remembers what it wrote, for the history."""

    def __init__(self, *, plan: Plan, revision: PlanRevision, source: str) -> None:
        self.plan = plan
        self.revision = revision
        self.source = source
        self.fiscal_years = {
            year: FiscalYear.objects.get_or_create(year=year)[0] for year in plan_years(plan)
        }
        self.existing = {i.code.upper(): i for i in initiatives_of(plan)}
        self.created: list[str] = []
        self.changed: list[str] = []
        self.indicators_created = 0
        self.indicators_changed = 0
        self.log: list[tuple[Initiative, int, str]] = []

    def write_initiatives(self, rows: list[RowReport]) -> None:
        placed = []
        for position, report in enumerate(rows):
            if not report.changed:
                continue
            initiative = self.existing.get(report.key)
            moved = (
                initiative is not None and initiative.direction_id != report.values["direction"].pk
            )
            initiative = self._write_initiative(initiative, report.values, position=position)
            self.existing[report.key] = initiative
            if report.new or moved:
                placed.append((initiative, position))
            self._remember(initiative, report)
        positions = {
            self.existing[r.key].pk: position
            for position, r in enumerate(rows)
            if r.key in self.existing
        }
        _reorder(self.plan, placed, positions)

    def write_indicators(self, rows: list[RowReport]) -> None:
        for report in rows:
            if not report.changed:
                continue
            initiative = self.existing[report.values["code"]]
            _write_indicator(initiative, report, self.fiscal_years)
            if report.new:
                self.indicators_created += 1
            else:
                self.indicators_changed += 1
            if not any(entry[0].pk == initiative.pk for entry in self.log):
                self.log.append((initiative, CHANGE, f"{self.source}: 指標を変更"))

    def record(self, *, user, revision_flag: int) -> None:
        """The admin history: a summary on the revision, one entry per initiative changed."""
        summary = (
            f"{self.source}: 取組 新規{len(self.created)}件・変更{len(self.changed)}件、"
            f"指標 新規{self.indicators_created}件・変更{self.indicators_changed}件"
        )
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[self.revision],
            action_flag=revision_flag,
            change_message=summary,
        )
        for initiative, flag, message in self.log:
            LogEntry.objects.log_actions(
                user_id=user.pk, queryset=[initiative], action_flag=flag, change_message=message
            )

    def _remember(self, initiative: Initiative, report: RowReport) -> None:
        if report.new:
            self.created.append(initiative.code)
            self.log.append((initiative, ADDITION, f"{self.source}で追加"))
        else:
            self.changed.append(initiative.code)
            columns = "、".join(dict.fromkeys(c.column for c in report.changes))
            self.log.append((initiative, CHANGE, f"{self.source}: {columns} を変更"))

    def _write_initiative(
        self, initiative: Initiative | None, values: dict, *, position: int
    ) -> Initiative:
        if initiative is None:
            # A temporary order out of the way; `_reorder` puts it in its place.
            initiative = Initiative(
                plan=self.plan,
                code=values["code"],
                order=2 * _PARK + position,
                added_in=self.revision,
            )
        for name in ("direction", "numeric_target", "related_plans"):
            setattr(initiative, name, values[name])
        for name, _label in RESOURCES:
            setattr(initiative, name, values[name])
        for name in ("name", "summary", "target_state"):
            # Text equal but for surrounding spaces is kept as stored.
            if not same_text(getattr(initiative, name), values[name]):
                setattr(initiative, name, values[name])
        new = initiative.pk is None
        initiative.full_clean(validate_unique=False, validate_constraints=False)
        initiative.save()
        _write_departments(initiative, values["departments"], new=new)
        _write_year_plans(initiative, values, self.fiscal_years, new=new)
        return initiative


def _write_departments(initiative: Initiative, departments: list, *, new: bool) -> None:
    wanted = [d.pk for d in departments]
    if not new and wanted == [o.department_id for o in initiative.owners.all()]:
        return
    initiative.owners.all().delete()
    InitiativeDepartment.objects.bulk_create(
        InitiativeDepartment(initiative=initiative, department_id=pk, order=index)
        for index, pk in enumerate(wanted)
    )


def _write_year_plans(
    initiative: Initiative, values: dict, fiscal_years: dict[int, FiscalYear], *, new: bool
) -> None:
    old_plans = {} if new else {p.fiscal_year.year: p for p in initiative.year_plans.all()}
    for year, fiscal_year in fiscal_years.items():
        text = values[f"plan_{year}"]
        year_plan = old_plans.get(year)
        if year_plan is None:
            if text:
                YearPlan.objects.create(initiative=initiative, fiscal_year=fiscal_year, text=text)
        elif text and not same_text(year_plan.text, text):
            year_plan.text = text
            year_plan.save(update_fields=["text"])


def _reorder(plan: Plan, placed: list[tuple[Initiative, int]], positions: dict[int, int]) -> None:
    """Put new (and moved) initiatives after the row above them in the same direction.

    Everything else keeps its relative order; only rows whose order changes are written.
    """
    if not placed:
        return
    placed_ids = {initiative.pk for initiative, _p in placed}
    everyone = list(Initiative.objects.filter(plan=plan).order_by("order"))
    sequences: dict[int, list[Initiative]] = {d.pk: [] for d in directions_of(plan)}
    for initiative in everyone:
        if initiative.pk not in placed_ids:
            sequences.setdefault(initiative.direction_id, []).append(initiative)
    for initiative, position in sorted(placed, key=lambda item: item[1]):
        sequence = sequences.setdefault(initiative.direction_id, [])
        sequence.insert(_slot(sequence, position, positions), initiative)
    final = [i for sequence in sequences.values() for i in sequence]
    moves = {i.pk: index for index, i in enumerate(final, start=1) if i.order != index}
    current = {i.pk: i.order for i in everyone}
    for pk in moves:
        Initiative.objects.filter(pk=pk).update(order=current[pk] + _PARK)
    for pk, order in moves.items():
        Initiative.objects.filter(pk=pk).update(order=order)


def _slot(sequence: list[Initiative], position: int, positions: dict[int, int]) -> int:
    """Where the row at `position` of the sheet goes in its direction's `sequence`: after
    the nearest row above it in the sheet, else before the nearest row below, else last."""
    before = [i for i in sequence if positions.get(i.pk, -1) < position and i.pk in positions]
    if before:
        return sequence.index(max(before, key=lambda i: positions[i.pk])) + 1
    after = [i for i in sequence if positions.get(i.pk, -1) > position]
    if after:
        return sequence.index(min(after, key=lambda i: positions[i.pk]))
    return len(sequence)


def _write_indicator(
    initiative: Initiative, report: RowReport, fiscal_years: dict[int, FiscalYear]
) -> None:
    values = report.values
    indicator = initiative.indicators.filter(name=values["name"]).first()
    if indicator is None:
        last = initiative.indicators.order_by("-order").values_list("order", flat=True).first()
        indicator = Indicator(
            initiative=initiative, name=values["name"], order=0 if last is None else last + 1
        )
    for name in ("unit", "comparison", "benchmark"):
        if getattr(indicator, name).strip() != values[name]:
            setattr(indicator, name, values[name])
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    indicator.save()
    planned = set(initiative.year_plans.values_list("fiscal_year__year", flat=True))
    targets = {t.fiscal_year.year: t for t in indicator.targets.select_related("fiscal_year")}
    for year, fiscal_year in fiscal_years.items():
        value = values[f"target_{year}"]
        target = targets.get(year)
        if target is None:
            # New indicators get a target (maybe empty) in every planned year, as the plan's
            # data does; existing ones only where a value is written.
            if value is not None or (report.new and year in planned):
                Target.objects.create(indicator=indicator, fiscal_year=fiscal_year, value=value)
        elif target.value != value:
            target.value = value
            target.save(update_fields=["value"])
