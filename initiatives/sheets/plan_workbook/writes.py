"""Writing a previewed plan import: initiatives with their departments and yearly plans,
their place in the order of their 取組の方向性, indicators with their targets, and the
admin history (LogEntry) of every initiative changed. Called inside the transaction of
`apply_plan_import`; never deletes anything. Rows are compared in memory against what was
read once for the whole plan and written in bulk: the number of queries does not grow
with the number of rows."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

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
from initiatives.plan.bulk import clean
from initiatives.sheets.plan_workbook.columns import RESOURCES, plan_years, same_text
from initiatives.sheets.plan_workbook.report import RowReport
from initiatives.sheets.plan_workbook.resources import directions_of, initiatives_of

# Orders are unique within a plan: rows being moved are parked above every real order.
_PARK = 1_000_000


_INITIATIVE_FIELDS = [
    "direction",
    "numeric_target",
    "related_plans",
    "name",
    "summary",
    "target_state",
    *(name for name, _label in RESOURCES),
]


class PlanWriter:
    """Writes the changed rows of one preview and remembers what it wrote, for the history."""

    def __init__(self, *, plan: Plan, revision: PlanRevision, source: str) -> None:
        self.plan = plan
        self.revision = revision
        self.source = source
        years = plan_years(plan)
        found = {fy.year: fy for fy in FiscalYear.objects.filter(year__in=years)}
        missing = [FiscalYear(year=year) for year in years if year not in found]
        if missing:
            FiscalYear.objects.bulk_create(missing)
            found = {fy.year: fy for fy in FiscalYear.objects.filter(year__in=years)}
        self.fiscal_years = {year: found[year] for year in years}
        self.existing = {i.code.upper(): i for i in initiatives_of(plan)}
        self.created: list[str] = []
        self.changed: list[str] = []
        self.indicators_created = 0
        self.indicators_changed = 0
        self.log: list[tuple[Initiative, int, str]] = []

    def write_initiatives(self, rows: list[RowReport]) -> None:
        placed, new, changed, written = [], [], [], []
        fields: set[str] = set()
        for position, report in enumerate(rows):
            if not report.changed:
                continue
            initiative = self.existing.get(report.key)
            moved = (
                initiative is not None and initiative.direction_id != report.values["direction"].pk
            )
            if initiative is None:
                # A temporary order out of the way; `_reorder` puts it in its place.
                initiative = Initiative(
                    plan=self.plan,
                    code=report.values["code"],
                    order=2 * _PARK + position,
                    added_in=self.revision,
                )
                new.append(initiative)
            else:
                changed.append(initiative)
            fields |= _set_initiative(initiative, report.values)
            written.append((initiative, report))
            if report.new or moved:
                placed.append((initiative, position))
        if fields:
            Initiative.objects.bulk_update(changed, [f for f in _INITIATIVE_FIELDS if f in fields])
        Initiative.objects.bulk_create(new)
        _write_departments(written)
        _write_year_plans(written, self.fiscal_years)
        for initiative, report in written:
            self.existing[report.key] = initiative
            self._remember(initiative, report)
        positions = {
            self.existing[r.key].pk: position
            for position, r in enumerate(rows)
            if r.key in self.existing
        }
        _reorder(self.plan, placed, positions)

    def write_indicators(self, rows: list[RowReport]) -> None:
        changed_rows = [r for r in rows if r.changed]
        if not changed_rows:
            return
        initiatives = {r.values["code"]: self.existing[r.values["code"]] for r in changed_rows}
        ids = [i.pk for i in initiatives.values()]
        indicators = {
            (i.initiative_id, i.name): i for i in Indicator.objects.filter(initiative_id__in=ids)
        }
        last = {}
        for indicator in indicators.values():
            last[indicator.initiative_id] = max(
                last.get(indicator.initiative_id, -1), indicator.order
            )
        planned = set(
            YearPlan.objects.filter(initiative_id__in=ids).values_list(
                "initiative_id", "fiscal_year__year"
            )
        )
        new, changed, written = [], [], []
        fields: set[str] = set()
        for report in changed_rows:
            values = report.values
            initiative = initiatives[values["code"]]
            indicator = indicators.get((initiative.pk, values["name"]))
            if indicator is None:
                order = last.get(initiative.pk, -1) + 1
                last[initiative.pk] = order
                indicator = Indicator(initiative=initiative, name=values["name"], order=order)
                indicators[(initiative.pk, values["name"])] = indicator
                new.append(indicator)
                self.indicators_created += 1
            else:
                changed.append(indicator)
                self.indicators_changed += 1
            for name in ("unit", "comparison", "benchmark"):
                if getattr(indicator, name).strip() != values[name]:
                    setattr(indicator, name, values[name])
                    fields.add(name)
            clean(indicator)
            written.append((indicator, report))
            if not any(entry[0].pk == initiative.pk for entry in self.log):
                self.log.append((initiative, CHANGE, f"{self.source}: 指標を変更"))
        if fields:
            Indicator.objects.bulk_update(changed, sorted(fields))
        Indicator.objects.bulk_create(new)
        _write_targets(written, self.fiscal_years, planned)

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
        content_type = ContentType.objects.get_for_model(Initiative, for_concrete_model=False)
        LogEntry.objects.bulk_create(
            LogEntry(
                user_id=user.pk,
                content_type=content_type,
                object_id=str(initiative.pk),
                object_repr=str(initiative)[:200],
                action_flag=flag,
                change_message=message,
            )
            for initiative, flag, message in self.log
        )

    def _remember(self, initiative: Initiative, report: RowReport) -> None:
        if report.new:
            self.created.append(initiative.code)
            self.log.append((initiative, ADDITION, f"{self.source}で追加"))
        else:
            self.changed.append(initiative.code)
            columns = "、".join(dict.fromkeys(c.column for c in report.changes))
            self.log.append((initiative, CHANGE, f"{self.source}: {columns} を変更"))


def _set_initiative(initiative: Initiative, values: dict) -> set[str]:
    """Set the row's values; returns the fields that changed (bulk_update writes only
    those: each field costs a CASE over every row)."""
    changed = set()
    for name in ("direction", "numeric_target", "related_plans", *(n for n, _l in RESOURCES)):
        old = initiative.direction_id if name == "direction" else getattr(initiative, name)
        new = values[name].pk if name == "direction" else values[name]
        if old != new:
            setattr(initiative, name, values[name])
            changed.add(name)
    for name in ("name", "summary", "target_state"):
        # Text equal but for surrounding spaces is kept as stored.
        if not same_text(getattr(initiative, name), values[name]):
            setattr(initiative, name, values[name])
            changed.add(name)
    clean(initiative)
    return changed


def _write_departments(written: list[tuple[Initiative, RowReport]]) -> None:
    rewrite = {}
    for initiative, report in written:
        wanted = [d.pk for d in report.values["departments"]]
        if report.new or wanted != [o.department_id for o in initiative.owners.all()]:
            rewrite[initiative.pk] = wanted
    if not rewrite:
        return
    InitiativeDepartment.objects.filter(initiative_id__in=list(rewrite)).delete()
    InitiativeDepartment.objects.bulk_create(
        InitiativeDepartment(initiative_id=pk, department_id=department, order=index)
        for pk, wanted in rewrite.items()
        for index, department in enumerate(wanted)
    )


def _write_year_plans(
    written: list[tuple[Initiative, RowReport]], fiscal_years: dict[int, FiscalYear]
) -> None:
    new, changed = [], []
    for initiative, report in written:
        old_plans = (
            {} if report.new else {p.fiscal_year.year: p for p in initiative.year_plans.all()}
        )
        for year, fiscal_year in fiscal_years.items():
            text = report.values[f"plan_{year}"]
            year_plan = old_plans.get(year)
            if year_plan is None:
                if text:
                    new.append(YearPlan(initiative=initiative, fiscal_year=fiscal_year, text=text))
            elif text and not same_text(year_plan.text, text):
                year_plan.text = text
                changed.append(year_plan)
    YearPlan.objects.bulk_update(changed, ["text"])
    YearPlan.objects.bulk_create(new)


def _reorder(plan: Plan, placed: list[tuple[Initiative, int]], positions: dict[int, int]) -> None:
    """Put new (and moved) initiatives after the row above them in the same direction.

    Everything else keeps its relative order; only rows whose order changes are written.
    """
    if not placed:
        return
    placed_ids = {initiative.pk for initiative, _p in placed}
    everyone = list(
        Initiative.objects.filter(plan=plan).order_by("order").only("pk", "order", "direction")
    )
    sequences: dict[int, list[Initiative]] = {d.pk: [] for d in directions_of(plan)}
    for initiative in everyone:
        if initiative.pk not in placed_ids:
            sequences.setdefault(initiative.direction_id, []).append(initiative)
    by_pk = {i.pk: i for i in everyone}
    for initiative, position in sorted(placed, key=lambda item: item[1]):
        sequence = sequences.setdefault(initiative.direction_id, [])
        sequence.insert(_slot(sequence, position, positions), by_pk[initiative.pk])
    final = [i for sequence in sequences.values() for i in sequence]
    moved = [i for index, i in enumerate(final, start=1) if i.order != index]
    for index, initiative in enumerate(final, start=1):
        initiative.order = index
    Initiative.objects.filter(pk__in=[i.pk for i in moved]).update(order=F("order") + _PARK)
    Initiative.objects.bulk_update(moved, ["order"])


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


def _write_targets(
    written: list[tuple[Indicator, RowReport]],
    fiscal_years: dict[int, FiscalYear],
    planned: set[tuple[int, int]],
) -> None:
    existing = {
        (t.indicator_id, t.fiscal_year.year): t
        for t in Target.objects.filter(indicator_id__in=[i.pk for i, _r in written]).select_related(
            "fiscal_year"
        )
    }
    new, changed = [], []
    for indicator, report in written:
        for year, fiscal_year in fiscal_years.items():
            value = report.values[f"target_{year}"]
            target = existing.get((indicator.pk, year))
            if target is None:
                # New indicators get a target (maybe empty) in every planned year, as the
                # plan's data does; existing ones only where a value is written.
                if value is not None or (report.new and (indicator.initiative_id, year) in planned):
                    new.append(Target(indicator=indicator, fiscal_year=fiscal_year, value=value))
            elif target.value != value:
                target.value = value
                changed.append(target)
    Target.objects.bulk_update(changed, ["value"])
    Target.objects.bulk_create(new)
