"""Reads for the results workflow: entry screen, HQ overview, history and reminders.

The history's submitted-vs-approved difference is `textdiff.text_diff` (bounded in time).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from initiatives.models import (
    Actual,
    Department,
    EvaluationPeriod,
    FiscalYear,
    Indicator,
    Initiative,
    Policy,
    Result,
    Target,
    WorkflowEvent,
    YearPlan,
)
from initiatives.plan.organisation import Succession, annotate_owners, group_by_responsible
from initiatives.results import transitions
from initiatives.results.textdiff import TextDiff, text_diff
from initiatives.vocabulary import State, number_text


def today() -> datetime.date:
    return timezone.localdate()


def period_of(*, fiscal_year: FiscalYear) -> EvaluationPeriod | None:
    return EvaluationPeriod.objects.filter(fiscal_year=fiscal_year).first()


def open_periods() -> list[EvaluationPeriod]:
    """Periods open for entry, the latest fiscal year first."""
    return list(
        EvaluationPeriod.objects.filter(closed_at__isnull=True)
        .select_related("fiscal_year")
        .order_by("-fiscal_year__year")
    )


def days_left(period: EvaluationPeriod, *, on: datetime.date | None = None) -> int:
    """Days until the deadline: 0 on the day itself, negative once it has passed."""
    return (period.deadline - (on or today())).days


def deadline_text(period: EvaluationPeriod, *, on: datetime.date | None = None) -> str:
    days = days_left(period, on=on)
    if not period.is_open:
        return "受付は終了しました"
    if days > 0:
        return f"締切まであと{days}日"
    if days == 0:
        return "本日が締切です"
    return f"締切を{-days}日過ぎています"


@dataclass
class IndicatorRow:
    """One indicator on the entry screen: its target this year and the entered value."""

    indicator: Indicator
    has_target_row: bool
    target: Decimal | None
    actual: Decimal | None
    previous_actual: Decimal | None

    @property
    def required(self) -> bool:
        return self.target is not None


@dataclass
class EntryContext:
    """What the entry screen shows beside the form, read-only."""

    period: EvaluationPeriod | None
    year_plan: str
    previous: Result | None
    indicators: list[IndicatorRow]


def entry_context(*, result: Result) -> EntryContext:
    year = result.fiscal_year.year
    plan = YearPlan.objects.filter(
        initiative=result.initiative_id, fiscal_year=result.fiscal_year_id
    ).first()
    previous = (
        Result.objects.filter(initiative=result.initiative_id, fiscal_year__year=year - 1)
        .select_related("fiscal_year")
        .first()
    )
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            indicator__initiative=result.initiative_id, fiscal_year=result.fiscal_year_id
        )
    }
    actuals = current_actuals(result)
    previous_actuals = (
        dict(previous.actuals.values_list("indicator_id", "published_value")) if previous else {}
    )
    rows = [
        IndicatorRow(
            indicator=indicator,
            has_target_row=indicator.pk in targets,
            target=targets[indicator.pk].value if indicator.pk in targets else None,
            actual=actuals.get(indicator.pk),
            previous_actual=previous_actuals.get(indicator.pk),
        )
        for indicator in Indicator.objects.filter(initiative=result.initiative_id).order_by("order")
    ]
    return EntryContext(
        period=period_of(fiscal_year=result.fiscal_year),
        year_plan=plan.text if plan else "",
        previous=previous,
        indicators=rows,
    )


def unsubmitted_by_department(*, period: EvaluationPeriod) -> list[tuple[Department, list[Result]]]:
    """Departments with results of the period not yet submitted (未入力・入力中・差戻し)."""
    results = (
        Result.objects.filter(
            fiscal_year=period.fiscal_year_id, state__in=transitions.editable_states()
        )
        .select_related("initiative", "fiscal_year")
        .order_by("initiative__order")
    )
    # A reorganised department's reminders go to the department that took over its work.
    return group_by_responsible(results)


@dataclass
class CountRow:
    """Counts of results by state for one department or policy."""

    key: int
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(state, self.counts.get(state, 0)) for state in State]


@dataclass
class Overview:
    """HQ's overview of one fiscal year."""

    fiscal_year: FiscalYear
    period: EvaluationPeriod | None
    days_left: int | None
    totals: dict[str, int]
    departments: list[CountRow]
    policies: list[CountRow]
    returned: list[Result]
    overdue: list[Result]
    submitted: list[Result] = field(default_factory=list)

    def total_cells(self) -> list[tuple[str, int]]:
        return [(state, self.totals.get(state, 0)) for state in State]


def overview(*, fiscal_year: FiscalYear, on: datetime.date | None = None) -> Overview:
    period = period_of(fiscal_year=fiscal_year)
    results = Result.objects.filter(fiscal_year=fiscal_year)
    totals = Counter(
        dict(
            results.values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
            .order_by()
        )
    )
    # 担当課 of that year: the plan's departments followed through reorganisations.
    department_counts: dict[int, Counter] = defaultdict(Counter)
    by_initiative = list(results.values_list("initiative_id", "state").order_by())
    succession = Succession.load(initiative_ids={i for i, _state in by_initiative})
    for initiative_id, state in by_initiative:
        for department_id in succession.owners_in(initiative_id, fiscal_year.year):
            department_counts[department_id][state] += 1
    policy_counts: dict[int, Counter] = defaultdict(Counter)
    for policy_id, state, n in _grouped(results, "initiative__direction__measure__policy"):
        policy_counts[policy_id][state] += n
    departments = Department.objects.filter(pk__in=department_counts).order_by("name")
    policies = Policy.objects.filter(pk__in=policy_counts).order_by("number")
    listed = results.select_related("initiative", "fiscal_year").order_by("initiative__order")
    remaining = None if period is None else days_left(period, on=on)
    overdue = (
        list(listed.filter(state__in=transitions.editable_states()))
        if period is not None and remaining is not None and remaining < 0
        else []
    )
    return Overview(
        fiscal_year=fiscal_year,
        period=period,
        days_left=remaining,
        totals=dict(totals),
        departments=[
            CountRow(key=d.pk, label=d.name, counts=dict(department_counts[d.pk]))
            for d in departments
        ],
        policies=[
            CountRow(key=p.pk, label=str(p), counts=dict(policy_counts[p.pk])) for p in policies
        ],
        returned=_with_owners(listed.filter(state=Result.State.RETURNED)),
        overdue=_with_owners(overdue),
        submitted=_with_owners(listed.filter(state=Result.State.SUBMITTED)),
    )


def _with_owners(results) -> list[Result]:
    results = list(results)
    annotate_owners(results)
    return results


def _grouped(results, key: str) -> list[tuple[int, str, int]]:
    return list(
        results.values_list(key, "state")
        .annotate(n=Count("pk", distinct=True))
        .values_list(key, "state", "n")
        .order_by()
    )


@dataclass
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    """One recorded change of a result (simple-history), with the fields that changed."""

    when: datetime.datetime
    who: str
    reason: str
    changes: list[FieldChange]


@dataclass
class ReviewDiff:
    """The submitted text beside the text HQ approved."""

    submitted: WorkflowEvent
    approved: WorkflowEvent
    diff: TextDiff


@dataclass
class YearHistory:
    result: Result
    events: list[WorkflowEvent]
    changes: list[HistoryEntry]
    reviews: list[ReviewDiff]


_TRACKED_FIELDS = {
    "status": "達成状況",
    "text": "実施結果",
    "note": "確定時期",
    "state": "入力状況",
    "published_status": "公開中の達成状況",
    "published_text": "公開中の実施結果",
    "published_note": "公開中の確定時期",
}


def _display(field_name: str, value) -> str:
    if value in (None, ""):
        return "（なし）"
    if field_name in ("status", "published_status"):
        return Result.Status(value).label
    if field_name == "state":
        return Result.State(value).label
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _field_changes(result: Result) -> list[HistoryEntry]:
    records = list(result.history.select_related("history_user").order_by("history_date"))
    actual_records = list(
        Actual.history.filter(result_id=result.pk)
        .select_related("history_user")
        .order_by("history_date")
    )
    indicator_names = dict(
        Indicator.objects.filter(initiative=result.initiative_id).values_list("pk", "name")
    )
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes = []
        for name, label in _TRACKED_FIELDS.items():
            before = getattr(previous, name) if previous else None
            after = getattr(record, name)
            if previous is None and after in ("", None):
                continue
            if before != after:
                changes.append(FieldChange(label, _display(name, before), _display(name, after)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "（取込）",
                reason=record.history_change_reason
                or ("作成" if record.history_type == "+" else "更新"),
                changes=changes,
            )
        )
        previous = record
    last_value: dict[int, Decimal | None] = {}
    for record in actual_records:
        before = last_value.get(record.indicator_id)
        last_value[record.indicator_id] = record.value
        if before == record.value and record.history_type != "+":
            continue
        label = f"実績値（{indicator_names.get(record.indicator_id, '指標')}）"
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "（取込）",
                reason=record.history_change_reason or "実績値の入力",
                changes=[
                    FieldChange(label, _display("value", before), _display("value", record.value))
                ],
            )
        )
    entries.sort(key=lambda e: e.when)
    return [e for e in entries if e.changes]


def _review_diffs(events: list[WorkflowEvent]) -> list[ReviewDiff]:
    """For each approval, the first submission of that round against the approved text."""
    reviews = []
    first_submit: WorkflowEvent | None = None
    for event in events:
        if event.action == WorkflowEvent.Action.SUBMIT and first_submit is None:
            first_submit = event
        elif event.action == WorkflowEvent.Action.APPROVE and first_submit is not None:
            reviews.append(
                ReviewDiff(
                    submitted=first_submit,
                    approved=event,
                    diff=text_diff(first_submit.text, event.text),
                )
            )
            first_submit = None
        elif event.action == WorkflowEvent.Action.REOPEN:
            first_submit = None
    return reviews


def initiative_history(*, initiative: Initiative, results) -> list[YearHistory]:
    """Each fiscal year's workflow steps, field changes and submitted-vs-approved diffs."""
    histories = []
    for result in (
        results.filter(initiative=initiative)
        .select_related("fiscal_year")
        .order_by("fiscal_year__year")
    ):
        events = list(result.events.select_related("actor").order_by("created_at", "pk"))
        histories.append(
            YearHistory(
                result=result,
                events=events,
                changes=_field_changes(result),
                reviews=_review_diffs(events),
            )
        )
    return histories


def current_actuals(result: Result) -> dict[int, Decimal | None]:
    """Indicator id → the result's working actual value."""
    return dict(result.actuals.values_list("indicator_id", "value"))
