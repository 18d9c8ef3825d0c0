"""The governance app's words, defined once: what an opinion concerns (対象), the city's
response categories (対応区分) and where a response is in its workflow (回答状況).

Everything that shows, filters or parses these asks here; the transitions between the
states live in `governance.transitions`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    """A committee member's role."""

    CHAIR = "chair", _("委員長")
    VICE_CHAIR = "vice_chair", _("副委員長")
    MEMBER = "member", _("委員")


class Scope(models.TextChoices):
    """What an opinion (意見・提言) concerns."""

    PLAN = "plan", _("プラン全体")
    POLICY = "policy", _("方針")
    MEASURE = "measure", _("施策")
    INITIATIVES = "initiatives", _("取組")


class ResponseStatus(models.TextChoices):
    """対応区分: what the city does with an opinion."""

    DONE = "done", _("対応済")
    IN_PROGRESS = "in_progress", _("対応中")
    CONSIDERING = "considering", _("今後検討")
    NOT_ADOPTED = "not_adopted", _("対応しない")


# A response in these categories says why (対応しない) or what is still to be decided and
# when (今後検討): the public reads the reason beside the category.
REASON_REQUIRED = (ResponseStatus.CONSIDERING, ResponseStatus.NOT_ADOPTED)
REASON_ERROR = "「{status}」のときは、理由（今後の見通し）を入力してください。"

# Shown beside the category word, so that a category is never told by colour alone.
STATUS_MARKS = {
    ResponseStatus.DONE: "●",
    ResponseStatus.IN_PROGRESS: "◐",
    ResponseStatus.CONSIDERING: "◇",
    ResponseStatus.NOT_ADOPTED: "×",
}


class ResponseState(models.TextChoices):
    """回答状況: where the city's response to an opinion is in the workflow."""

    NOT_STARTED = "not_started", _("未回答")
    DRAFT = "draft", _("回答中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認済")
    PUBLISHED = "published", _("公開")


def response_status_label(code: str | None, *, empty: str = "") -> str:
    """対応済 / 対応中 / 今後検討 / 対応しない for a code; `empty` when there is none."""
    return str(ResponseStatus(code).label) if code else empty


def meeting_label(number: int) -> str:
    """第3回 for 3."""
    return f"第{number}回"
