"""E-mail notifications of the responses workflow (Django's mail, sent after commit).

The addresses are the same as for results: a department's own address or its members',
and the 推進本部 group's members (`initiatives.results.notifications`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from governance.models import Response
from governance.transitions import Mail
from initiatives.results.notifications import department_recipients, hq_recipients

logger = logging.getLogger(__name__)


def response_url(response: Response) -> str:
    path = reverse("admin:governance_response_change", args=[response.pk])
    return settings.SITE_URL.rstrip("/") + path


def _send(subject: str, body: str, recipients: list[str]) -> int:
    if not recipients:
        return 0
    return send_mail(f"【行政経営プラン】{subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


def _about(response: Response) -> str:
    opinion = response.assignment.opinion
    meeting = opinion.meeting
    return (
        f"会議: {meeting.label} {meeting.committee.name}（{meeting.date:%Y年%m月%d日}）\n"
        f"意見{opinion.order}: {opinion.text}\n"
    )


def notify_assigned(response: Response) -> int:
    """Ask the department to draft the city's response to an opinion."""
    department = response.assignment.department
    body = (
        f"{department.name} の皆さま\n\n"
        "推進委員会の意見・提言への対応方針の作成をお願いします。\n\n"
        f"{_about(response)}\n入力する: {response_url(response)}\n"
    )
    return _send("推進委員会の意見への対応をお願いします", body, department_recipients(department))


def notify_submitted(response: Response) -> int:
    """Tell HQ that a department submitted its response."""
    department = response.assignment.department
    body = (
        f"{department.name} から推進委員会の意見への対応方針が提出されました。\n\n"
        f"{_about(response)}\n確認する: {response_url(response)}\n"
    )
    return _send(f"対応方針が提出されました: {department.name}", body, hq_recipients())


def notify_returned(response: Response, comment: str) -> int:
    """Tell the department that HQ returned its response, with HQ's comment."""
    department = response.assignment.department
    body = (
        f"推進本部が推進委員会の意見への対応方針を差し戻しました。\n\n{_about(response)}\n"
        f"推進本部からのコメント:\n{comment}\n\n修正して再提出してください: "
        f"{response_url(response)}\n"
    )
    return _send("対応方針の差戻しがありました", body, department_recipients(department))


def notify_approved(response: Response) -> int:
    """Tell the department that HQ approved its response."""
    department = response.assignment.department
    body = (
        f"推進本部が推進委員会の意見への対応方針を承認しました。会議の公開で市民に公開されます。"
        f"\n\n{_about(response)}\n{response_url(response)}\n"
    )
    return _send("対応方針が承認されました", body, department_recipients(department))


def notify_reopened(response: Response) -> int:
    """Tell the department that HQ reopened its published response for correction."""
    department = response.assignment.department
    body = (
        f"推進本部が公開済みの対応方針を修正のため再開しました。\n\n{_about(response)}\n"
        f"修正して再提出してください: {response_url(response)}\n"
    )
    return _send("対応方針が修正のため再開されました", body, department_recipients(department))


def send_safely(mail: Mail, response_id: int, comment: str = "") -> int:
    """Send a step's mail after its commit. The step has already happened, so a mail server
    that fails is logged, never shown to the user as an error of their action."""
    try:
        response = Response.objects.select_related(
            "assignment__department", "assignment__opinion__meeting__committee"
        ).get(pk=response_id)
        if mail is Mail.ASSIGNED:
            return notify_assigned(response)
        if mail is Mail.SUBMITTED:
            return notify_submitted(response)
        if mail is Mail.RETURNED:
            return notify_returned(response, comment)
        if mail is Mail.APPROVED:
            return notify_approved(response)
        return notify_reopened(response)
    except Exception:
        logger.exception("通知メールを送れませんでした: %s 対応 %s", mail, response_id)
        return 0
