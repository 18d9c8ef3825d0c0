"""The results workflow's writes: each step of a result, publication and entry periods.

Every step goes through `_begin` (a row lock, the version check, who may take it, the
transition table's row) and `_finish` (the new state, simple-history's record, a
WorkflowEvent, the step's mail into the outbox, sent after commit); `results.transitions`
says which steps exist.
The public copy (published_*) changes only in `publish_year`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
from initiatives.plan.archive import refuse_if_closed
from initiatives.plan.organisation import reporting_department
from initiatives.plan.selectors import plan_of_year
from initiatives.publication.models import Edition
from initiatives.publication.services import record_edition
from initiatives.results import checks, consistency, limits, notifications, transitions
from initiatives.results.checks import Code, Severity
from initiatives.results.decisions import decision_month_of
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import unsubmitted_by_department
from initiatives.results.transitions import Role, Step, Transition
from initiatives.roles import department_ids
from initiatives.vocabulary import NONE, number_text, status_label


class StaleResultError(Exception):
    """Someone else saved the result after this user opened it."""

    def __init__(self, result: Result | None, message: str = "") -> None:
        self.result = result
        if not message and result is not None:
            who = result.updated_by.get_username() if result.updated_by else "他の人"
            when = timezone.localtime(result.updated_at).strftime("%m月%d日 %H:%M")
            message = (
                f"この実施結果は、あなたが画面を開いた後に {who} さんが更新しました（{when}）。"
                "上書きを防ぐため保存していません。入力した内容は画面に残っています。"
                "別のタブで最新の内容を確認し、必要ならこの画面を開き直して入力し直してください。"
            )
        super().__init__(message)


def seen_versions(results) -> str:
    """The results a confirmation screen lists, as "id:version,…" for its form."""
    return ",".join(f"{r.pk}:{r.version}" for r in results)


def parse_seen_versions(raw: str | None) -> dict[int, int] | None:
    """The form's "id:version,…" back as a dict; None when the form sent none (no check).
    An unreadable value gives a dict no state matches: the step is refused, not unchecked."""
    if raw is None:
        return None
    seen: dict[int, int] = {}
    for item in filter(None, raw.split(",")):
        pk, _sep, version = item.partition(":")
        if not (pk.isascii() and pk.isdigit() and version.isascii() and version.isdigit()):
            return {-1: -1}
        seen[int(pk)] = int(version)
    return seen


def _lock(result: Result, version: int | None) -> Result:
    """Re-read the result under a row lock and refuse it if it changed since `version`."""
    locked = (
        Result.objects.select_for_update(of=("self",))
        .select_related("fiscal_year", "initiative__plan", "updated_by")
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


# HQ's steps need the right for what they do; a department's steps, the right to edit the row.
_HQ_PERMISSION = {
    Step.RETURN: Action.REVIEW,
    Step.APPROVE: Action.REVIEW,
    Step.PUBLISH: Action.PUBLISH,
    Step.REOPEN: Action.REOPEN,
}


def _permission(step: Step) -> Action:
    """The permission `step` needs, from the role the transition table gives it."""
    if transitions.role_of(step) is Role.DEPARTMENT:
        return Action.REPORT_DECISION if step is Step.REPORT_DECISION else Action.EDIT
    return _HQ_PERMISSION[step]


def _begin(result: Result, *, step: Step, user, version: int | None, comment: str = "") -> tuple:
    """Lock the row, check its version, who may take `step` and the table's row.

    The version is checked before the step's permission: when two requests race (a double
    click on 提出する, approve against return), the second one waits for the row lock and then
    finds a newer version. It must hear that someone else changed the result (409, typed input
    kept), not that it may no longer edit it (403). Only a user who may see the result learns
    that it changed.
    """
    check(user, result, Action.VIEW)
    result = _lock(result, version)
    _refuse_on_closed_plan(result, step=step, comment=comment)
    check(user, result, _permission(step))
    row = transitions.transition(result.state, step)
    limits.check_text(comment=comment)
    if row.comment_required and not comment.strip():
        raise ValidationError({"comment": "差戻しの理由（コメント）を入力してください。"})
    return result, row


# How the history and the step's comment mark a correction made after the plan was closed.
CLOSED_CORRECTION = "終了後の訂正"


def _refuse_on_closed_plan(result: Result, *, step: Step, comment: str) -> None:
    """A closed plan takes no step, except on a result that was published: HQ reopens it to
    correct it (with its reason, which the step records), and the correction then goes the
    usual way (entry, submission, approval, publication with its PublicCorrection rows)."""
    plan = result.initiative.plan
    refuse_if_closed(plan, correction=result.published_at is not None)
    if plan.is_closed and step is Step.REOPEN and not comment.strip():
        raise ValidationError(
            {"comment": "終了したプランの訂正には、理由（コメント）を入力してください。"}
        )


def _finish(result: Result, row: Transition, *, user, comment: str = "") -> Result:
    """Move the result along the table's row, record the step and queue its mail."""
    from_state = result.state
    result.state = row.target
    if transitions.role_of(row.step) is Role.DEPARTMENT:
        # The result keeps the department that reported it, whatever happens to it later.
        result.reported_by_department_id = reporting_department(
            department_ids(user), result.initiative_id, result.fiscal_year.year
        )
    _save(result, user=user, reason=row.reason)
    event = WorkflowEvent(
        result=result,
        action=row.step,
        from_state=from_state,
        to_state=result.state,
        comment=comment,
        status=result.status,
        text=result.text,
        actor=user,
    )
    event.full_clean()
    event.save()
    if row.mail:
        notifications.queue_step_mail(row.mail, result, comment, event=event)
    return result


def targets_for(result: Result) -> dict[int, Decimal | None]:
    """Indicator id → the target value of the result's fiscal year (only indicators with one)."""
    return dict(
        Target.objects.filter(
            indicator__initiative=result.initiative_id, fiscal_year=result.fiscal_year_id
        ).values_list("indicator_id", "value")
    )


def _submit_errors(result: Result) -> dict:
    """What stops a result from being submitted, keyed by the entry form's fields: the
    status and text it must hold, then the consistency checks (`results.checks`, the one
    rule set): their errors always, their warnings unless a one-line reason was given."""
    errors: dict[str, list[str]] = {}
    if not result.status:
        errors["status"] = ["達成状況（達成・未達成・未確定）を選んでください。"]
    if not result.text.strip():
        errors["text"] = ["実施結果を入力してください。"]
    indicator_ids = dict(
        Indicator.objects.filter(initiative=result.initiative_id).values_list("name", "pk")
    )
    warnings = []
    for finding in consistency.result_findings(result):
        if finding.code is Code.MISSING_ACTUAL:
            field = f"actual_{indicator_ids[finding.indicator]}"
            message = "この年度は目標値があるので、実績値を入力してください。"
            errors.setdefault(field, []).append(message)
        elif finding.code is Code.UNDETERMINED_WITHOUT_NOTE:
            errors.setdefault("note", []).append(finding.message)
        elif finding.severity is Severity.ERROR:
            errors.setdefault(NON_FIELD_ERRORS, []).append(finding.message)
        else:
            warnings.append(finding.message)
    if warnings and not result.consistency_reason:
        errors["consistency_reason"] = [
            *warnings,
            "このまま提出するときは、理由を一行で入力してください（公開時に表示されます）。",
        ]
    elif not warnings:
        result.consistency_reason = ""  # nothing to explain any more
    return errors


def _refuse_note_errors(status: str, note: str) -> None:
    """Refuse, already when saving, what the checks call absolute about the status itself."""
    for finding in checks.findings(status=status, note=note, figures=[]):
        if finding.code is Code.UNDETERMINED_WITHOUT_NOTE:
            raise ValidationError({"note": finding.message})


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
    reason: str = "",
    comment: str = "",
    consistency_reason: str | None = None,
    expected_decision_month: datetime.date | None = None,
) -> Result:
    """Save the department's entry (一時保存); 未入力 becomes 入力中, 差戻し stays 差戻し.

    `reason` replaces the history's change reason (e.g. ファイルから取り込み: 実施結果.xlsx) and
    `comment` is the workflow event's comment. `consistency_reason` (None: keep) is the
    one-line reason for the checks' warnings; `expected_decision_month` (None: keep, or read
    it from the 確定時期 text) is the 確定予定月 of a 未確定 result."""
    result, row = _begin(result, step=Step.SAVE, user=user, version=version)
    limits.check_text(text=text, note=note)
    _refuse_note_errors(status, note)
    result.status, result.text, result.note = status, text, note
    if consistency_reason is not None:
        result.consistency_reason = consistency.clean_reason(consistency_reason)
    if status != Result.Status.UNDETERMINED:
        result.expected_decision_month = None
    elif expected_decision_month is not None:
        result.expected_decision_month = consistency.month_start(expected_decision_month)
    elif not result.expected_decision_month:
        result.expected_decision_month = decision_month_of(note)
    if reason:
        row = replace(row, reason=reason)
    _write_actuals(result, actuals, user=user, reason=row.reason)
    return _finish(result, row, user=user, comment=comment)


@transaction.atomic
def submit_result(
    *, result: Result, user, version: int, consistency_reason: str | None = None
) -> Result:
    """Submit the saved entry to HQ (提出); it becomes read-only to the department.

    The checks' errors refuse it; their warnings refuse it unless `consistency_reason` (or
    the reason already saved) explains them — the reason is kept on the result, in its
    history and in the step's comment."""
    result, row = _begin(result, step=Step.SUBMIT, user=user, version=version)
    if consistency_reason is not None:
        result.consistency_reason = consistency.clean_reason(consistency_reason)
    errors = _submit_errors(result)
    if errors:
        raise ValidationError(errors)
    comment = f"確認事項の理由: {result.consistency_reason}" if result.consistency_reason else ""
    return _finish(result, row, user=user, comment=comment)


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
    consistency_reason: str | None = None,
    expected_decision_month: datetime.date | None = None,
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
        consistency_reason=consistency_reason,
        expected_decision_month=expected_decision_month,
    )
    return submit_result(result=saved, user=user, version=saved.version)


@transaction.atomic
def return_result(*, result: Result, user, version: int, comment: str) -> Result:
    """HQ sends a submitted (or approved) result back to the department with a comment."""
    result, row = _begin(result, step=Step.RETURN, user=user, version=version, comment=comment)
    return _finish(result, row, user=user, comment=comment)


@transaction.atomic
def approve_result(*, result: Result, user, version: int, comment: str = "") -> Result:
    """HQ approves a submitted result (承認); it is published with its fiscal year."""
    result, row = _begin(result, step=Step.APPROVE, user=user, version=version)
    return _finish(result, row, user=user, comment=comment)


@transaction.atomic
def reopen_result(*, result: Result, user, version: int, comment: str = "") -> Result:
    """HQ reopens one published result for correction; the public keeps the published copy."""
    result, row = _begin(result, step=Step.REOPEN, user=user, version=version, comment=comment)
    if result.initiative.plan.is_closed:
        row = replace(row, reason=f"{row.reason}（{CLOSED_CORRECTION}）")
        comment = f"{CLOSED_CORRECTION}: {comment}"
    return _finish(result, row, user=user, comment=comment)


@transaction.atomic
def report_decision(*, result: Result, user, version: int, comment: str = "") -> Result:
    """The department starts 「確定結果を報告する」 on its published 未確定 result: it can enter
    the final status and submit it; the public keeps the published copy until HQ approves
    and publishes it (listed then as a correction)."""
    result, row = _begin(result, step=Step.REPORT_DECISION, user=user, version=version)
    return _finish(result, row, user=user, comment=comment)


def _number_text(value: Decimal | None) -> str:
    return NONE if value is None else number_text(value)


@dataclass
class PublishSummary:
    """What publishing a fiscal year did."""

    published: int
    corrected: int
    edition: Edition | None = None


@transaction.atomic
def publish_year(
    *, fiscal_year: FiscalYear, user, seen: dict[int, int] | None = None
) -> PublishSummary:
    """Publish every approved result of the year: the working copy becomes the public copy.

    A result that was public before gets a PublicCorrection row per changed field. `seen`
    (result id → version, as the confirmation screen listed them) refuses the whole step with
    StaleResultError when the approved results changed since: HQ publishes what it confirmed.
    """
    check(user, None, Action.PUBLISH)
    now = timezone.now()
    summary = PublishSummary(published=0, corrected=0)
    added = 0
    results = list(
        Result.objects.select_for_update(of=("self",))
        .filter(fiscal_year=fiscal_year, state__in=transitions.sources(Step.PUBLISH))
        .select_related("fiscal_year", "initiative")
        .order_by("pk")
    )
    # On a closed plan only corrections of already published results may be published.
    refuse_if_closed(
        plan_of_year(fiscal_year.year), correction=all(r.published_at for r in results)
    )
    if seen is not None and {r.pk: r.version for r in results} != seen:
        raise StaleResultError(
            None,
            "確認画面を開いた後に、承認済の実施結果が変わりました（承認・差戻し・再開など）。"
            "何も公開していません。下の一覧を確かめてから、もう一度「公開する」を押してください。",
        )
    for result in results:
        actuals = list(result.actuals.select_related("indicator"))
        if result.is_published:
            changes = [
                (
                    "達成状況",
                    status_label(result.published_status, empty="（なし）"),
                    status_label(result.status, empty="（なし）"),
                ),
                ("実施結果", result.published_text, result.text),
                ("確定時期", result.published_note, result.note),
                (
                    "確認事項の理由",
                    result.published_consistency_reason,
                    result.consistency_reason,
                ),
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
        else:
            added += 1
        for actual in actuals:
            if actual.published_value != actual.value:
                actual.published_value = actual.value
                actual._history_user = user
                actual.save()
        result.published_status = result.status
        result.published_text = result.text
        result.published_note = result.note
        result.published_consistency_reason = result.consistency_reason
        result.published_at = now
        _finish(result, transitions.transition(result.state, Step.PUBLISH), user=user)
        summary.published += 1
    if summary.published:
        summary.edition = record_edition(
            fiscal_year=fiscal_year,
            published_at=now,
            user=user,
            added=added,
            corrected=summary.corrected,
        )
    return summary


@transaction.atomic
def open_period(*, fiscal_year: FiscalYear, deadline: datetime.date, user) -> EvaluationPeriod:
    """Open (or reopen) a fiscal year for entry and create its missing 未入力 results."""
    check(user, None, Action.MANAGE_PERIODS)
    refuse_if_closed(plan_of_year(fiscal_year.year))
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
    refuse_if_closed(plan_of_year(period.fiscal_year.year))
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


@dataclass
class BulkOutcome:
    """What a bulk step did: the results it was taken on, and those it refused, with why."""

    done: list[Result]
    refused: list[tuple[Result, str]]


_BULK_STEPS = {Step.SUBMIT: submit_result, Step.APPROVE: approve_result}


@transaction.atomic
def take_step_in_bulk(
    *, step: Step, user, results: list[Result], seen: dict[int, int] | None
) -> BulkOutcome:
    """Take `step` on the results a confirmation page listed, in one transaction.

    `seen` (result id → version, as listed) must match: when any listed result changed or
    left the selection meanwhile, StaleResultError and nothing is done — HQ applies what it
    saw. A result the step's own rules refuse (e.g. a submission that misses a required
    value) is left as it is and reported; the others go ahead."""
    service = _BULK_STEPS[Step(step)]
    by_pk = {r.pk: r for r in results}
    if seen is None or set(seen) - set(by_pk) or any(seen[pk] != by_pk[pk].version for pk in seen):
        raise StaleResultError(
            None,
            "確認画面を開いた後に、選んだ実施結果が変わりました（ほかの人の承認・差戻しなど）。"
            "何もしていません。もう一度確認画面を開いてください。",
        )
    outcome = BulkOutcome(done=[], refused=[])
    for pk, version in seen.items():
        result = by_pk[pk]
        try:
            with transaction.atomic():
                outcome.done.append(service(result=result, user=user, version=version))
        except ValidationError as error:
            outcome.refused.append((result, "、".join(error.messages)))
    return outcome
