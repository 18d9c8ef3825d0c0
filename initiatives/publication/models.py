"""The Edition: a numbered, timestamped record of what became public for one fiscal year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Edition(models.Model):
    """One publication (公表) or correction (訂正) of a fiscal year's results."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("公表")
        CORRECTION = "correction", _("訂正")

    fiscal_year = models.ForeignKey(
        "initiatives.FiscalYear",
        verbose_name=_("年度"),
        on_delete=models.CASCADE,
        related_name="editions",
        help_text=_("公表した実施結果の年度。"),
    )
    number = models.PositiveIntegerField(_("版"), help_text=_("年度ごとの通し番号（第1版から）。"))
    kind = models.CharField(
        _("種類"),
        max_length=20,
        choices=Kind,
        help_text=_("新たな実施結果を公表した版は「公表」、公表済の訂正だけの版は「訂正」。"),
    )
    published_at = models.DateTimeField(_("公表日時"), help_text=_("この版を公表した日時。"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公表した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("公表の操作をした推進本部の職員（計画書からの取込では空）。"),
    )
    published_count = models.PositiveIntegerField(
        _("公表件数"), help_text=_("この版の時点で公表されている実施結果の件数。")
    )
    total_count = models.PositiveIntegerField(
        _("全件数"), help_text=_("この年度の実施結果（取組事項）の件数。")
    )
    added_count = models.PositiveIntegerField(
        _("新規公表件数"), default=0, help_text=_("この版で初めて公表した件数。")
    )
    corrected_count = models.PositiveIntegerField(
        _("訂正件数"), default=0, help_text=_("この版で訂正した公表済の実施結果の件数。")
    )

    class Meta:
        verbose_name = _("公表版")
        verbose_name_plural = _("公表版")
        ordering = ["fiscal_year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"],
                name="publication_edition_number_unique_per_year",
                violation_error_message=_("この年度には同じ番号の版があります。"),
            ),
            models.CheckConstraint(
                condition=models.Q(published_count__lte=models.F("total_count")),
                name="publication_edition_published_within_total",
                violation_error_message=_("公表件数は全件数以下です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} 第{self.number}版（{self.get_kind_display()}）"

    @property
    def partial(self) -> bool:
        """Some results of the year are not public yet (集計中)."""
        return self.published_count < self.total_count

    def corrections(self) -> models.QuerySet:
        """The PublicCorrection rows this edition made (same year, same moment)."""
        from initiatives.results.models import PublicCorrection

        return PublicCorrection.objects.filter(
            result__fiscal_year=self.fiscal_year, corrected_at=self.published_at
        ).select_related("result__initiative")
