"""What each initiative plans and aims for, year by year: its yearly 実施計画 (YearPlan), its
numeric targets (Indicator, 数値目標) and their target values per fiscal year (Target)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.plan.models import FiscalYear, Initiative
from initiatives.vocabulary import Comparison


class Indicator(models.Model):
    """A numeric target (数値目標) of an initiative, with a target per fiscal year."""

    Comparison = Comparison

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("取組")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    comparison = models.CharField(
        _("目標の種類"), max_length=20, choices=Comparison, default=Comparison.AT_LEAST
    )
    benchmark = models.CharField(
        _("比較の基準"),
        max_length=200,
        blank=True,
        help_text=_("「基準との比較」のときの基準。例: 中核市平均以下"),
    )

    class Meta:
        verbose_name = _("指標")
        verbose_name_plural = _("指標")
        ordering = ["initiative__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "name"],
                name="indicator_name_unique_per_initiative",
                violation_error_message=_("この取組に同じ名前の指標が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(comparison__in=Comparison.values),
                name="indicator_comparison_valid",
                violation_error_message=_("目標の種類が正しくありません。"),
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.initiative.code} {self.name}"


class YearPlan(models.Model):
    """実施計画: what an initiative plans to do in one fiscal year."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="year_plans", verbose_name=_("取組")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="year_plans", verbose_name=_("年度")
    )
    text = models.TextField(_("実施計画"), blank=True)
    merged_with_previous = models.BooleanField(
        _("前年度と結合"),
        default=False,
        help_text=_("文書がこの年度の実施計画を前年度と一つのセルで印刷している（同じ文）。"),
    )

    class Meta:
        verbose_name = _("実施計画")
        verbose_name_plural = _("実施計画")
        ordering = ["initiative__order", "fiscal_year__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "fiscal_year"],
                name="year_plan_unique_per_initiative_year",
                violation_error_message=_("この取組・年度の実施計画は既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.initiative.code} {self.fiscal_year.label}"


class Target(models.Model):
    """The target value of an indicator in one fiscal year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指標")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="targets", verbose_name=_("年度")
    )
    value = models.DecimalField(_("目標値"), max_digits=16, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("目標値")
        verbose_name_plural = _("目標値")
        ordering = ["indicator", "fiscal_year__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                name="target_unique_per_indicator_year",
                violation_error_message=_("この指標・年度の目標値は既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year.label}: {self.value}"
