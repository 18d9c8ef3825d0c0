"""The results workflow: entry periods and each step of a result, as atomic services.

未入力 → 入力中 → 提出済 → 差戻し (comment) or 承認済 → 公開; a published result can be
reopened for correction. Every step checks permissions, refuses a stale version
(optimistic locking), writes a WorkflowEvent and leaves simple-history's record of the
field changes. The public copy (published_*) changes only in `publish_year`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.models import (
    Actual,
    EvaluationPeriod,
    FiscalYear,
    Indicator,
    Initiative,
    PublicCorrection,
    Result,
    Target,
    WorkflowEvent,
)
from initiatives.plan.interchange import decimal_text
from initiatives.results import notifications
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import current_actuals, unsubmitted_by_department


class StaleResultError(Exception):
    """Someone else saved the result after this user opened it."""

    def __init__(self, result: Result) -> None:
        self.result = result
        who = result.updated_by.get_username() if result.updated_by else "他の人"
        when = timezone.localtime(result.updated_at).strftime("%m月%d日 %H:%M")
        super().__init__(
            f"この実施結果は、あなたが画面を開いた後に {who} さんが更新しました（{when}）。"
            "上書きを防ぐため保存していません。入力した内容は画面に残っています。"
            "別のタブで最新の内容を確認し、必要ならこの画面を開き直して入力し直してください。"
        )


def _lock(result: Result, version: int | None) -> Result:
    """Re-read the result under a row lock and refuse it if it changed since `version`."""
    locked = (
        Result.objects.select_for_update(of=("self",))
        .select_related("fiscal_year", "initiative", "updated_by")
        .get(pk=result.pk)
    )
    if version is not None and locked.version != version:
        raise StaleResultError(locked)
    return locked


def _save(result: Result, *, user, reason: str) -> None:
    result.version += 1
    result.updated_by = user
    result._history_user = user
    result._change_reason = reason
    result.full_clean()
    result.save()


def _event(result: Result, *, user, action: str, from_state: str, comment: str = "") -> None:
    event = WorkflowEvent(
        result=result,
        action=action,
        from_state=from_state,
        to_state=result.state,
        comment=comment,
        status=result.status,
        text=result.text,
        actor=user,
    )
    event.full_clean()
    event.save()


def targets_for(result: Result) -> dict[int, Decimal | None]:
    """Indicator id → the target value of the result's fiscal year (only indicators with one)."""
    return dict(
        Target.objects.filter(
            indicator__initiative=result.initiative_id, fiscal_year=result.fiscal_year_id
        ).values_list("indicator_id", "value")
    )


def _completeness_errors(result: Result, actuals: dict[int, Decimal | None]) -> dict:
    """What a result must hold before it is submitted, keyed by the entry form's fields."""
    errors: dict[str, str] = {}
    if not result.status:
        errors["status"] = "達成状況（達成・未達成・未確定）を選んでください。"
    if not result.text.strip():
        errors["text"] = "実施結果を入力してください。"
    for indicator_id, target in targets_for(result).items():
        if target is not None and actuals.get(indicator_id) is None:
            errors[f"actual_{indicator_id}"] = (
                "この年度は目標値があるので、実績値を入力してください。"
            )
    return errors


def _require_note(status: str, note: str) -> None:
    if status == Result.Status.UNDETERMINED and not note.strip():
        raise ValidationError(
            {"note": "未確定のときは、いつ確定するか（確定時期）を入力してください。"}
        )


def _write_actuals(
    result: Result, actuals: dict[int, Decimal | None], *, user, reason: str | None = None
) -> None:
    indicators = {i.pk: i for i in Indicator.objects.filter(initiative=result.initiative_id)}
    unknown = set(actuals) - set(indicators)
    if unknown:
        raise ValidationError("この取組にない指標の実績値は保存できません。")
    existing = {a.indicator_id: a for a in result.actuals.all()}
    for indicator_id, value in actuals.items():
        actual = existing.get(indicator_id)
        if actual is None:
            if value is None:
                continue
            actual = Actual(result=result, indicator=indicators[indicator_id])
        elif actual.value == value:
            continue
        actual.value = value
        actual._history_user = user
        if reason:
            actual._change_reason = reason
        actual.full_clean(validate_constraints=False)
        actual.save()


@transaction.atomic
def save_draft(
    *,
    result: Result,
    user,
    version: int,
    status: str,
    text: str,
    note: str,
    actuals: dict[int, Decimal | None],
    reason: str = "一時保存",
    comment: str = "",
) -> Result:
    """Save the department's entry (一時保存); 未入力 becomes 入力中, 差戻し stays 差戻し.

    `reason` is the history's change reason (e.g. ファイルから取り込み: 実施結果.xlsx) and
    `comment` the workflow event's comment."""
    check(user, result, Action.EDIT)
    result = _lock(result, version)
    _require_note(status, note)
    from_state = result.state
    result.status, result.text, result.note = status, text, note
    if result.state == Result.State.NOT_STARTED:
        result.state = Result.State.DRAFT
    _write_actuals(result, actuals, user=user, reason=reason)
    _save(result, user=user, reason=reason)
    _event(
        result, user=user, action=WorkflowEvent.Action.SAVE, from_state=from_state, comment=comment
    )
    return result


@transaction.atomic
def submit_result(*, result: Result, user, version: int) -> Result:
    """Submit the saved entry to HQ (提出); it becomes read-only to the department."""
    check(user, result, Action.EDIT)
    result = _lock(result, version)
    if result.state == Result.State.NOT_STARTED:
        raise ValidationError("まだ何も入力されていません。入力してから提出してください。")
    errors = _completeness_errors(result, current_actuals(result))
    if errors:
        raise ValidationError(errors)
    _require_note(result.status, result.note)
    from_state = result.state
    result.state = Result.State.SUBMITTED
    _save(result, user=user, reason="提出")
    _event(result, user=user, action=WorkflowEvent.Action.SUBMIT, from_state=from_state)
    transaction.on_commit(lambda: notifications.notify_submitted(result))
    return result


@transaction.atomic
def save_and_submit(
    *,
    result: Result,
    user,
    version: int,
    status: str,
    text: str,
    note: str,
    actuals: dict[int, Decimal | None],
) -> Result:
    """Save the entry and submit it in one step; on any error nothing is saved."""
    saved = save_draft(
        result=result,
        user=user,
        version=version,
        status=status,
        text=text,
        note=note,
        actuals=actuals,
    )
    return submit_result(result=saved, user=user, version=saved.version)


def _move(result: Result, *, user, to_state: str, action: str, reason: str, comment: str) -> None:
    """Change a result's workflow state and record the step (who, from → to, comment)."""
    from_state = result.state
    result.state = to_state
    _save(result, user=user, reason=reason)
    _event(result, user=user, action=action, from_state=from_state, comment=comment)


@transaction.atomic
def return_result(*, result: Result, user, version: int, comment: str) -> Result:
    """HQ sends a submitted (or approved) result back to the department with a comment."""
    check(user, result, Action.REVIEW)
    result = _lock(result, version)
    if not comment.strip():
        raise ValidationError({"comment": "差戻しの理由（コメント）を入力してください。"})
    _move(
        result,
        user=user,
        to_state=Result.State.RETURNED,
        action=WorkflowEvent.Action.RETURN,
        reason="差戻し",
        comment=comment,
    )
    transaction.on_commit(lambda: notifications.notify_returned(result, comment))
    return result


@transaction.atomic
def approve_result(*, result: Result, user, version: int, comment: str = "") -> Result:
    """HQ approves a submitted result (承認); it is published with its fiscal year."""
    check(user, result, Action.REVIEW)
    result = _lock(result, version)
    if result.state != Result.State.SUBMITTED:
        raise ValidationError("承認できるのは提出済の実施結果だけです。")
    _move(
        result,
        user=user,
        to_state=Result.State.APPROVED,
        action=WorkflowEvent.Action.APPROVE,
        reason="承認",
        comment=comment,
    )
    transaction.on_commit(lambda: notifications.notify_approved(result))
    return result


@transaction.atomic
def reopen_result(*, result: Result, user, version: int, comment: str = "") -> Result:
    """HQ reopens one published result for correction; the public keeps the published copy."""
    check(user, result, Action.REOPEN)
    result = _lock(result, version)
    from_state = result.state
    result.state = Result.State.DRAFT
    _save(result, user=user, reason="修正のため再開")
    _event(
        result,
        user=user,
        action=WorkflowEvent.Action.REOPEN,
        from_state=from_state,
        comment=comment,
    )
    return result


def _status_label(code: str) -> str:
    return Result.Status(code).label if code else "（なし）"


def _number_text(value: Decimal | None) -> str:
    return "（なし）" if value is None else decimal_text(value)


@dataclass
class PublishSummary:
    """What publishing a fiscal year did."""

    published: int
    corrected: int


@transaction.atomic
def publish_year(*, fiscal_year: FiscalYear, user) -> PublishSummary:
    """Publish every approved result of the year: the working copy becomes the public copy.

    A result that was public before gets a PublicCorrection row per changed field.
    """
    check(user, None, Action.PUBLISH)
    now = timezone.now()
    summary = PublishSummary(published=0, corrected=0)
    results = (
        Result.objects.select_for_update(of=("self",))
        .filter(fiscal_year=fiscal_year, state=Result.State.APPROVED)
        .select_related("fiscal_year", "initiative")
    )
    for result in results:
        actuals = list(result.actuals.select_related("indicator"))
        if result.is_published:
            changes = [
                ("達成状況", _status_label(result.published_status), _status_label(result.status)),
                ("実施結果", result.published_text, result.text),
                ("確定時期", result.published_note, result.note),
            ] + [
                (
                    f"実績値（{a.indicator.name}）",
                    _number_text(a.published_value),
                    _number_text(a.value),
                )
                for a in actuals
            ]
            changed = [(f, before, after) for f, before, after in changes if before != after]
            for field, before, after in changed:
                PublicCorrection.objects.create(
                    result=result, corrected_at=now, field=field, before=before, after=after
                )
            summary.corrected += bool(changed)
        for actual in actuals:
            if actual.published_value != actual.value:
                actual.published_value = actual.value
                actual._history_user = user
                actual.save()
        result.published_status = result.status
        result.published_text = result.text
        result.published_note = result.note
        result.published_at = now
        result.state = Result.State.PUBLISHED
        _save(result, user=user, reason="公開")
        _event(result, user=user, action=WorkflowEvent.Action.PUBLISH, from_state="approved")
        summary.published += 1
    return summary


@transaction.atomic
def open_period(*, fiscal_year: FiscalYear, deadline: datetime.date, user) -> EvaluationPeriod:
    """Open (or reopen) a fiscal year for entry and create its missing 未入力 results."""
    check(user, None, Action.MANAGE_PERIODS)
    period = EvaluationPeriod.objects.filter(fiscal_year=fiscal_year).first()
    if period is None:
        period = EvaluationPeriod(fiscal_year=fiscal_year, opened_at=timezone.now())
    period.deadline = deadline
    period.closed_at = None
    period.full_clean()
    period.save()
    create_entry_rows(fiscal_year=fiscal_year, user=user, reason="入力期間の開始")
    return period


def create_entry_rows(*, fiscal_year: FiscalYear, user, reason: str) -> list[Result]:
    """Give every initiative with a plan for the year its 未入力 result, if it has none yet.

    Runs when a year is opened, and when a plan revision adds initiatives to a year that is
    already open, so that their departments find them on the entry list.
    """
    missing = Initiative.objects.filter(year_plans__fiscal_year=fiscal_year).exclude(
        results__fiscal_year=fiscal_year
    )
    created = []
    for initiative in missing:
        result = Result(initiative=initiative, fiscal_year=fiscal_year)
        result._history_user = user
        result._change_reason = reason
        result.full_clean()
        result.save()
        created.append(result)
    return created


@transaction.atomic
def set_deadline(*, period: EvaluationPeriod, deadline: datetime.date, user) -> EvaluationPeriod:
    """Move a period's deadline (open or closed) without reopening it."""
    check(user, None, Action.MANAGE_PERIODS)
    period = EvaluationPeriod.objects.select_for_update().get(pk=period.pk)
    period.deadline = deadline
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def close_period(*, period: EvaluationPeriod, user) -> EvaluationPeriod:
    """Close a fiscal year's entry: department staff can no longer change its results."""
    check(user, None, Action.MANAGE_PERIODS)
    period = EvaluationPeriod.objects.select_for_update().get(pk=period.pk)
    if period.closed_at is None:
        period.closed_at = timezone.now()
        period.full_clean()
        period.save()
    return period


def send_deadline_reminders(*, today: datetime.date, days_before: int) -> list[str]:
    """Mail every department with unsubmitted results of an open period whose deadline is
    at most `days_before` days away (or past). Returns the departments' names; one with no
    address to send to is marked （宛先なし）."""
    reminded = []
    for period in EvaluationPeriod.objects.filter(closed_at__isnull=True).select_related(
        "fiscal_year"
    ):
        if (period.deadline - today).days > days_before:
            continue
        for department, results in unsubmitted_by_department(period=period):
            sent = notifications.notify_deadline(
                department=department, period=period, results=results, today=today
            )
            reminded.append(department.name if sent else f"{department.name}（宛先なし）")
    return reminded
