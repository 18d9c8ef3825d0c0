"""E-mail notifications of the results workflow: what each mail says and to whom.

The mails go through the outbox (written in the step's own transaction, sent by the task
worker, retried, failures listed for HQ); in development the worker prints them to the
console (`make run`).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from initiatives.models import (
    Department,
    EvaluationPeriod,
    Result,
    SubmissionDigest,
    SubmissionNotice,
    WorkflowEvent,
)
from initiatives.plan.organisation import responsible_for
from initiatives.results.transitions import MAIL_TO, Mail, Role
from initiatives.roles import HQ_GROUP
from outbox import services as outbox

logger = logging.getLogger(__name__)

# What each step's mail is, as HQ's 「メール送信の状況」 lists it, and its subject's tag.
_PURPOSE = {
    Mail.SUBMITTED: "提出の通知",
    Mail.RETURNED: "差戻しの通知",
    Mail.APPROVED: "承認の通知",
    Mail.PUBLISHED: "公表の通知",
    Mail.REOPENED: "再開の通知",
}
_TAG = {
    Mail.SUBMITTED: "提出",
    Mail.RETURNED: "差戻し",
    Mail.APPROVED: "承認",
    Mail.PUBLISHED: "公表",
    Mail.REOPENED: "再開",
}
DIGEST_PURPOSE = "提出のまとめ"


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def result_url(result: Result) -> str:
    return _url(reverse("admin:initiatives_result_change", args=[result.pk]))


def review_url(result: Result | None = None) -> str:
    """HQ's review queue, opened at `result` when given."""
    path = reverse("admin:initiatives_result_review")
    return _url(path if result is None else f"{path}?id={result.pk}")


def hq_recipients() -> list[str]:
    """E-mail addresses of the HQ reviewers."""
    users = get_user_model().objects.filter(is_active=True, groups__name=HQ_GROUP)
    return sorted({u.email for u in users if u.email})


def department_recipients(department: Department) -> list[str]:
    """The department's own address, or else the addresses of its active members."""
    if department.email:
        return [department.email]
    users = get_user_model().objects.filter(
        is_active=True, department_memberships__department=department
    )
    return sorted({u.email for u in users if u.email})


def _result_departments(result: Result) -> list[Department]:
    """The departments answering for the result today (a reorganisation's successors)."""
    return responsible_for(result)


def _send(subject: str, body: str, recipients: list[str], *, purpose: str):
    """Queue one mail (sent once the caller's transaction commits); None when nobody to mail."""
    return outbox.queue_mail(purpose=purpose, subject=subject, body=body, recipients=recipients)


def _sent(subject: str, body: str, recipients: list[str], *, purpose: str) -> int:
    """1 if the mail was queued, 0 when there was nobody to send it to."""
    return 0 if _send(subject, body, recipients, purpose=purpose) is None else 1


def subject_of(mail: Mail, result: Result) -> str:
    """「【差戻し】No.15 ○○（令和6年度）」: the step, the initiative and the year."""
    initiative = result.initiative
    return f"【{_TAG[mail]}】No.{initiative.code} {initiative.name}（{result.fiscal_year.label}）"


def _body(mail: Mail, result: Result, comment: str) -> str:
    initiative = result.initiative
    year = result.fiscal_year.label
    what = f"取組: No.{initiative.code} {initiative.name}（{year}）\n"
    what += f"担当課: {initiative.department_names}"
    said = f"\n\n推進本部からのコメント:\n{comment}" if comment.strip() else ""
    if mail is Mail.SUBMITTED:
        return (
            f"{initiative.department_names} から {year} の実施結果が提出されました。\n\n{what}\n\n"
            f"確認する: {review_url(result)}\n"
        )
    lead, ask = {
        Mail.RETURNED: (
            f"推進本部が {year} の実施結果を差し戻しました。",
            "修正して再提出してください",
        ),
        Mail.APPROVED: (
            f"推進本部が {year} の実施結果を承認しました。年度の公表で市民向けページに載ります。",
            "内容",
        ),
        Mail.PUBLISHED: (f"{year} の実施結果を市民向けページに公表しました。", "内容"),
        Mail.REOPENED: (
            f"推進本部が {year} の公表済みの実施結果を修正のため再開しました。"
            "公表中の内容は、再承認・再公表まで変わりません。",
            "修正して再提出してください",
        ),
    }[mail]
    return f"{lead}\n\n{what}{said}\n\n{ask}: {result_url(result)}\n"


def notify_step(mail: Mail, result: Result, comment: str = "") -> int:
    """Mail a step to whom the transition table's MAIL_TO names; the number of mails queued."""
    subject, body = subject_of(mail, result), _body(mail, result, comment)
    if MAIL_TO[mail] is Role.HQ:
        groups = [hq_recipients()]
    else:
        groups = [department_recipients(d) for d in _result_departments(result)]
    return sum(
        _send(subject, body, recipients, purpose=_PURPOSE[mail]) is not None
        for recipients in groups
    )


def queue_step_mail(
    mail: Mail, result: Result, comment: str = "", *, event: WorkflowEvent | None = None
) -> int:
    """Queue a workflow step's mail in the step's transaction (sent after it commits).

    A submission waits for HQ's digest instead (`send_submission_digest`) unless
    SUBMISSION_DIGEST is off. Writing a mail cannot fail the step: anything wrong while
    composing it is logged and recorded as a mail 送信できず on HQ's 「メール送信の状況」,
    and the step goes on."""
    if mail is Mail.SUBMITTED and event is not None and digest_mode() != "off":
        SubmissionNotice.objects.create(event=event)
        return 0
    try:
        with transaction.atomic():
            return notify_step(mail, result, comment)
    except Exception as error:
        logger.exception("通知メールを作れませんでした: %s %s", mail, result)
        try:
            with transaction.atomic():
                outbox.record_unsendable(
                    purpose=_PURPOSE[mail],
                    subject=f"No.{result.initiative.code} の{_PURPOSE[mail]}",
                    error=error,
                )
        except Exception:
            logger.exception("作れなかった通知メールを記録できませんでした: %s %s", mail, result)
        return 0


# --- HQ's digest of submissions ---------------------------------------------------------


def digest_mode() -> str:
    """SUBMISSION_DIGEST: daily, hourly or off (one mail per submission)."""
    return settings.SUBMISSION_DIGEST


def digest_due(*, now: datetime.datetime) -> bool:
    """Whether a digest is due now: hourly, once in each clock hour; daily, once a day at
    or after SUBMISSION_DIGEST_HOUR; off, always (sends what waited from before the switch)."""
    mode = digest_mode()
    if mode == "off":
        return True
    local = timezone.localtime(now)
    last = SubmissionDigest.objects.order_by("-created_at").values_list("created_at", flat=True)
    last = last.first()
    last = timezone.localtime(last) if last else None
    if mode == "hourly":
        return last is None or last.replace(minute=0, second=0, microsecond=0) < local.replace(
            minute=0, second=0, microsecond=0
        )
    if local.hour < settings.SUBMISSION_DIGEST_HOUR:
        return False
    return last is None or last.date() < local.date()


def _when(moment: datetime.datetime, *, minutes: bool = True) -> str:
    """12月2日 9:05 (or 12月2日 9時), in local time."""
    local = timezone.localtime(moment)
    day = f"{local.month}月{local.day}日 {local.hour}"
    return f"{day}:{local.minute:02d}" if minutes else f"{day}時"


def _digest_body(notices: list[SubmissionNotice], *, now: datetime.datetime) -> str:
    lines = []
    for notice in notices:
        result, event = notice.event.result, notice.event
        initiative = result.initiative
        state = "" if result.state == event.to_state else f"（現在: {result.get_state_display()}）"
        lines.append(
            f"・No.{initiative.code} {initiative.name}（{result.fiscal_year.label}）\n"
            f"  {initiative.department_names}　"
            f"{_when(event.created_at)} 提出{state}\n"
            f"  {review_url(result)}"
        )
    listed = "\n".join(lines)
    return (
        "推進本部の皆さま\n\n"
        f"前回のお知らせの後に提出された実施結果が {len(notices)} 件あります"
        f"（{_when(now)} 現在）。\n\n"
        f"提出済を順に確認する: {review_url()}\n\n{listed}\n"
    )


@transaction.atomic
def send_submission_digest(*, now: datetime.datetime) -> SubmissionDigest | None:
    """Mail HQ one digest of every submission not yet in one, and record it; None when
    there is nothing new. Each submission is listed in exactly one digest: the waiting rows
    are locked, and the digest is written with its mail in one transaction."""
    waiting = list(
        SubmissionNotice.objects.select_for_update(of=("self",))
        .filter(digest__isnull=True)
        .select_related("event__result__initiative", "event__result__fiscal_year")
        .order_by("event__created_at", "pk")
    )
    if not waiting:
        return None
    digest = SubmissionDigest.objects.create()
    digest.mail = _send(
        f"【提出】実施結果の提出 {len(waiting)}件（{_when(now, minutes=False)}までのまとめ）",
        _digest_body(waiting, now=now),
        hq_recipients(),
        purpose=DIGEST_PURPOSE,
    )
    digest.full_clean()
    digest.save()
    SubmissionNotice.objects.filter(pk__in=[n.pk for n in waiting]).update(digest=digest)
    return digest


def notify_deadline(
    *, department: Department, period: EvaluationPeriod, results: list[Result], today: datetime.date
) -> int:
    """Remind a department of its results not yet submitted before (or after) the deadline."""
    days = (period.deadline - today).days
    when = f"提出期限まであと{days}日です" if days >= 0 else f"提出期限を{-days}日過ぎています"
    lines = "\n".join(
        f"・No.{r.initiative.code} {r.initiative.name}（{r.get_state_display()}）"
        f"\n  {result_url(r)}"
        for r in results
    )
    body = (
        f"{department.name} の皆さま\n\n{period.fiscal_year.label} の実施結果の"
        f"{when}（期限 {period.deadline:%Y年%m月%d日}）。\n"
        f"まだ提出されていない取組が {len(results)} 件あります。\n\n{lines}\n"
    )
    return _sent(
        f"【行政経営プラン】{period.fiscal_year.label} 実施結果の提出期限のお知らせ",
        body,
        department_recipients(department),
        purpose="提出期限のお知らせ",
    )


def notify_decision_due(*, department: Department, results: list[Result]) -> int:
    """Remind a department that its 未確定 results have reached their 確定予定月."""
    lines = "\n".join(
        f"・No.{r.initiative.code} {r.initiative.name}（{r.fiscal_year.label}、"
        f"確定予定 {r.expected_decision_month:%Y年%m月}）\n  {result_url(r)}"
        for r in results
    )
    body = (
        f"{department.name} の皆さま\n\n公開中の実施結果のうち「未確定」の取組が、"
        f"確定予定の月を迎えました（{len(results)} 件）。\n"
        "確定したら、下のリンクから入力画面を開いて「確定結果を報告する」を押し、確定した"
        f"達成状況を入力して提出してください。\n\n{lines}\n"
    )
    return _sent(
        "【行政経営プラン】未確定の実施結果の確定時期のお知らせ",
        body,
        department_recipients(department),
        purpose="未確定の確定時期のお知らせ",
    )
