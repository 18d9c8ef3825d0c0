"""Continuity between plans: an initiative of a later plan names the initiative(s) of an
earlier plan it continues (継続), merges (統合) or was split from (分割)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Succession(models.Model):
    """継続・統合・分割: an initiative of a later plan and one earlier initiative it follows."""

    class Kind(models.TextChoices):
        CONTINUATION = "continuation", _("継続")
        MERGER = "merger", _("統合")
        SPLIT = "split", _("分割")

    successor = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="continues",
        verbose_name=_("取組"),
        help_text=_("後のプランの取組。"),
    )
    predecessor = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="continued_by",
        verbose_name=_("前期プランの取組"),
        help_text=_("この取組が引き継ぐ、前のプランの取組。"),
    )
    kind = models.CharField(
        _("関係"),
        max_length=20,
        choices=Kind,
        default=Kind.CONTINUATION,
        help_text=_("継続: そのまま引き継ぐ。統合: 複数の取組を1つにまとめた。分割: 1つを分けた。"),
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("前期プランとの関係")
        verbose_name_plural = _("前期プランとの関係")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["successor", "predecessor"],
                name="succession_unique_pair",
                violation_error_message=_("この前期プランの取組は既に指定されています。"),
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("predecessor")),
                name="succession_not_to_itself",
                violation_error_message=_("取組を自分自身の継続元にはできません。"),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["continuation", "merger", "split"]),
                name="succession_kind_valid",
                violation_error_message=_("関係は 継続・統合・分割 のいずれかです。"),
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.successor.code} ← No.{self.predecessor.code}（{self.get_kind_display()}）"

    def clean(self) -> None:
        # Two rules a row cannot check by itself: both sides' plans must differ and the
        # predecessor's must be the earlier one (plan periods never overlap).
        # (Itself is the constraint succession_not_to_itself's to say.)
        if not (self.successor_id and self.predecessor_id) or (
            self.successor_id == self.predecessor_id
        ):
            return
        successor_plan = self.successor.plan
        predecessor_plan = self.predecessor.plan
        if successor_plan.pk == predecessor_plan.pk:
            message = _("同じプランの取組は継続元にできません（前のプランから選びます）。")
            raise ValidationError({"predecessor": message})
        if predecessor_plan.start_year >= successor_plan.start_year:
            raise ValidationError(
                {
                    "predecessor": _(
                        "継続元にできるのは、この取組のプランより前のプランの取組だけです。"
                    )
                }
            )
