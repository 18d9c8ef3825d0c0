"""Mail people read: HQ's digest of submissions (one mail for several, none twice, per-event
mode), the departments' mails on return, approval, publication and reopening, subjects that
name the initiative and the year, and Japanese bodies that stay readable (no base64)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from initiatives.models import SubmissionDigest, SubmissionNotice
from initiatives.results import notifications, services
from outbox.message import ReadableEmail
from outbox.models import OutgoingMail
from tests.initiatives.workflow_helpers import make_staff, open_year, result_of, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    hq = make_staff("honbu", hq=True)
    open_year(2024, hq=hq)
    return (
        hq,
        make_staff("sato", "デジタル行政戦略課"),
        make_staff("kimura", "ゼロカーボンシティ推進課"),
    )


def digest(*args: str) -> str:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_submission_digest", *args, stdout=out)
    return out.getvalue()


def submit(code: str, user) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted(code, 2024, user)


def test_hq_gets_one_digest_for_several_submissions_and_none_twice(people, settings) -> None:
    settings.SUBMISSION_DIGEST = "daily"
    _hq, digital, zero = people
    for code, user in [("1", digital), ("15", digital), ("70", zero)]:
        submit(code, user)
    assert mail.outbox == []  # no mail per submission
    assert "3 件のまとめメールを送りました" in digest("--now")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["honbu@example.com"]
    assert sent.subject.startswith("【提出】実施結果の提出 3件")
    for code in ("No.1 ", "No.15 ", "No.70 "):
        assert code in sent.body
    assert "/admin/initiatives/result/review/" in sent.body
    assert "デジタル行政戦略課" in sent.body and "ゼロカーボンシティ推進課" in sent.body
    # Idempotent: the same submissions are never mailed again.
    assert "新しい提出はありません" in digest("--now")
    assert len(mail.outbox) == 1
    # A later submission goes into the next digest, alone.
    submit("8", digital)
    digest("--now")
    assert len(mail.outbox) == 2 and "No.8 " in mail.outbox[1].body
    assert "No.1 " not in mail.outbox[1].body
    assert SubmissionDigest.objects.count() == 2
    assert SubmissionNotice.objects.filter(digest__isnull=True).count() == 0
    # Each submission is recorded in exactly one digest.
    assert [n.digest_id for n in SubmissionNotice.objects.order_by("pk")].count(None) == 0


def test_the_digest_is_sent_once_a_day_or_an_hour(people, settings) -> None:
    _hq, digital, _zero = people
    submit("1", digital)
    settings.SUBMISSION_DIGEST = "daily"
    settings.SUBMISSION_DIGEST_HOUR = 8
    today = timezone.localtime().replace(hour=7, minute=30)
    assert not notifications.digest_due(now=today)  # before the hour
    assert notifications.digest_due(now=today.replace(hour=8))
    with TestCase.captureOnCommitCallbacks(execute=True):
        notifications.send_submission_digest(now=timezone.now())
    last = timezone.localtime(SubmissionDigest.objects.get().created_at)
    assert not notifications.digest_due(now=last + datetime.timedelta(minutes=1))
    assert notifications.digest_due(now=(last + datetime.timedelta(days=1)).replace(hour=9))
    settings.SUBMISSION_DIGEST = "hourly"
    assert not notifications.digest_due(now=last)  # the same clock hour
    assert notifications.digest_due(now=last + datetime.timedelta(hours=1))


def test_per_event_mode_mails_each_submission_at_once(people, settings) -> None:
    settings.SUBMISSION_DIGEST = "off"
    _hq, digital, _zero = people
    submit("15", digital)
    assert len(mail.outbox) == 1
    no15 = result_of("15", 2024)
    assert mail.outbox[0].subject == f"【提出】No.15 {no15.initiative.name}（令和6年度）"
    assert mail.outbox[0].to == ["honbu@example.com"]
    assert not SubmissionNotice.objects.exists()
    assert "新しい提出はありません" in digest()


def test_the_department_is_mailed_on_each_hq_step_with_a_subject_naming_it(people) -> None:
    hq, digital, _zero = people
    no15 = submitted("15", 2024, digital)
    name = f"No.15 {no15.initiative.name}（令和6年度）"

    def step(action, **kwargs):
        mail.outbox.clear()
        result = result_of("15", 2024)
        with TestCase.captureOnCommitCallbacks(execute=True):
            action(result=result, user=hq, version=result.version, **kwargs)
        return [(m.subject, m.to) for m in mail.outbox]

    assert step(services.return_result, comment="数値を確認してください") == [
        (f"【差戻し】{name}", ["sato@example.com"])
    ]
    assert "数値を確認してください" in mail.outbox[0].body
    services.submit_result(
        result=result_of("15", 2024), user=digital, version=result_of("15", 2024).version
    )
    assert step(services.approve_result) == [(f"【承認】{name}", ["sato@example.com"])]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.publish_year(fiscal_year=no15.fiscal_year, user=hq)
    assert [(m.subject, m.to) for m in mail.outbox] == [(f"【公表】{name}", ["sato@example.com"])]
    assert step(services.reopen_result) == [(f"【再開】{name}", ["sato@example.com"])]


def test_mail_bodies_are_readable_text_not_base64(people, settings) -> None:
    settings.SUBMISSION_DIGEST = "off"
    _hq, digital, _zero = people
    submit("15", digital)
    queued = OutgoingMail.objects.get()
    message = ReadableEmail(queued.subject, queued.body, "from@example.com", queued.recipients)
    text = message.message().as_string()
    assert "base64" not in text
    assert "Content-Transfer-Encoding: 8bit" in text
    assert "デジタル行政戦略課 から 令和6年度 の実施結果が提出されました。" in text
    assert "【提出】No.15" in text  # the console shows the subject as text too
    raw = message.message().as_bytes()
    assert "提出されました".encode() in raw and b"base64" not in raw


def test_a_very_long_line_falls_back_to_quoted_printable_not_base64() -> None:
    body = "あ" * 400  # 1,200 bytes on one line: too long for 8bit
    text = ReadableEmail("件名", body, "a@example.com", ["b@example.com"]).message().as_string()
    assert "quoted-printable" in text and "base64" not in text
