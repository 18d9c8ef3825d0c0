"""The results state machine: the one table of every transition a result can take.

未入力 → 入力中 → 提出済 → 差戻し (with a comment) or 承認済 → 公開; a published result can be
reopened for correction. Each row says from which state, by which step, to which state,
who may take it (the department that owns the initiative, or HQ), what the history
records and which mail is sent after commit. Services apply a row through
`results.services`; permissions, selectors, template tags, admin screens and imports ask
the queries below instead of listing states themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.vocabulary import State


class Step(models.TextChoices):
    """A step of the workflow, as it is recorded (手続きの記録)."""

    SAVE = "save", _("一時保存")
    SUBMIT = "submit", _("提出")
    RETURN = "return", _("差戻し")
    APPROVE = "approve", _("承認")
    PUBLISH = "publish", _("公開")
    REOPEN = "reopen", _("修正のため再開")
    REPORT_DECISION = "report_decision", _("確定結果の報告")


class Role(StrEnum):
    """Who takes a step: the owning department's staff, or HQ (the 推進本部)."""

    DEPARTMENT = "department"
    HQ = "hq"


class Mail(StrEnum):
    """The notification a step sends once its transaction has committed."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"
    REOPENED = "reopened"


# Who each mail goes to: a submission to HQ (per event, or in the digest of
# `send_submission_digest` when SUBMISSION_DIGEST is daily/hourly), every other step to the
# owning departments.
MAIL_TO: dict[Mail, Role] = {
    Mail.SUBMITTED: Role.HQ,
    Mail.RETURNED: Role.DEPARTMENT,
    Mail.APPROVED: Role.DEPARTMENT,
    Mail.PUBLISHED: Role.DEPARTMENT,
    Mail.REOPENED: Role.DEPARTMENT,
}


@dataclass(frozen=True)
class Transition:
    """One row of the table."""

    source: State
    step: Step
    target: State
    role: Role
    reason: str  # the history's change reason
    mail: Mail | None = None
    comment_required: bool = False


_D, _HQ = Role.DEPARTMENT, Role.HQ

# (from, step, to, who, history reason, mail, comment required)
_ROWS = (
    (State.NOT_STARTED, Step.SAVE, State.DRAFT, _D, "一時保存", None, False),
    (State.DRAFT, Step.SAVE, State.DRAFT, _D, "一時保存", None, False),
    (State.RETURNED, Step.SAVE, State.RETURNED, _D, "一時保存", None, False),
    (State.DRAFT, Step.SUBMIT, State.SUBMITTED, _D, "提出", Mail.SUBMITTED, False),
    (State.RETURNED, Step.SUBMIT, State.SUBMITTED, _D, "提出", Mail.SUBMITTED, False),
    (State.SUBMITTED, Step.RETURN, State.RETURNED, _HQ, "差戻し", Mail.RETURNED, True),
    (State.APPROVED, Step.RETURN, State.RETURNED, _HQ, "差戻し", Mail.RETURNED, True),
    (State.SUBMITTED, Step.APPROVE, State.APPROVED, _HQ, "承認", Mail.APPROVED, False),
    (State.APPROVED, Step.PUBLISH, State.PUBLISHED, _HQ, "公開", Mail.PUBLISHED, False),
    (State.PUBLISHED, Step.REOPEN, State.DRAFT, _HQ, "修正のため再開", Mail.REOPENED, False),
    # A published 未確定 whose outcome is now known: its department reports the final status
    # itself (permissions allow it only while the published status is 未確定), then
    # 提出 → 承認 → 公開 as usual; the public keeps the published copy meanwhile.
    (State.PUBLISHED, Step.REPORT_DECISION, State.DRAFT, _D, "確定結果の報告", None, False),
)
TABLE: dict[tuple[State, Step], Transition] = {(row[0], row[1]): Transition(*row) for row in _ROWS}

# Why a step is refused from a state that has no row for it, in the words staff read.
_REFUSED = {
    Step.SAVE: "この実施結果は{state}のため、編集できません。",
    Step.SUBMIT: "この実施結果は{state}のため、提出できません。",
    Step.RETURN: "差し戻せるのは提出済か承認済の実施結果だけです（今は{state}）。",
    Step.APPROVE: "承認できるのは提出済の実施結果だけです（今は{state}）。",
    Step.PUBLISH: "公開できるのは承認済の実施結果だけです（今は{state}）。",
    Step.REOPEN: "修正のため再開できるのは公開済みの実施結果だけです（今は{state}）。",
    Step.REPORT_DECISION: (
        "確定結果を報告できるのは、未確定のまま公開された実施結果だけです（今は{state}）。"
    ),
}
_NOTHING_ENTERED = "まだ何も入力されていません。入力してから提出してください。"


@dataclass(frozen=True)
class StateInfo:
    """How a state is shown to staff: its badge colour, and why a department cannot edit."""

    colour: str
    locked_reason: str = ""


STATES: dict[State, StateInfo] = {
    State.NOT_STARTED: StateInfo("#5f5f5f"),
    State.DRAFT: StateInfo("#1a6fb5"),
    State.SUBMITTED: StateInfo(
        "#7a4f00", "提出済です。推進本部の確認を待っています（編集はできません）。"
    ),
    State.RETURNED: StateInfo("#b3261e"),
    State.APPROVED: StateInfo(
        "#2e7d32", "承認済です。年度の公開を待っています（編集はできません）。"
    ),
    State.PUBLISHED: StateInfo(
        "#333333", "公開済みです。修正が必要なときは推進本部に再開を依頼してください。"
    ),
}


def transition(source: str, step: Step | str) -> Transition:
    """The row for taking `step` from `source`; a ValidationError in Japanese when none."""
    source, step = State(source), Step(step)
    row = TABLE.get((source, step))
    if row is None:
        if step is Step.SUBMIT and source is State.NOT_STARTED:
            raise ValidationError(_NOTHING_ENTERED)
        raise ValidationError(_REFUSED[step].format(state=source.label))
    return row


def sources(*steps: Step | str) -> tuple[State, ...]:
    """The states from which any of `steps` can be taken, in workflow order."""
    wanted = {Step(step) for step in steps}
    return tuple(state for state in State if any((state, step) in TABLE for step in wanted))


def role_of(step: Step | str) -> Role:
    """Who takes `step` (every row of one step has the same role)."""
    (role,) = {row.role for row in TABLE.values() if row.step == Step(step)}
    return role


def steps_for(role: Role, state: str) -> tuple[Step, ...]:
    """The steps `role` may take from `state`."""
    state = State(state)
    return tuple(row.step for row in TABLE.values() if row.source is state and row.role is role)


def editable_states() -> tuple[State, ...]:
    """States in which the owning department may still change the entry (not yet submitted)."""
    return sources(Step.SAVE)


def reviewable_states() -> tuple[State, ...]:
    """States HQ may act on in review (return or approve)."""
    return sources(Step.RETURN, Step.APPROVE)


def locked_reason(state: str) -> str:
    """Why the department cannot edit a result in `state` ("" when it can)."""
    return STATES[State(state)].locked_reason


def colour(state: str) -> str:
    return STATES[State(state)].colour
