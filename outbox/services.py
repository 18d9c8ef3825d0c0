"""Queue, send, retry: the outbox's writes.

`queue_mail` writes the mail in the caller's transaction and hands it to the task queue
once that commits. `deliver` makes one attempt; a failure schedules the next attempt after
MAIL_RETRY_SECONDS × 4^(attempt−1) (1, 4, 16, 64 minutes by default) until
MAIL_MAX_ATTEMPTS, then the mail is marked 送信できず, logged as an error and listed for HQ
on 「メール送信の状況」, where `retry` starts a new round. Nothing here raises into the
request whose step queued the mail.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.tasks import default_task_backend
from django.utils import timezone

from initiatives.roles import is_hq
from outbox.message import ReadableEmail
from outbox.models import OutgoingMail

logger = logging.getLogger(__name__)

# How long one attempt may hold a mail before another worker may take it over.
CLAIM = datetime.timedelta(minutes=2)


def queue_mail(
    *, purpose: str, subject: str, body: str, recipients: list[str]
) -> OutgoingMail | None:
    """Write the mail now; it is sent after the surrounding transaction commits.

    None when there is nobody to send to."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return None
    mail = OutgoingMail(
        purpose=purpose[:100],
        subject=subject[:255],
        body=body,
        recipients=recipients,
        next_attempt_at=timezone.now(),
    )
    mail.full_clean()
    mail.save()
    transaction.on_commit(lambda: schedule(mail_id=mail.pk), robust=True)
    return mail


def schedule(*, mail_id: int, at: datetime.datetime | None = None) -> None:
    """Hand the mail to the task queue (now, or at `at` where the backend can defer).

    A queue that cannot take it leaves the mail 送信待ち: `send_due_mail` (the
    `send_queued_mail` command) and HQ's 再送 pick it up."""
    from outbox.tasks import send_mail_task

    try:
        if at is None:
            send_mail_task.enqueue(mail_id)
        elif default_task_backend.supports_defer:
            send_mail_task.using(run_after=at).enqueue(mail_id)
    except Exception:
        logger.exception("通知メールを送信の順番待ちに入れられませんでした（メール %s）", mail_id)


def deliver(*, mail_id: int) -> OutgoingMail | None:
    """One attempt to send a waiting mail; None when it is not waiting or already taken."""
    now = timezone.now()
    taken = (
        OutgoingMail.objects.filter(pk=mail_id, state=OutgoingMail.State.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = ReadableEmail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, mail.recipients)
    try:
        message.send(using="default")
    except Exception as error:
        return _attempt_failed(mail, error)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=OutgoingMail.State.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        claimed_until=None,
        last_error="",
    )
    mail.refresh_from_db()
    return mail


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return datetime.timedelta(seconds=settings.MAIL_RETRY_SECONDS * 4 ** max(0, attempts - 1))


def _attempt_failed(mail: OutgoingMail, error: Exception) -> OutgoingMail:
    reason = f"{type(error).__name__}: {error}"[:2000]
    if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
        logger.error(
            "通知メールを送れませんでした（%s回試みました）: %s 宛先 %s: %s",
            mail.attempts,
            mail.subject,
            ", ".join(mail.recipients),
            reason,
        )
        OutgoingMail.objects.filter(pk=mail.pk).update(
            state=OutgoingMail.State.FAILED,
            last_error=reason,
            next_attempt_at=None,
            claimed_until=None,
        )
    else:
        at = timezone.now() + retry_delay(mail.attempts)
        logger.warning(
            "通知メールの送信に失敗しました（%s回目）。%s に再送します: %s: %s",
            mail.attempts,
            timezone.localtime(at).strftime("%H:%M"),
            mail.subject,
            reason,
        )
        OutgoingMail.objects.filter(pk=mail.pk).update(
            last_error=reason, next_attempt_at=at, claimed_until=None
        )
        schedule(mail_id=mail.pk, at=at)
    mail.refresh_from_db()
    return mail


@transaction.atomic
def retry(*, mail_ids: list[int], user) -> int:
    """HQ sends the chosen mails that are not sent again, with a new round of attempts."""
    if not is_hq(user):
        raise PermissionDenied("メールの再送は推進本部だけができます。")
    mails = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=mail_ids)
        .exclude(state=OutgoingMail.State.SENT)
    )
    for mail in mails:
        mail.state = OutgoingMail.State.PENDING
        mail.attempts = 0
        mail.next_attempt_at = timezone.now()
        mail.claimed_until = None
        mail.full_clean()
        mail.save()
        transaction.on_commit(lambda pk=mail.pk: schedule(mail_id=pk), robust=True)
    return len(mails)


def send_due_mail(*, now: datetime.datetime | None = None) -> int:
    """Attempt every waiting mail whose time has come (for a queue that lost or cannot defer
    its task); returns how many were sent."""
    now = now or timezone.now()
    due = OutgoingMail.objects.filter(
        state=OutgoingMail.State.PENDING, next_attempt_at__lte=now
    ).values_list("pk", flat=True)
    sent = 0
    for mail_id in list(due):
        mail = deliver(mail_id=mail_id)
        sent += bool(mail and mail.state == OutgoingMail.State.SENT)
    return sent


def record_unsendable(*, purpose: str, subject: str, error: Exception) -> OutgoingMail:
    """A mail that could not even be written (a bug or bad data), listed for HQ as failed."""
    mail = OutgoingMail(
        purpose=purpose[:100],
        subject=subject[:255],
        body="（このメールは作成できませんでした。システム管理者に連絡してください。）",
        state=OutgoingMail.State.FAILED,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    mail.full_clean()
    mail.save()
    return mail


def problems() -> dict[str, int]:
    """What HQ should know: mails that failed, and mails waiting longer than a retry."""
    late = timezone.now() - retry_delay(1)
    return {
        "failed": OutgoingMail.objects.filter(state=OutgoingMail.State.FAILED).count(),
        "waiting": OutgoingMail.objects.filter(
            state=OutgoingMail.State.PENDING, created_at__lt=late
        ).count(),
    }
