"""Notification mails go through the outbox: a mail server that is down never fails the step
whose mail it is; the mail is retried, then listed for HQ, who can send it again."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives.models import Result
from initiatives.results import notifications
from outbox import services
from outbox.models import OutgoingMail
from tests.initiatives.workflow_helpers import (
    actual_field,
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Nothing listens on port 1 of the loopback address: every attempt is refused at once.
SMTP_DOWN = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
    }
}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STATUS_URL = "admin:outbox_outgoingmail_changelist"


@pytest.fixture(autouse=True)
def mail_each_submission(settings) -> None:
    """These tests follow one submission's own mail (the digest is tested on its own)."""
    settings.SUBMISSION_DIGEST = "off"


@pytest.fixture
def hq():
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit_no1(client: Client):
    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="提出します", **{actual_field(no1): "125"}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(change_url(no1), data)


def test_a_mail_server_that_is_down_does_not_fail_the_step(hq, digital, settings) -> None:
    settings.MAILERS = SMTP_DOWN
    response = submit_no1(login(digital))
    assert response.status_code == 302
    assert result_of("1", 2024).state == Result.State.SUBMITTED
    queued = OutgoingMail.objects.get()
    assert queued.state == OutgoingMail.State.PENDING and queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error
    assert queued.recipients == ["honbu@example.com"] and queued.subject.startswith("【提出】No.1 ")
    assert queued.next_attempt_at > timezone.now()  # retried after MAIL_RETRY_SECONDS


def test_hq_sees_a_failed_mail_and_sends_it_again(hq, digital, settings) -> None:
    settings.MAILERS = SMTP_DOWN
    settings.MAIL_MAX_ATTEMPTS = 1
    assert submit_no1(login(digital)).status_code == 302
    failed = OutgoingMail.objects.get()
    assert failed.state == OutgoingMail.State.FAILED

    reviewer = login(hq)
    home = reviewer.get(reverse("admin:index")).text
    assert "通知メール 1通を送信できませんでした" in home
    status = reviewer.get(reverse(STATUS_URL))
    assert status.status_code == 200
    assert "メール送信の状況" in status.text and "送信できず" in status.text
    assert "ConnectionRefusedError" in status.text and "honbu@example.com" in status.text

    settings.MAILERS = LOCMEM  # the mail server is back
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = reviewer.post(
            reverse(STATUS_URL), {"action": "retry_selected", "_selected_action": [failed.pk]}
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == OutgoingMail.State.SENT and failed.sent_at is not None
    assert [m.to for m in mail.outbox] == [["honbu@example.com"]]
    assert "通知メール" not in reviewer.get(reverse("admin:index")).text


def test_department_staff_neither_see_nor_retry_mails(digital) -> None:
    client = login(digital)
    assert client.get(reverse(STATUS_URL)).status_code == 403
    queued = services.queue_mail(purpose="x", subject="件名", body="本文", recipients=["a@b.jp"])
    with pytest.raises(services.PermissionDenied):
        services.retry(mail_ids=[queued.pk], user=digital)


def test_a_failed_attempt_is_retried_by_the_worker_with_backoff(hq, settings) -> None:
    settings.MAILERS = SMTP_DOWN
    settings.TASKS = DATABASE_QUEUE
    settings.MAIL_MAX_ATTEMPTS = 3
    with TestCase.captureOnCommitCallbacks(execute=True):
        queued = services.queue_mail(
            purpose="提出の通知", subject="件名", body="本文", recipients=["honbu@example.com"]
        )
    first = DBTaskResult.objects.get()
    assert first.args_kwargs["args"] == [queued.pk]

    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        services.deliver(mail_id=queued.pk)  # what the worker runs for each task
        queued.refresh_from_db()
        assert queued.attempts == attempt
        if attempt < 3:
            assert queued.state == OutgoingMail.State.PENDING
            delays.append(queued.next_attempt_at - before)
            retry_task = DBTaskResult.objects.order_by("-enqueued_at").first()
            assert retry_task.run_after >= queued.next_attempt_at - datetime.timedelta(seconds=1)
    assert queued.state == OutgoingMail.State.FAILED
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 4]


def test_the_command_sends_mail_whose_task_was_lost(hq) -> None:
    queued = services.queue_mail(purpose="x", subject="件名", body="本文", recipients=["a@b.jp"])
    # No on-commit run: as if the process died before handing the mail to the queue.
    OutgoingMail.objects.filter(pk=queued.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    out = StringIO()
    call_command("send_queued_mail", stdout=out)
    assert "1通を送信しました" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["a@b.jp"]]


def test_a_mail_that_cannot_be_written_does_not_fail_the_step(hq, digital, monkeypatch) -> None:
    def broken(mail, result, comment=""):
        raise RuntimeError("宛先の取得に失敗")

    monkeypatch.setattr(notifications, "notify_step", broken)
    assert submit_no1(login(digital)).status_code == 302
    assert result_of("1", 2024).state == Result.State.SUBMITTED
    recorded = OutgoingMail.objects.get()
    assert recorded.state == OutgoingMail.State.FAILED
    assert "宛先の取得に失敗" in recorded.last_error


def test_no_mail_is_queued_for_a_step_that_failed(digital) -> None:
    no1 = result_of("1", 2024)
    data = entry_data(no1, _action="submit", status="achieved", text="実績値がない")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert login(digital).post(change_url(no1), data).status_code == 200
    assert not OutgoingMail.objects.exists() and mail.outbox == []
