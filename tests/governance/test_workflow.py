"""Each step of a response through the services: the transition table, the reasons and
comments it requires, the version check, the history, the event log and the mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from governance import transitions
from governance.models import Response, ResponseEvent
from governance.services import committee, responses
from governance.services.responses import StaleResponseError
from governance.transitions import Step
from governance.vocabulary import ResponseState
from tests.governance.helpers import (
    answer,
    approve,
    make_meeting,
    make_opinion,
    people,
    response_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def who():
    return people()


@pytest.fixture
def opinion(who, django_capture_on_commit_callbacks):
    meeting = make_meeting(who["hq"])
    with django_capture_on_commit_callbacks(execute=True):
        return make_opinion(
            meeting,
            who["hq"],
            text="No.1のアプリ開発を市民と一緒に進めてほしい。",
            scope="initiatives",
            codes=("1",),
            departments=("デジタル行政戦略課",),
        )


def states(response: Response) -> list[tuple[str, str, str]]:
    return list(response.events.values_list("action", "from_state", "to_state"))


def test_assigning_creates_an_unanswered_response_and_mails_the_department(who, opinion):
    response = response_of(opinion, "デジタル行政戦略課")
    assert response.state == ResponseState.NOT_STARTED
    assert states(response) == [("assign", "not_started", "not_started")]
    assert [m.to for m in mail.outbox] == [["sato@example.com"]]
    assert "推進委員会の意見への対応をお願いします" in mail.outbox[0].subject
    assert f"/admin/governance/response/{response.pk}/change/" in mail.outbox[0].body


def test_each_step_follows_the_table_and_is_recorded(who, opinion):
    hq, digital = who["hq"], who["digital"]
    response = response_of(opinion, "デジタル行政戦略課")
    response = responses.save_draft(
        response=response,
        user=digital,
        version=response.version,
        status="in_progress",
        text="市民参加のワークショップを開きます。",
        reason="",
    )
    assert response.state == ResponseState.DRAFT
    response = responses.submit_response(response=response, user=digital, version=response.version)
    assert response.state == ResponseState.SUBMITTED
    response = responses.return_response(
        response=response, user=hq, version=response.version, comment="時期を書いてください。"
    )
    assert response.state == ResponseState.RETURNED
    response = responses.save_draft(
        response=response,
        user=digital,
        version=response.version,
        status="in_progress",
        text="令和7年度に市民参加のワークショップを開きます。",
        reason="",
    )
    assert response.state == ResponseState.RETURNED
    response = responses.submit_response(response=response, user=digital, version=response.version)
    response = responses.approve_response(response=response, user=hq, version=response.version)
    assert response.state == ResponseState.APPROVED
    committee.publish_meeting(meeting=opinion.meeting, user=hq)
    response.refresh_from_db()
    assert response.state == ResponseState.PUBLISHED
    assert response.published_text == "令和7年度に市民参加のワークショップを開きます。"
    assert response.published_status == "in_progress"
    response = responses.reopen_response(response=response, user=hq, version=response.version)
    assert response.state == ResponseState.DRAFT
    assert states(response) == [
        ("assign", "not_started", "not_started"),
        ("save", "not_started", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("save", "returned", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
        ("publish", "approved", "published"),
        ("reopen", "published", "draft"),
    ]
    reasons = list(
        response.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == [
        "担当課への割当",
        "担当課への割当",
        "一時保存",
        "提出",
        "差戻し",
        "一時保存",
        "提出",
        "承認",
        "公開",
        "修正のため再開",
    ]
    return_event = response.events.get(action=Step.RETURN)
    assert return_event.comment == "時期を書いてください。"
    assert return_event.actor == hq


def test_every_row_of_the_table_is_reachable_and_nothing_else():
    for (source, step), row in transitions.TABLE.items():
        assert transitions.transition(source, step) is row
    with pytest.raises(ValidationError, match="承認できるのは提出済の対応だけです"):
        transitions.transition(ResponseState.DRAFT, Step.APPROVE)
    with pytest.raises(ValidationError, match="まだ何も入力されていません"):
        transitions.transition(ResponseState.NOT_STARTED, Step.SUBMIT)
    assert transitions.editable_states() == (
        ResponseState.NOT_STARTED,
        ResponseState.DRAFT,
        ResponseState.RETURNED,
    )
    assert transitions.role_of(Step.APPROVE) is transitions.Role.HQ
    assert transitions.role_of(Step.SUBMIT) is transitions.Role.DEPARTMENT


@pytest.mark.parametrize("status", ["not_adopted", "considering"])
def test_a_response_that_does_not_act_needs_a_reason(who, opinion, status):
    response = response_of(opinion, "デジタル行政戦略課")
    with pytest.raises(ValidationError) as refused:
        answer(response, who["digital"], text="対応しません。", status=status)
    assert "理由（今後の見通し）を入力してください" in refused.value.message_dict["reason"][0]
    response.refresh_from_db()
    assert (response.state, response.text) == (ResponseState.NOT_STARTED, "")
    answer(
        response, who["digital"], text="対応しません。", status=status, reason="国の制度のため。"
    )
    response.refresh_from_db()
    assert response.state == ResponseState.SUBMITTED


def test_submitting_needs_a_status_and_a_text(who, opinion):
    response = response_of(opinion, "デジタル行政戦略課")
    with pytest.raises(ValidationError) as refused:
        answer(response, who["digital"], text="", status="")
    assert set(refused.value.message_dict) == {"status", "text"}


def test_returning_needs_a_comment(who, opinion):
    response = response_of(opinion, "デジタル行政戦略課")
    response = answer(response, who["digital"], text="実施します。")
    with pytest.raises(ValidationError, match="差戻しの理由"):
        responses.return_response(
            response=response, user=who["hq"], version=response.version, comment="  "
        )


def test_a_stale_version_is_refused_without_saving(who, opinion):
    response = response_of(opinion, "デジタル行政戦略課")
    old_version = response.version
    responses.save_draft(
        response=response,
        user=who["digital"],
        version=old_version,
        status="done",
        text="先に保存",
        reason="",
    )
    with pytest.raises(StaleResponseError, match="sato さんが更新しました"):
        responses.save_draft(
            response=response,
            user=who["digital"],
            version=old_version,
            status="done",
            text="後から上書き",
            reason="",
        )
    response.refresh_from_db()
    assert response.text == "先に保存"


def test_departments_and_hq_take_only_their_own_steps(who, opinion):
    response = response_of(opinion, "デジタル行政戦略課")
    with pytest.raises(PermissionDenied):
        answer(response, who["tax"], text="税務課が書いた")
    with pytest.raises(PermissionDenied):
        answer(response, who["hq"], text="推進本部が書いた")
    response = answer(response, who["digital"], text="実施します。")
    with pytest.raises(PermissionDenied):
        responses.approve_response(response=response, user=who["digital"], version=response.version)
    with pytest.raises(PermissionDenied):
        answer(response, who["digital"], text="提出後に書き換え")


def test_mails_go_to_hq_on_submit_and_to_the_department_on_return_and_approval(
    who, opinion, django_capture_on_commit_callbacks
):
    response = response_of(opinion, "デジタル行政戦略課")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(response, who["digital"], text="実施します。")
    assert mail.outbox[-1].to == ["honbu@example.com"]
    assert "対応方針が提出されました: デジタル行政戦略課" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        responses.return_response(
            response=response, user=who["hq"], version=response.version, comment="具体的に。"
        )
    assert mail.outbox[-1].to == ["sato@example.com"]
    assert "具体的に。" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(response, who["digital"], text="令和7年度に実施します。")
        approve(response, who["hq"])
    assert "承認されました" in mail.outbox[-1].subject


def test_a_failing_mail_server_never_undoes_the_step(
    who, opinion, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.governance.test_workflow.BrokenBackend"}}
    response = response_of(opinion, "デジタル行政戦略課")
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(response, who["digital"], text="実施します。")
    assert response.state == ResponseState.SUBMITTED
    assert "通知メールを送れませんでした" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")


def test_a_department_is_taken_off_only_while_its_response_is_untouched(who, opinion):
    committee.set_assignments(
        opinion=opinion,
        departments=[response_of(opinion, "デジタル行政戦略課").assignment.department],
        user=who["hq"],
    )
    response = answer(response_of(opinion, "デジタル行政戦略課"), who["digital"], text="実施")
    with pytest.raises(ValidationError, match="既に対応を入力しているため"):
        committee.set_assignments(opinion=opinion, departments=[], user=who["hq"])
    assert Response.objects.filter(pk=response.pk).exists()
    assert ResponseEvent.objects.filter(response=response).count() == 3


def test_publishing_a_meeting_publishes_only_approved_responses(who):
    hq = who["hq"]
    meeting = make_meeting(hq)
    opinion = make_opinion(
        meeting, hq, text="全体への意見", departments=("デジタル行政戦略課", "税務課")
    )
    approve(answer(response_of(opinion, "デジタル行政戦略課"), who["digital"], text="済"), hq)
    answer(response_of(opinion, "税務課"), who["tax"], text="提出だけ")
    summary = committee.publish_meeting(meeting=meeting, user=hq)
    assert (summary.meeting_published, summary.opinions, summary.responses, summary.waiting) == (
        True,
        1,
        1,
        1,
    )
    meeting.refresh_from_db()
    opinion.refresh_from_db()
    assert meeting.is_published and opinion.is_published
    assert response_of(opinion, "デジタル行政戦略課").is_published
    assert not response_of(opinion, "税務課").is_published
    with pytest.raises(PermissionDenied):
        committee.publish_meeting(meeting=meeting, user=who["digital"])


def test_a_reopened_response_keeps_its_public_copy_until_published_again(who, opinion):
    hq = who["hq"]
    response = approve(
        answer(response_of(opinion, "デジタル行政戦略課"), who["digital"], text="旧"), hq
    )
    committee.publish_meeting(meeting=opinion.meeting, user=hq)
    response.refresh_from_db()
    responses.reopen_response(response=response, user=hq, version=response.version)
    approve(answer(response, who["digital"], text="新"), hq)
    response.refresh_from_db()
    assert (response.text, response.published_text) == ("新", "旧")
    committee.publish_meeting(meeting=opinion.meeting, user=hq)
    response.refresh_from_db()
    assert response.published_text == "新"
