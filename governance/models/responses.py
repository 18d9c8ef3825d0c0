"""The city's side: an opinion assigned to departments, each department's response
(対応方針) with its own working and published copy, and the record of every step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models.committee import Opinion
from governance.transitions import Step
from governance.vocabulary import ResponseState, ResponseStatus


class Assignment(models.Model):
    """An opinion given to a department (担当課) to draft the city's response to."""

    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("意見・提言")
    )
    department = models.ForeignKey(
        "initiatives.Department",
        on_delete=models.PROTECT,
        related_name="committee_assignments",
        verbose_name=_("担当課"),
    )
    assigned_at = models.DateTimeField(_("割当日時"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("割り当てた人"),
    )

    class Meta:
        verbose_name = _("担当課への割当")
        verbose_name_plural = _("担当課への割当")
        ordering = ["opinion_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "department"],
                name="governance_assignment_unique",
                violation_error_message=_("この意見は既にこの担当課に割り当てられています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opinion} → {self.department.name}"


class Response(models.Model):
    """The city's response (対応方針) to an opinion, drafted by the assigned department."""

    Status = ResponseStatus
    State = ResponseState

    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.CASCADE,
        related_name="response",
        verbose_name=_("担当課への割当"),
    )
    status = models.CharField(
        _("対応区分"),
        max_length=20,
        choices=ResponseStatus,
        blank=True,
        help_text=_("対応済・対応中・今後検討・対応しない のいずれか。"),
    )
    text = models.TextField(_("対応方針"), blank=True)
    reason = models.TextField(
        _("理由・今後の見通し"),
        blank=True,
        help_text=_("「対応しない」ときはその理由、「今後検討」のときは検討の見通しを書きます。"),
    )
    state = models.CharField(
        _("回答状況"), max_length=20, choices=ResponseState, default=ResponseState.NOT_STARTED
    )
    version = models.PositiveIntegerField(
        _("版"), default=1, help_text=_("同時編集で上書きしないための番号。保存のたびに増えます。")
    )
    # The public only ever reads the published_* copy, so a correction in progress never
    # shows before HQ publishes the meeting again.
    published_status = models.CharField(
        _("公開中の対応区分"), max_length=20, choices=ResponseStatus, blank=True
    )
    published_text = models.TextField(_("公開中の対応方針"), blank=True)
    published_reason = models.TextField(_("公開中の理由・今後の見通し"), blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新者"),
    )

    history = HistoricalRecords(verbose_name=_("委員会の意見への対応の履歴"))

    class Meta:
        verbose_name = _("委員会の意見への対応")
        verbose_name_plural = _("委員会の意見への対応")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["", *ResponseStatus.values]),
                name="governance_response_status_valid",
                violation_error_message=_(
                    "対応区分は 対応済・対応中・今後検討・対応しない のいずれかです。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(published_status__in=["", *ResponseStatus.values]),
                name="governance_response_published_status_valid",
                violation_error_message=_(
                    "対応区分は 対応済・対応中・今後検討・対応しない のいずれかです。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=ResponseState.values),
                name="governance_response_state_valid",
                violation_error_message=_("回答状況が正しくありません。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.assignment)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ResponseEvent(models.Model):
    """One workflow step of a response: who did what, when, from which state to which."""

    Action = Step

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="events", verbose_name=_("対応")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Step)
    from_state = models.CharField(_("変更前の回答状況"), max_length=20, choices=ResponseState)
    to_state = models.CharField(_("変更後の回答状況"), max_length=20, choices=ResponseState)
    comment = models.TextField(_("コメント"), blank=True)
    status = models.CharField(
        _("その時の対応区分"), max_length=20, choices=ResponseStatus, blank=True
    )
    text = models.TextField(
        _("その時の対応方針"), blank=True, help_text=_("提出と承認の文面を比べるための控え。")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作した人"),
    )
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("対応の手続きの記録")
        verbose_name_plural = _("対応の手続きの記録")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=Step.values),
                name="governance_event_action_valid",
                violation_error_message=_("操作の種類が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=~Q(action="return") | ~Q(comment=""),
                name="governance_event_return_has_comment",
                violation_error_message=_("差戻しにはコメントが必要です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response} {self.get_action_display()}"
