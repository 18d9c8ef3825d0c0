"""Results: each initiative's yearly 実施結果 with its actual values, the entry periods,
the workflow's record of steps, and the corrections listed after publication."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from initiatives.plan.models import FiscalYear, Initiative
from initiatives.plan.yearly import Indicator
from initiatives.results.transitions import Step
from initiatives.vocabulary import State, Status


class Result(models.Model):
    """実施結果: the outcome of an initiative in one fiscal year."""

    Status = Status
    State = State

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="results", verbose_name=_("取組")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="results", verbose_name=_("年度")
    )
    status = models.CharField(
        _("達成状況"),
        max_length=20,
        choices=Status,
        blank=True,
        help_text=_("未評価のときは空です。"),
    )
    text = models.TextField(_("実施結果"), blank=True)
    note = models.TextField(
        _("確定時期"), blank=True, help_text=_("未確定のとき、いつ確定するかを書きます。")
    )
    consistency_reason = models.CharField(
        _("確認事項の理由"),
        max_length=200,
        blank=True,
        help_text=_(
            "達成状況と実績値の食い違い（確認事項）を承知で提出するときの一行の理由。"
            "公開時に達成状況の横に表示されます。"
        ),
    )
    expected_decision_month = models.DateField(
        _("確定予定月"),
        null=True,
        blank=True,
        help_text=_("未確定のとき、確定する見込みの月（その月の1日）。督促メールに使います。"),
    )
    state = models.CharField(_("入力状況"), max_length=20, choices=State, default=State.NOT_STARTED)
    version = models.PositiveIntegerField(
        _("版"), default=1, help_text=_("同時編集で上書きしないための番号。保存のたびに増えます。")
    )
    # The public only ever reads the published_* copy, so a correction in progress
    # never shows before HQ publishes it again.
    published_status = models.CharField(
        _("公開中の達成状況"), max_length=20, choices=Status, blank=True
    )
    published_text = models.TextField(_("公開中の実施結果"), blank=True)
    published_note = models.TextField(_("公開中の確定時期"), blank=True)
    published_consistency_reason = models.CharField(
        _("公開中の確認事項の理由"), max_length=200, blank=True
    )
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    # Recorded when the result is saved or submitted, so that it keeps the department that
    # reported it even after a reorganisation hands the initiative to a successor.
    reported_by_department = models.ForeignKey(
        "initiatives.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("報告した担当課"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新者"),
    )

    history = HistoricalRecords(verbose_name=_("実施結果の履歴"))

    class Meta:
        verbose_name = _("実施結果")
        verbose_name_plural = _("実施結果")
        ordering = ["initiative__order", "fiscal_year__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "fiscal_year"],
                name="result_unique_per_initiative_year",
                violation_error_message=_("この取組・年度の実施結果は既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["", *Status.values]),
                name="result_status_valid",
                violation_error_message=_("達成状況は 達成・未達成・未確定 のいずれかです。"),
            ),
            models.CheckConstraint(
                condition=Q(published_status__in=["", *Status.values]),
                name="result_published_status_valid",
                violation_error_message=_("達成状況は 達成・未達成・未確定 のいずれかです。"),
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values),
                name="result_state_valid",
                violation_error_message=_("入力状況が正しくありません。"),
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.initiative.code} {self.fiscal_year.label}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Actual(models.Model):
    """The actual value of an indicator reported with a result."""

    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="actuals", verbose_name=_("実施結果")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="actuals", verbose_name=_("指標")
    )
    value = models.DecimalField(_("実績値"), max_digits=16, decimal_places=4, null=True, blank=True)
    published_value = models.DecimalField(
        _("公開中の実績値"), max_digits=16, decimal_places=4, null=True, blank=True
    )

    history = HistoricalRecords(verbose_name=_("実績値の履歴"))

    class Meta:
        verbose_name = _("実績値")
        verbose_name_plural = _("実績値")
        ordering = ["result", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "indicator"],
                name="actual_unique_per_result_indicator",
                violation_error_message=_("この実施結果に同じ指標の実績値が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.value}"


class EvaluationPeriod(models.Model):
    """The entry period of one fiscal year's results, opened and closed by HQ."""

    fiscal_year = models.OneToOneField(
        FiscalYear,
        on_delete=models.PROTECT,
        related_name="evaluation_period",
        verbose_name=_("評価する年度"),
    )
    opened_at = models.DateTimeField(_("受付開始日時"))
    deadline = models.DateField(_("提出期限"), help_text=_("この日の終わりまでに提出します。"))
    closed_at = models.DateTimeField(
        _("受付終了日時"), null=True, blank=True, help_text=_("空のあいだは受付中です。")
    )

    class Meta:
        verbose_name = _("入力期間")
        verbose_name_plural = _("入力期間")
        ordering = ["-fiscal_year__year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="period_closed_after_opened",
                violation_error_message=_("受付終了は受付開始より後にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.label}（提出期限 {self.deadline:%Y年%m月%d日}）"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class WorkflowEvent(models.Model):
    """One workflow step of a result: who did what, when, from which state to which."""

    Action = Step

    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="events", verbose_name=_("実施結果")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action)
    from_state = models.CharField(_("変更前の入力状況"), max_length=20, choices=Result.State)
    to_state = models.CharField(_("変更後の入力状況"), max_length=20, choices=Result.State)
    comment = models.TextField(_("コメント"), blank=True)
    status = models.CharField(
        _("その時の達成状況"), max_length=20, choices=Result.Status, blank=True
    )
    text = models.TextField(
        _("その時の実施結果"), blank=True, help_text=_("提出と承認の文面を比べるための控え。")
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
        verbose_name = _("手続きの記録")
        verbose_name_plural = _("手続きの記録")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=Step.values),
                name="workflow_event_action_valid",
                violation_error_message=_("操作の種類が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=~Q(action="return") | ~Q(comment=""),
                name="workflow_event_return_has_comment",
                violation_error_message=_("差戻しにはコメントが必要です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result} {self.get_action_display()}"


class PublicCorrection(models.Model):
    """A change to an already published result, listed publicly as a correction (訂正)."""

    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("実施結果")
    )
    corrected_at = models.DateTimeField(_("訂正日時"))
    field = models.CharField(
        _("訂正した項目"), max_length=200, help_text=_("例: 実施結果、実績値（開発アプリ数）")
    )
    before = models.TextField(_("訂正前"), blank=True)
    after = models.TextField(_("訂正後"), blank=True)

    class Meta:
        verbose_name = _("公開後の訂正")
        verbose_name_plural = _("公開後の訂正")
        ordering = ["-corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.result} {self.field}（{self.corrected_at:%Y/%m/%d}）"


class SubmissionDigest(models.Model):
    """One digest mail of submissions sent to HQ by `send_submission_digest`."""

    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    mail = models.ForeignKey(
        "outbox.OutgoingMail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("メール"),
        help_text=_("送信の状況は「メール送信の状況」で確かめます（宛先がないときは空）。"),
    )

    class Meta:
        verbose_name = _("提出のまとめメール")
        verbose_name_plural = _("提出のまとめメール")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"提出のまとめ（{self.created_at:%Y/%m/%d %H:%M}）"


class SubmissionNotice(models.Model):
    """A submission waiting for (or listed in) HQ's digest; each goes into one digest only."""

    event = models.OneToOneField(
        WorkflowEvent,
        on_delete=models.CASCADE,
        related_name="digest_notice",
        verbose_name=_("提出の記録"),
    )
    digest = models.ForeignKey(
        SubmissionDigest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("まとめメール"),
        help_text=_("空のときは、次のまとめメールで知らせます。"),
    )

    class Meta:
        verbose_name = _("まとめて知らせる提出")
        verbose_name_plural = _("まとめて知らせる提出")
        ordering = ["event__created_at", "pk"]
        indexes = [models.Index(fields=["digest"], name="submission_notice_digest_idx")]

    def __str__(self) -> str:
        return str(self.event)
