"""Departments (担当課) over time and who belongs to them: the owners of initiatives, the
staff who enter their results (`initiatives.roles` reads the memberships), and the
reorganisations (組織改正) that rename, merge, split or hand over departments on a date.

A reorganisation is recorded, never overwritten: a renamed department is a new row valid
from the date, the old row ends the day before, so results keep the name that reported
them. Who owns what in which year is derived by `initiatives.plan.organisation`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """担当課: a department of the city office that owns initiatives, valid for a period."""

    name = models.CharField(
        _("名称"),
        max_length=100,
        unique=True,
        help_text=_("名称変更では新しい担当課を作ります（古い名称は過去の年度の結果に残ります）。"),
    )
    email = models.EmailField(
        _("連絡先メール"), blank=True, help_text=_("通知の送り先。空なら所属職員に送ります。")
    )
    valid_from = models.DateField(
        _("設置日"), null=True, blank=True, help_text=_("空なら最初からある担当課です。")
    )
    valid_until = models.DateField(
        _("廃止日"),
        null=True,
        blank=True,
        help_text=_("この日まで存在した担当課（組織改正の前日）。空なら現在もあります。"),
    )

    class Meta:
        verbose_name = _("担当課")
        verbose_name_plural = _("担当課")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="department_validity_ordered",
                violation_error_message=_("廃止日は設置日以降にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def valid_on(self, day: datetime.date) -> bool:
        """Whether the department existed on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    @property
    def validity_label(self) -> str:
        if self.valid_from is None and self.valid_until is None:
            return ""
        start = f"{self.valid_from:%Y-%m-%d}" if self.valid_from else ""
        end = f"{self.valid_until:%Y-%m-%d}" if self.valid_until else ""
        return f"{start}～{end}"


class DepartmentMembership(models.Model):
    """A user's membership of a department: they enter the results of its initiatives."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_memberships",
        verbose_name=_("職員"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("担当課")
    )

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["department__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="membership_unique_per_user_department",
                violation_error_message=_("この職員は既にこの担当課に所属しています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name}: {self.user.get_username()}"


class Reorganisation(models.Model):
    """組織改正: departments renamed, merged, split or handed over on a date."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("名称変更")
        MERGE = "merge", _("統合")
        SPLIT = "split", _("分割")
        TRANSFER = "transfer", _("移管")

    effective_date = models.DateField(
        _("施行日"), help_text=_("新しい組織が始まる日。移る前の担当課はその前日までです。")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    sources = models.ManyToManyField(
        Department, related_name="reorganised_from", verbose_name=_("改正前の担当課")
    )
    targets = models.ManyToManyField(
        Department, related_name="reorganised_into", verbose_name=_("改正後の担当課")
    )
    note = models.TextField(_("備考"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録した人"),
    )
    recorded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("組織改正")
        verbose_name_plural = _("組織改正")
        ordering = ["effective_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["rename", "merge", "split", "transfer"]),
                name="reorganisation_kind_valid",
                violation_error_message=_("種類は 名称変更・統合・分割・移管 のいずれかです。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_date:%Y-%m-%d} {self.get_kind_display()}"


class ReorganisationAssignment(models.Model):
    """Which successor takes an initiative in a split or a hand-over (移管)."""

    reorganisation = models.ForeignKey(
        Reorganisation,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("組織改正"),
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("取組"),
    )
    source = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("移管元")
    )
    target = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("移管先")
    )

    class Meta:
        verbose_name = _("取組の引継ぎ先")
        verbose_name_plural = _("取組の引継ぎ先")
        constraints = [
            models.UniqueConstraint(
                fields=["reorganisation", "initiative", "source"],
                name="reorganisation_assignment_unique",
                violation_error_message=_("この取組の引継ぎ先は既に決まっています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.name} → {self.target.name}"
