"""The responses workflow's writes: each step a department's response takes.

Every step goes through `_begin` (who may take it, a row lock, the version check, the
transition table's row) and `_finish` (the new state, simple-history's record, a
ResponseEvent, the step's mail after commit); `governance.transitions` says which steps
exist. The public copy (published_*) changes only in `publish_response`, which publishing
a meeting calls.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance import notifications, transitions
from governance.models import Assignment, Response, ResponseEvent
from governance.permissions import Action, check
from governance.transitions import Step, Transition
from governance.vocabulary import REASON_ERROR, REASON_REQUIRED, ResponseStatus


class StaleResponseError(Exception):
    """Someone else saved the response after this user opened it."""

    def __init__(self, response: Response) -> None:
        self.response = response
        who = response.updated_by.get_username() if response.updated_by else "他の人"
        when = timezone.localtime(response.updated_at).strftime("%m月%d日 %H:%M")
        super().__init__(
            f"この対応は、あなたが画面を開いた後に {who} さんが更新しました（{when}）。"
            "上書きを防ぐため保存していません。入力した内容は画面に残っています。"
            "別のタブで最新の内容を確認し、必要ならこの画面を開き直して入力し直してください。"
        )


# The permission each step needs (the table says which role takes it).
_PERMISSION = {
    Step.ASSIGN: Action.MANAGE,
    Step.SAVE: Action.ANSWER,
    Step.SUBMIT: Action.ANSWER,
    Step.RETURN: Action.REVIEW,
    Step.APPROVE: Action.REVIEW,
    Step.PUBLISH: Action.PUBLISH,
    Step.REOPEN: Action.REOPEN,
}


def _lock(response: Response, version: int | None) -> Response:
    """Re-read the response under a row lock and refuse it if it changed since `version`."""
    locked = (
        Response.objects.select_for_update(of=("self",))
        .select_related("assignment__opinion__meeting", "assignment__department", "updated_by")
        .get(pk=response.pk)
    )
    if version is not None and locked.version != version:
        raise StaleResponseError(locked)
    return locked


def _save(response: Response, *, user, reason: str) -> None:
    response.version += 1
    response.updated_by = user
    response._history_user = user
    response._change_reason = reason
    response.full_clean()
    response.save()


def _begin(
    response: Response, *, step: Step, user, version: int | None, comment: str = ""
) -> tuple[Response, Transition]:
    """Check who may take `step`, lock the row, check its version and the table's row."""
    check(user, response, _PERMISSION[step])
    response = _lock(response, version)
    row = transitions.transition(response.state, step)
    if row.comment_required and not comment.strip():
        raise ValidationError({"comment": "差戻しの理由（コメント）を入力してください。"})
    return response, row


def _finish(response: Response, row: Transition, *, user, comment: str = "") -> Response:
    """Move the response along the table's row, record the step and queue its mail."""
    from_state = response.state
    response.state = row.target
    _save(response, user=user, reason=row.reason)
    event = ResponseEvent(
        response=response,
        action=row.step,
        from_state=from_state,
        to_state=response.state,
        comment=comment,
        status=response.status,
        text=response.text,
        actor=user,
    )
    event.full_clean()
    event.save()
    if row.mail:
        transaction.on_commit(partial(notifications.send_safely, row.mail, response.pk, comment))
    return response


def _require_reason(status: str, reason: str) -> None:
    if status in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": REASON_ERROR.format(status=ResponseStatus(status).label)})


def _completeness_errors(response: Response) -> dict[str, str]:
    """What a response must hold before it is submitted, keyed by the entry form's fields."""
    errors = {}
    if not response.status:
        errors["status"] = "対応区分（対応済・対応中・今後検討・対応しない）を選んでください。"
    if not response.text.strip():
        errors["text"] = "対応方針を入力してください。"
    if response.status in REASON_REQUIRED and not response.reason.strip():
        errors["reason"] = REASON_ERROR.format(status=ResponseStatus(response.status).label)
    return errors


def start_response(*, assignment: Assignment, user) -> Response:
    """Give a new assignment its 未回答 response and tell the department (after commit)."""
    check(user, None, Action.MANAGE)
    response = Response(assignment=assignment)
    response._history_user = user
    response._change_reason = "担当課への割当"
    response.full_clean()
    response.save()
    return _finish(response, transitions.transition(response.state, Step.ASSIGN), user=user)


@transaction.atomic
def save_draft(
    *, response: Response, user, version: int, status: str, text: str, reason: str
) -> Response:
    """Save the department's entry (一時保存); 未回答 becomes 回答中, 差戻し stays 差戻し."""
    response, row = _begin(response, step=Step.SAVE, user=user, version=version)
    _require_reason(status, reason)
    response.status, response.text, response.reason = status, text, reason
    return _finish(response, row, user=user)


@transaction.atomic
def submit_response(*, response: Response, user, version: int) -> Response:
    """Submit the saved response to HQ (提出); it becomes read-only to the department."""
    response, row = _begin(response, step=Step.SUBMIT, user=user, version=version)
    errors = _completeness_errors(response)
    if errors:
        raise ValidationError(errors)
    return _finish(response, row, user=user)


@transaction.atomic
def save_and_submit(
    *, response: Response, user, version: int, status: str, text: str, reason: str
) -> Response:
    """Save the entry and submit it in one step; on any error nothing is saved."""
    saved = save_draft(
        response=response, user=user, version=version, status=status, text=text, reason=reason
    )
    return submit_response(response=saved, user=user, version=saved.version)


@transaction.atomic
def return_response(*, response: Response, user, version: int, comment: str) -> Response:
    """HQ sends a submitted (or approved) response back to the department with a comment."""
    response, row = _begin(response, step=Step.RETURN, user=user, version=version, comment=comment)
    return _finish(response, row, user=user, comment=comment)


@transaction.atomic
def approve_response(*, response: Response, user, version: int, comment: str = "") -> Response:
    """HQ approves a submitted response (承認); it is published with its meeting."""
    response, row = _begin(response, step=Step.APPROVE, user=user, version=version)
    return _finish(response, row, user=user, comment=comment)


@transaction.atomic
def reopen_response(*, response: Response, user, version: int, comment: str = "") -> Response:
    """HQ reopens a published response for correction; the public keeps the published copy."""
    response, row = _begin(response, step=Step.REOPEN, user=user, version=version)
    return _finish(response, row, user=user, comment=comment)


def publish_response(*, response: Response, user, now: datetime.datetime) -> Response:
    """The approved working copy becomes the public copy (called by `publish_meeting`, which
    holds the transaction and has checked the permission)."""
    response, row = _begin(response, step=Step.PUBLISH, user=user, version=None)
    response.published_status = response.status
    response.published_text = response.text
    response.published_reason = response.reason
    response.published_at = now
    return _finish(response, row, user=user)
