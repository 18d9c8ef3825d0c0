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

from initiatives.models import Department, EvaluationPeriod, Result
from initiatives.plan.organisation import responsible_for
from initiatives.results.transitions import Mail
from initiatives.roles import HQ_GROUP
from outbox import services as outbox

logger = logging.getLogger(__name__)

# What each step's mail is, as HQ's 「メール送信の状況」 lists it.
_PURPOSE = {
    Mail.SUBMITTED: "提出の通知",
    Mail.RETURNED: "差戻しの通知",
    Mail.APPROVED: "承認の通知",
    Mail.REOPENED: "再開の通知",
}


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def result_url(result: Result) -> str:
    return _url(reverse("admin:initiatives_result_change", args=[result.pk]))


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


def _send(subject: str, body: str, recipients: list[str], *, purpose: str) -> int:
    """Queue one mail (sent once the caller's transaction commits); 1 if queued, else 0."""
    queued = outbox.queue_mail(
        purpose=purpose, subject=f"【行政経営プラン】{subject}", body=body, recipients=recipients
    )
    return 0 if queued is None else 1


def notify_submitted(result: Result) -> int:
    """Tell HQ that a department submitted a result."""
    initiative = result.initiative
    body = (
        f"{initiative.department_names} から {result.fiscal_year.label} の実施結果が"
        f"提出されました。\n\n取組: No.{initiative.code} {initiative.name}\n"
        f"確認する: {result_url(result)}\n"
    )
    return _send(
        f"提出されました: No.{initiative.code}",
        body,
        hq_recipients(),
        purpose=_PURPOSE[Mail.SUBMITTED],
    )


def notify_returned(result: Result, comment: str) -> int:
    """Tell the owning departments that HQ returned their result, with HQ's comment."""
    initiative = result.initiative
    body = (
        f"推進本部が {result.fiscal_year.label} の実施結果を差し戻しました。\n\n"
        f"取組: No.{initiative.code} {initiative.name}\n\n推進本部からのコメント:\n{comment}\n\n"
        f"修正して再提出してください: {result_url(result)}\n"
    )
    return sum(
        _send(
            f"差戻しがありました: No.{initiative.code}",
            body,
            department_recipients(d),
            purpose=_PURPOSE[Mail.RETURNED],
        )
        for d in _result_departments(result)
    )


def notify_approved(result: Result) -> int:
    """Tell the owning departments that HQ approved their result."""
    initiative = result.initiative
    body = (
        f"推進本部が {result.fiscal_year.label} の実施結果を承認しました。\n\n"
        f"取組: No.{initiative.code} {initiative.name}\n{result_url(result)}\n"
    )
    return sum(
        _send(
            f"承認されました: No.{initiative.code}",
            body,
            department_recipients(d),
            purpose=_PURPOSE[Mail.APPROVED],
        )
        for d in _result_departments(result)
    )


def notify_reopened(result: Result) -> int:
    """Tell the owning departments that HQ reopened their published result for correction."""
    initiative = result.initiative
    body = (
        f"推進本部が {result.fiscal_year.label} の公開済みの実施結果を修正のため再開しました。\n\n"
        f"取組: No.{initiative.code} {initiative.name}\n"
        f"修正して再提出してください: {result_url(result)}\n"
    )
    return sum(
        _send(
            f"修正のため再開されました: No.{initiative.code}",
            body,
            department_recipients(d),
            purpose=_PURPOSE[Mail.REOPENED],
        )
        for d in _result_departments(result)
    )


def queue_step_mail(mail: Mail, result: Result, comment: str = "") -> int:
    """Queue a workflow step's mail in the step's transaction (sent after it commits).

    Writing a mail cannot fail the step: anything wrong while composing it is logged and
    recorded as a mail 送信できず on HQ's 「メール送信の状況」, and the step goes on."""
    compose = {
        Mail.SUBMITTED: lambda: notify_submitted(result),
        Mail.RETURNED: lambda: notify_returned(result, comment),
        Mail.APPROVED: lambda: notify_approved(result),
        Mail.REOPENED: lambda: notify_reopened(result),
    }[mail]
    try:
        with transaction.atomic():
            return compose()
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
    return _send(
        f"{period.fiscal_year.label} 実施結果の提出期限のお知らせ",
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
        "確定したら、推進本部に「修正のため再開」を依頼し、確定した達成状況を入力して"
        f"提出してください。\n\n{lines}\n"
    )
    return _send(
        "未確定の実施結果の確定時期のお知らせ",
        body,
        department_recipients(department),
        purpose="未確定の確定時期のお知らせ",
    )
