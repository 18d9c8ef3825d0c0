"""Departments (担当課) and who belongs to them: the owners of initiatives and the staff who
enter their results (`initiatives.roles` reads the memberships)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """担当課: a department of the city office that owns initiatives."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.CharField(
        _("担当課コード"),
        max_length=20,
        blank=True,
        help_text=_(
            "オープンデータで担当課を示す変わらないコード（市の組織コードなど、半角英数字）。"
            "空欄なら「D」と登録番号（例: D0012）を使います。"
        ),
    )
    email = models.EmailField(
        _("連絡先メール"), blank=True, help_text=_("通知の送り先。空なら所属職員に送ります。")
    )

    class Meta:
        verbose_name = _("担当課")
        verbose_name_plural = _("担当課")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="department_code_unique",
                violation_error_message=_("この担当課コードは別の担当課で使われています。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_code(self) -> str:
        """The code open data shows: the city's own, else one derived from the row's number."""
        return self.code or f"D{self.pk:04d}"


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
