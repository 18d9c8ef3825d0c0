"""Every cell of the results state machine: each state × step × role, through the services.

The expected table below is written out again on purpose, independently of
`initiatives.results.transitions`: were it read from the module under test, a wrong row
there would be expected here too and nothing would fail.

Each test sets its result up directly (one No.1 result of 令和6年度, an open entry period)
instead of walking the workflow to the state, so the 144 cells run in seconds.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from initiatives.models import (
    Actual,
    EvaluationPeriod,
    FiscalYear,
    Indicator,
    Initiative,
    Result,
)
from initiatives.results import services, transitions
from initiatives.results.transitions import Mail, Role, Step
from initiatives.vocabulary import State
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db

NS, DRAFT, SUB, RET, APP, PUB = (
    State.NOT_STARTED,
    State.DRAFT,
    State.SUBMITTED,
    State.RETURNED,
    State.APPROVED,
    State.PUBLISHED,
)
OWNER, OTHER, HQ, NOBODY = "owner", "other_department", "hq", "no_role"
PEOPLE = (OWNER, OTHER, HQ, NOBODY)

# The mails as staff receive them: (subject fragment, who receives it).
# Submissions are mailed one by one here (SUBMISSION_DIGEST=off, set below); the digest has
# its own tests (test_notifications.py).
NO1 = "No.1 職員による課題解決アプリの実践数（累計）（令和6年度）"
MAILS = {
    Mail.SUBMITTED: (f"【提出】{NO1}", HQ),
    Mail.RETURNED: (f"【差戻し】{NO1}", OWNER),
    Mail.APPROVED: (f"【承認】{NO1}", OWNER),
    Mail.PUBLISHED: (f"【公表】{NO1}", OWNER),
    Mail.REOPENED: (f"【再開】{NO1}", OWNER),
}


@pytest.fixture(autouse=True)
def mail_each_submission(settings) -> None:
    settings.SUBMISSION_DIGEST = "off"


# (from, step) → (to, who takes it, history reason, mail, comment required): the workflow
# the README's walk-through describes, one row per arrow.
EXPECTED = {
    (NS, Step.SAVE): (DRAFT, Role.DEPARTMENT, "一時保存", None, False),
    (DRAFT, Step.SAVE): (DRAFT, Role.DEPARTMENT, "一時保存", None, False),
    (RET, Step.SAVE): (RET, Role.DEPARTMENT, "一時保存", None, False),
    (DRAFT, Step.SUBMIT): (SUB, Role.DEPARTMENT, "提出", Mail.SUBMITTED, False),
    (RET, Step.SUBMIT): (SUB, Role.DEPARTMENT, "提出", Mail.SUBMITTED, False),
    (SUB, Step.RETURN): (RET, Role.HQ, "差戻し", Mail.RETURNED, True),
    (APP, Step.RETURN): (RET, Role.HQ, "差戻し", Mail.RETURNED, True),
    (SUB, Step.APPROVE): (APP, Role.HQ, "承認", Mail.APPROVED, False),
    (APP, Step.PUBLISH): (PUB, Role.HQ, "公開", Mail.PUBLISHED, False),
    (PUB, Step.REOPEN): (DRAFT, Role.HQ, "修正のため再開", Mail.REOPENED, False),
    (PUB, Step.REPORT_DECISION): (DRAFT, Role.DEPARTMENT, "確定結果の報告", None, False),
}
TAKEN_BY = {Role.DEPARTMENT: OWNER, Role.HQ: HQ}
# Who takes each step, whatever the state (the table's role column).
EXPECTED_ROLE = {
    Step.SAVE: Role.DEPARTMENT,
    Step.SUBMIT: Role.DEPARTMENT,
    Step.RETURN: Role.HQ,
    Step.APPROVE: Role.HQ,
    Step.PUBLISH: Role.HQ,
    Step.REOPEN: Role.HQ,
    Step.REPORT_DECISION: Role.DEPARTMENT,
}

# The states in which each step's own role may act on a result at all (permissions.py):
# outside them the step is refused as not permitted (403), inside them by the table.
IN_REACH = {
    Step.SAVE: {NS, DRAFT, RET},
    Step.SUBMIT: {NS, DRAFT, RET},
    Step.RETURN: {SUB, APP},
    Step.APPROVE: {SUB, APP},
    Step.PUBLISH: set(State),
    Step.REOPEN: {PUB},
    Step.REPORT_DECISION: {PUB},  # and only while the published status is 未確定
}

# Why each refused step is refused, in the words staff read.
REFUSALS = {
    Step.SAVE: "この実施結果は{}のため、編集できません。",
    Step.SUBMIT: "この実施結果は{}のため、提出できません。",
    Step.RETURN: "差し戻せるのは提出済か承認済の実施結果だけです（今は{}）。",
    Step.APPROVE: "承認できるのは提出済の実施結果だけです（今は{}）。",
    Step.PUBLISH: "公開できるのは承認済の実施結果だけです（今は{}）。",
    Step.REOPEN: "修正のため再開できるのは公開済みの実施結果だけです（今は{}）。",
    Step.REPORT_DECISION: (
        "確定結果を報告できるのは、未確定のまま公開された実施結果だけです（今は{}）。"
    ),
}
NOTHING_ENTERED = "まだ何も入力されていません。入力してから提出してください。"
COMMENT_MISSING = "差戻しの理由（コメント）を入力してください。"


def refusal(state: State, step: Step) -> str:
    if (state, step) == (NS, Step.SUBMIT):
        return NOTHING_ENTERED
    return REFUSALS[step].format(state.label)


CELLS = [(state, step, person) for state in State for step in Step for person in PEOPLE]


def _cell_id(cell) -> str:
    state, step, person = cell
    return f"{state.value}-{step.value}-{person}"


# --- set-up: four named people and one result put straight into a state ----------------


@pytest.fixture
def people() -> dict:
    return {
        OWNER: make_staff("sato", "デジタル行政戦略課"),  # owns No.1
        OTHER: make_staff("suzuki", "税務課"),
        HQ: make_staff("honbu", hq=True),
        NOBODY: make_staff("tanaka"),
    }


@pytest.fixture
def period() -> EvaluationPeriod:
    return EvaluationPeriod.objects.create(
        fiscal_year=FiscalYear.objects.get(year=2024),
        opened_at=timezone.now(),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


def put_in(state: State, *, fiscal_year: FiscalYear) -> Result:
    """No.1's 令和6年度 result in `state`, complete enough for every step from there."""
    entered = state is not State.NOT_STARTED
    published = state is State.PUBLISHED
    now = timezone.now()
    result = Result.objects.create(
        initiative=Initiative.objects.get(code="1"),
        fiscal_year=fiscal_year,
        state=state,
        status="achieved" if entered else "",
        text="開発アプリ数 125件" if entered else "",
        # Published as 未確定, so that its department may report the decision.
        published_status="undetermined" if published else "",
        published_text="開発アプリ数 125件" if published else "",
        published_at=now if published else None,
    )
    if entered:
        Actual.objects.create(
            result=result,
            indicator=Indicator.objects.get(initiative__code="1"),
            value=Decimal(125),
            published_value=Decimal(125) if published else None,
        )
    return Result.objects.select_related("initiative", "fiscal_year").get(pk=result.pk)


def take(step: Step, result: Result, user, *, comment: str = "") -> Result | None:
    """Take `step` on `result` through the service a screen calls for it."""
    common = {"result": result, "user": user, "version": result.version}
    if step is Step.SAVE:
        indicator = Indicator.objects.get(initiative__code="1")
        return services.save_draft(
            **common,
            status="achieved",
            text="開発アプリ数 126件",
            note="",
            actuals={indicator.pk: Decimal(126)},
        )
    if step is Step.SUBMIT:
        return services.submit_result(**common)
    if step is Step.RETURN:
        return services.return_result(**common, comment=comment)
    if step is Step.APPROVE:
        return services.approve_result(**common, comment=comment)
    if step is Step.REOPEN:
        return services.reopen_result(**common, comment=comment)
    if step is Step.REPORT_DECISION:
        return services.report_decision(**common, comment=comment)
    summary = services.publish_year(fiscal_year=result.fiscal_year, user=user)
    # Publishing is a step of the whole year: a result it may not take is left out, not
    # refused, so "refused" here means that nothing was published.
    if summary.published == 0:
        raise ValidationError("公開できる承認済の実施結果はありません。")
    assert summary.published == 1
    return None


def snapshot(result: Result) -> tuple:
    """Everything a refused step must leave as it was."""
    result = Result.objects.get(pk=result.pk)
    return (
        result.state,
        result.version,
        result.status,
        result.text,
        result.published_status,
        result.published_text,
        result.published_at,
        list(result.actuals.values_list("indicator_id", "value", "published_value")),
        result.events.count(),
        result.history.count(),
        result.corrections.count(),
    )


def last_reason(result: Result) -> str:
    return result.history.order_by("-history_date", "-history_id").first().history_change_reason


# --- every cell ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=_cell_id)
def test_each_cell_moves_as_the_table_says_or_changes_nothing(
    cell, people, period, django_capture_on_commit_callbacks
) -> None:
    state, step, person = cell
    result = put_in(state, fiscal_year=period.fiscal_year)
    user = people[person]
    row = EXPECTED.get((state, step))
    comment = "内訳を書いてください" if step is Step.RETURN else ""
    before = snapshot(result)

    if row is None or TAKEN_BY[row[1]] != person:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises((ValidationError, PermissionDenied)) as refused,
        ):
            take(step, result, user, comment=comment)
        if TAKEN_BY[EXPECTED_ROLE[step]] != person or state not in IN_REACH[step]:
            # The screens answer 403 here: not this person's step, or not in this state.
            assert refused.type is PermissionDenied
        else:
            # The screens show the table's reason next to the form.
            assert refused.type is ValidationError
            if step is not Step.PUBLISH:
                assert refused.value.messages == [refusal(state, step)]
        assert snapshot(result) == before
        assert mail.outbox == []
        return

    target, _role, reason, expected_mail, _comment_required = row
    with django_capture_on_commit_callbacks() as after_commit:
        take(step, result, user, comment=comment)
    # Nothing is mailed before the step's transaction has committed.
    assert mail.outbox == []
    for callback in after_commit:
        callback()
    result.refresh_from_db()
    assert result.state == target
    assert result.version == before[1] + 1
    assert last_reason(result) == reason
    new_events = list(result.events.order_by("pk")[before[8] :])
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in new_events] == [
        (step, state, target, user)
    ]
    assert new_events[0].comment == comment
    if expected_mail is None:
        assert mail.outbox == []
    else:
        subject, recipient = MAILS[expected_mail]
        assert [(m.subject, m.to) for m in mail.outbox] == [(subject, [people[recipient].email])]


# --- the comment rule ----------------------------------------------------------------------


@pytest.mark.parametrize("state", [SUB, APP])
@pytest.mark.parametrize("comment", ["", "　 \n"])
def test_it_refuses_a_return_without_a_comment(
    state, comment, people, period, django_capture_on_commit_callbacks
) -> None:
    result = put_in(state, fiscal_year=period.fiscal_year)
    before = snapshot(result)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        take(Step.RETURN, result, people[HQ], comment=comment)
    assert refused.value.message_dict == {"comment": [COMMENT_MISSING]}
    assert snapshot(result) == before
    assert mail.outbox == []


# --- the table's rows and queries ---------------------------------------------------------


def test_it_holds_exactly_the_expected_rows() -> None:
    assert {
        key: (row.target, row.role, row.reason, row.mail, row.comment_required)
        for key, row in transitions.TABLE.items()
    } == EXPECTED
    for (source, step), row in transitions.TABLE.items():
        assert (row.source, row.step) == (source, step)


@pytest.mark.parametrize(
    ("source", "step"),
    [(state, step) for state in State for step in Step if (state, step) not in EXPECTED],
    ids=lambda value: value.value,
)
def test_it_refuses_every_other_step_in_japanese(source, step) -> None:
    with pytest.raises(ValidationError) as refused:
        transitions.transition(source, step)
    assert refused.value.messages == [refusal(source, step)]


def test_it_reads_states_and_steps_given_as_plain_strings() -> None:
    row = transitions.transition("submitted", "approve")
    assert (row.source, row.step, row.target) == (SUB, Step.APPROVE, APP)
    with pytest.raises(ValueError):
        transitions.transition("finished", "approve")


def test_it_lists_the_sources_of_steps_in_workflow_order() -> None:
    assert transitions.sources(Step.SAVE) == (NS, DRAFT, RET)
    assert transitions.sources(Step.SUBMIT) == (DRAFT, RET)
    assert transitions.sources(Step.RETURN) == (SUB, APP)
    assert transitions.sources(Step.APPROVE) == (SUB,)
    assert transitions.sources(Step.PUBLISH) == (APP,)
    assert transitions.sources("reopen") == (PUB,)
    assert transitions.sources(Step.REPORT_DECISION) == (PUB,)
    assert transitions.sources(Step.RETURN, Step.PUBLISH) == (SUB, APP)
    assert transitions.sources() == ()


def test_it_names_the_editable_and_reviewable_states() -> None:
    assert transitions.editable_states() == (NS, DRAFT, RET)
    assert transitions.reviewable_states() == (SUB, APP)


@pytest.mark.parametrize("step", list(Step), ids=lambda step: step.value)
def test_it_names_who_takes_each_step(step) -> None:
    assert transitions.role_of(step) is EXPECTED_ROLE[step]


@pytest.mark.parametrize("state", list(State), ids=lambda state: state.value)
def test_it_lists_the_steps_each_role_may_take_from_a_state(state) -> None:
    for role in Role:
        expected = {
            step for (source, step), row in EXPECTED.items() if source == state and row[1] is role
        }
        steps = transitions.steps_for(role, state.value)
        assert sorted(steps) == sorted(expected)


def test_it_explains_why_a_department_cannot_edit_each_state() -> None:
    for state in (NS, DRAFT, RET):
        assert transitions.locked_reason(state) == ""
    assert "提出済です" in transitions.locked_reason(SUB)
    assert "承認済です" in transitions.locked_reason(APP)
    assert "再開を依頼" in transitions.locked_reason(PUB)
    assert {transitions.colour(state) for state in State} == {
        info.colour for info in transitions.STATES.values()
    }
    assert len({transitions.colour(state) for state in State}) == len(State)
