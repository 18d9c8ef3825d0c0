"""The cached report files: one per public edition and kind (made at publication), or per
state of HQ's draft; with the state of their rendering (a lease, so that a rendering whose
worker died is noticed and started again)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RenderedReport(models.Model):
    """A report file rendered once for one state of the data it contains."""

    class Kind(models.TextChoices):
        FULL = "full", _("全体版")
        SUMMARY = "summary", _("概要版")
        DEPARTMENT = "department", _("担当課版")
        DRAFT = "draft", _("案（推進本部用）")
        ASSEMBLY = "assembly", _("議会報告")
        XLSX = "xlsx", _("取組事項一覧（Excel）")
        ASSEMBLY_XLSX = "assembly_xlsx", _("議会報告（Excel）")

    class State(models.TextChoices):
        PENDING = "pending", _("待機中")
        RUNNING = "running", _("作成中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    kind = models.CharField(_("種類"), max_length=20, choices=Kind, help_text=_("報告書の種類。"))
    fiscal_year = models.ForeignKey(
        "initiatives.FiscalYear",
        verbose_name=_("年度"),
        on_delete=models.CASCADE,
        related_name="rendered_reports",
        help_text=_("報告する年度。"),
    )
    department = models.ForeignKey(
        "initiatives.Department",
        verbose_name=_("担当課"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rendered_reports",
        help_text=_("担当課版のときの担当課。"),
    )
    edition = models.ForeignKey(
        "initiatives.Edition",
        verbose_name=_("公表版"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rendered_reports",
        help_text=_("公開用の報告書が表す公表版（案では空）。公表時に作成する。"),
    )
    content_key = models.CharField(
        _("内容キー"),
        max_length=64,
        unique=True,
        help_text=_(
            "公開用は（公表版・テンプレート版・種類・担当課）の SHA-256、"
            "案は報告書の HTML の SHA-256。"
        ),
    )
    state = models.CharField(
        _("状態"), max_length=20, choices=State, default=State.PENDING, help_text=_("作成の状況。")
    )
    file = models.FileField(
        _("ファイル"), upload_to="reports/", blank=True, help_text=_("作成した PDF または Excel。")
    )
    pages = models.PositiveIntegerField(
        _("ページ数"), null=True, blank=True, help_text=_("PDF のページ数。")
    )
    error = models.TextField(_("エラー"), blank=True, help_text=_("失敗したときの内容。"))
    requested_at = models.DateTimeField(
        _("依頼日時"), auto_now_add=True, help_text=_("作成を依頼した日時。")
    )
    started_at = models.DateTimeField(
        _("開始日時"), null=True, blank=True, help_text=_("作成を始めた日時。")
    )
    finished_at = models.DateTimeField(
        _("完了日時"), null=True, blank=True, help_text=_("作成を終えた日時。")
    )
    seconds = models.FloatField(
        _("所要秒数"), null=True, blank=True, help_text=_("作成にかかった秒数。")
    )
    attempts = models.PositiveSmallIntegerField(
        _("作成を試みた回数"),
        default=0,
        help_text=_("途中で止まった作成も数えます。上限に達すると失敗として表示します。"),
    )
    lease_until = models.DateTimeField(
        _("応答の期限"),
        null=True,
        blank=True,
        help_text=_(
            "待機中なら作成が始まるべき時刻、作成中なら次の生存報告の期限。"
            "過ぎると止まったとみなして作り直します。"
        ),
    )

    class Meta:
        verbose_name = _("作成済み報告書")
        verbose_name_plural = _("作成済み報告書")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="department") | models.Q(department__isnull=False),
                name="reports_department_report_has_department",
                violation_error_message=_("担当課版には担当課が必要です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_kind_display()} ({self.get_state_display()})"
