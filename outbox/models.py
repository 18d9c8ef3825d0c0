"""The outbox: every notification mail, written in the transaction of the step that sends it.

A mail is a row before it is anything else: the step and its mail commit together or not at
all, the sending happens afterwards in the task queue, and a mail server that is down
delays the mail (retried, then listed for HQ) instead of failing the step.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    """One mail to send, with what happened to it."""

    class State(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信できず")

    purpose = models.CharField(
        _("種類"), max_length=100, help_text=_("何の通知か（例: 提出の通知）。")
    )
    subject = models.CharField(_("件名"), max_length=255)
    body = models.TextField(_("本文"))
    recipients = models.JSONField(
        _("宛先"), default=list, blank=True, help_text=_("メールアドレスの一覧。")
    )
    state = models.CharField(_("状態"), max_length=20, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(
        _("送信を試みた回数"), default=0, help_text=_("再送の指示で数え直します。")
    )
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        _("次に送る日時"), null=True, blank=True, help_text=_("送信待ちのとき、次に試みる日時。")
    )
    claimed_until = models.DateTimeField(
        _("送信中の期限"),
        null=True,
        blank=True,
        help_text=_(
            "送信中の処理がこの日時まで担当します（止まったときは次の処理が引き継ぎます）。"
        ),
    )
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("メール")
        verbose_name_plural = _("メール送信の状況")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sent", "failed"]),
                name="outbox_mail_state_valid",
                violation_error_message=_("メールの状態が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_mail_has_sent_at",
                violation_error_message=_("送信済みのメールには送信日時が必要です。"),
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject}（{self.get_state_display()}）"
