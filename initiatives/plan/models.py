"""The plan's structure: the plan, its revisions, policies → measures → directions →
initiatives, their departments and 再掲, the glossary. Yearly plans, indicators and targets
live in `initiatives.plan.yearly`.

What a plan *says*; what departments report against it lives in `initiatives.results`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.plan.departments import Department
from initiatives.vocabulary import (
    RESOURCE_FIELDS,
    era_label,
    era_short,
    fiscal_year_of,
)


class Plan(models.Model):
    """金沢市行政経営プラン itself: the document the rest of the data belongs to."""

    slug = models.SlugField(
        _("識別名"),
        max_length=50,
        unique=True,
        help_text=_("URL に使う変わらない名前。例: 2023-2026（/plans/2023-2026/）。"),
    )
    title = models.CharField(_("名称"), max_length=200)
    subtitle = models.CharField(_("副題"), max_length=200, blank=True)
    author = models.CharField(_("策定者"), max_length=100, default="金沢市")
    philosophy = models.CharField(_("基本理念"), max_length=200)
    philosophy_description = models.TextField(_("基本理念の説明"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("推進期間（開始年度）"), help_text=_("西暦の年度。2023 は令和5年度です。")
    )
    end_year = models.PositiveSmallIntegerField(
        _("推進期間（終了年度）"), help_text=_("西暦の年度。2026 は令和8年度です。")
    )
    is_current = models.BooleanField(
        _("現行プランとして表示"),
        default=False,
        help_text=_(
            "公開ページの URL（/plans/… のないもの）で表示するプラン。"
            "どれにも印がなければ、今日が推進期間に入るプランを表示します。"
        ),
    )
    closed_at = models.DateTimeField(
        _("終了した日時"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("推進本部がプランを終了した日時。終了したプランは読み取り専用です。"),
    )
    structure_changed_at = models.DateTimeField(
        _("構成の最終変更日時"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "取組・計画・担当課などを管理画面や取り込みで最後に変更した日時。"
            "公開ページはこの日時が変わると作り直されます。"
        ),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("終了した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("プラン")
        verbose_name_plural = _("プラン")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="plan_one_current",
                violation_error_message=_("現行プランとして表示できるのは1つだけです。"),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="plan_period_ordered",
                violation_error_message=_("終了年度は開始年度以降にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A fiscal year belongs to at most one plan: reports, editions and entry periods are
        # kept per fiscal year, so overlapping periods would make "the plan of year Y" ambiguous.
        if self.start_year is None or self.end_year is None:
            return
        overlapping = (
            Plan.objects.exclude(pk=self.pk)
            .filter(start_year__lte=self.end_year, end_year__gte=self.start_year)
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                _("推進期間が「%(other)s」（%(period)s）と重なっています。")
                % {"other": overlapping.title, "period": overlapping.period_label}
            )

    def contains_year(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    @property
    def is_over(self) -> bool:
        """Its period has ended (today is past its last fiscal year)."""
        return fiscal_year_of(timezone.localdate()) > self.end_year

    @property
    def is_closed(self) -> bool:
        """HQ closed it (終了): read-only except a recorded HQ correction."""
        return self.closed_at is not None

    @property
    def status_label(self) -> str:
        return "終了" if self.is_closed or self.is_over else "推進中"

    @property
    def period_end(self) -> datetime.date:
        """The last day of its last fiscal year: 2026 → 2027-03-31."""
        return datetime.date(self.end_year + 1, 3, 31)

    @property
    def period_label(self) -> str:
        years = self.end_year - self.start_year + 1
        return f"{era_label(self.start_year)}～{era_label(self.end_year)}（{years}カ年）"


class PlanRevision(models.Model):
    """A revision of the plan (改訂版) or an update of its published results."""

    class Kind(models.TextChoices):
        REVISION = "revision", _("改訂")
        RESULTS_UPDATE = "results_update", _("実施結果更新")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("プラン")
    )
    code = models.CharField(
        _("コード"), max_length=20, help_text=_("例: R6（【R6新規】の取組を追加した改訂）")
    )
    label = models.CharField(_("表示名"), max_length=100)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind)
    date = models.DateField(_("年月"))

    class Meta:
        verbose_name = _("改訂")
        verbose_name_plural = _("改訂")
        ordering = ["date", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="revision_code_unique_per_plan",
                violation_error_message=_("同じコードの改訂が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def badge(self) -> str:
        return f"【{self.code}新規】"


class Stance(models.Model):
    """One of the five 取組姿勢 (市民目線, スピード感, …)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="stances", verbose_name=_("プラン")
    )
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("説明"), max_length=200)

    class Meta:
        verbose_name = _("取組姿勢")
        verbose_name_plural = _("取組姿勢")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="stance_number_unique_per_plan",
                violation_error_message=_("同じ番号の取組姿勢が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{'①②③④⑤⑥⑦⑧⑨'[self.number - 1]} {self.title}"


class PlanSection(models.Model):
    """A narrative section of the plan document (はじめに, 1. 行財政運営の課題, …)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("プラン")
    )
    key = models.SlugField(_("キー"), max_length=50)
    order = models.PositiveSmallIntegerField(_("表示順"))
    heading = models.CharField(_("見出し"), max_length=200)
    body = models.TextField(
        _("本文"),
        help_text=_("「## 」「### 」で見出し、「・」で箇条書き、空行で段落、「|」で表を書きます。"),
    )

    class Meta:
        verbose_name = _("本文セクション")
        verbose_name_plural = _("本文セクション")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "key"],
                name="section_key_unique_per_plan",
                violation_error_message=_("同じキーのセクションが既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return self.heading


class FiscalYear(models.Model):
    """A fiscal year of the plan period; its Japanese era label is computed from the year."""

    year = models.PositiveSmallIntegerField(
        _("年度（西暦）"), unique=True, help_text=_("年度が始まる年。2023 は令和5年度です。")
    )

    class Meta:
        verbose_name = _("年度")
        verbose_name_plural = _("年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return era_label(self.year)

    @property
    def short_label(self) -> str:
        return era_short(self.year)


class Policy(models.Model):
    """方針: one of the three basic policies."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="policies", verbose_name=_("プラン")
    )
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("名称"), max_length=200)
    subtitle = models.CharField(_("副題"), max_length=200, blank=True)
    description = models.TextField(_("説明"), blank=True)
    issues = models.JSONField(
        _("課題"),
        default=list,
        blank=True,
        help_text=_("基本方針の図でこの方針に至る課題（図の順）。"),
    )

    class Meta:
        verbose_name = _("方針")
        verbose_name_plural = _("方針")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="policy_number_unique_per_plan",
                violation_error_message=_("同じ番号の方針が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"方針{self.number} {self.title}"

    @property
    def full_title(self) -> str:
        return f"{self.title}（{self.subtitle}）" if self.subtitle else self.title


class Measure(models.Model):
    """施策: a measure under a policy, e.g. 方針1 (1) 働き方のDXと機能的な組織運営."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="measures", verbose_name=_("方針")
    )
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("名称"), max_length=200)
    summary = models.TextField(_("概要"), blank=True, help_text=_("概要ページの一文。"))
    description = models.TextField(_("説明"), blank=True, help_text=_("施策ページの本文。"))
    highlights = models.JSONField(_("主な取組"), default=list, blank=True)

    class Meta:
        verbose_name = _("施策")
        verbose_name_plural = _("施策")
        ordering = ["policy__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"],
                name="measure_number_unique_per_policy",
                violation_error_message=_("同じ方針に同じ番号の施策が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"方針{self.policy.number}（{self.number}）{self.title}"

    @property
    def label(self) -> str:
        return f"（{self.number}）{self.title}"


class Direction(models.Model):
    """取組の方向性: a direction (①, ②, …) under a measure."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="directions", verbose_name=_("施策")
    )
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("名称"), max_length=200)
    statement = models.CharField(_("方向性の文"), max_length=200, blank=True)
    examples = models.JSONField(_("主な取組"), default=list, blank=True)

    class Meta:
        verbose_name = _("取組の方向性")
        verbose_name_plural = _("取組の方向性")
        ordering = ["measure__policy__number", "measure__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "number"],
                name="direction_number_unique_per_measure",
                violation_error_message=_("同じ施策に同じ番号の方向性が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marker} {self.title}"

    @property
    def marker(self) -> str:
        return "①②③④⑤⑥⑦⑧⑨⑩"[self.number - 1]


class InitiativeQuerySet(models.QuerySet):
    def in_table_order(self) -> InitiativeQuerySet:
        return self.order_by("order")

    def with_structure(self) -> InitiativeQuerySet:
        return self.select_related("direction__measure__policy", "added_in").prefetch_related(
            "owners__department"
        )


class Initiative(models.Model):
    """取組: one initiative of the plan with its owners and description."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("プラン")
    )
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("取組の方向性"),
    )
    code = models.CharField(
        _("取組No."), max_length=20, help_text=_("例: 1, 90, R6-1（改訂で追加された取組）")
    )
    order = models.PositiveIntegerField(_("表示順"), help_text=_("取組事項一覧での並び順。"))
    name = models.CharField(_("取組事項名"), max_length=300)
    numeric_target = models.BooleanField(_("数値目標"), default=False)
    added_in = models.ForeignKey(
        PlanRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="added_initiatives",
        verbose_name=_("追加した改訂"),
        help_text=_("改訂で追加された取組（【R6新規】など）。当初からの取組は空。"),
    )
    departments = models.ManyToManyField(
        Department,
        through="InitiativeDepartment",
        related_name="initiatives",
        verbose_name=_("担当課"),
    )
    summary = models.TextField(_("概要"), blank=True)
    target_state = models.TextField(_("めざす姿"), blank=True)
    related_plans = models.JSONField(_("関連計画"), default=list, blank=True)
    secures_people = models.BooleanField(_("ヒト"), default=False)
    secures_money = models.BooleanField(_("カネ"), default=False)
    secures_things = models.BooleanField(_("モノ"), default=False)
    secures_information = models.BooleanField(_("情報"), default=False)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("取組")
        verbose_name_plural = _("取組")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="initiative_code_unique_per_plan",
                violation_error_message=_("この取組No.は既に使われています。"),
            ),
            models.UniqueConstraint(
                fields=["plan", "order"],
                name="initiative_order_unique_per_plan",
                violation_error_message=_("同じ表示順の取組が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.code} {self.name}"

    @property
    def resources(self) -> list[str]:
        return [label for label, field in RESOURCE_FIELDS.items() if getattr(self, field)]

    @property
    def department_names(self) -> str:
        return "、".join(owner.department.name for owner in self.owners.all())

    @property
    def name_prefix(self) -> str:
        """The mark the document prints before the name: 【R6新規】自治体専用…"""
        return self.added_in.badge if self.added_in_id else ""

    @property
    def name_suffix(self) -> str:
        """The mark the document prints after the name: …（累計）【数値目標】"""
        return "【数値目標】" if self.numeric_target else ""

    @property
    def badges(self) -> list[str]:
        badges = []
        if self.added_in_id:
            badges.append(self.added_in.badge)
        if self.numeric_target:
            badges.append("【数値目標】")
        return badges


class InitiativeDepartment(models.Model):
    """An owning department of an initiative, in the order the document lists them."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="owners", verbose_name=_("取組")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("担当課")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("担当課の割当")
        verbose_name_plural = _("担当課の割当")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "department"],
                name="initiative_department_unique",
                violation_error_message=_("この担当課は既に割り当てられています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative.code}: {self.department.name}"


class Relisting(models.Model):
    """【再掲】: an initiative shown again in the table of another direction."""

    direction = models.ForeignKey(
        Direction,
        on_delete=models.CASCADE,
        related_name="relistings",
        verbose_name=_("取組の方向性"),
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="relistings", verbose_name=_("取組")
    )
    position = models.PositiveSmallIntegerField(
        _("行の位置"), help_text=_("この方向性の表の何行目に載せるか（0から数えます）。")
    )
    # The 再掲 sheet as the document prints it, where it differs from the initiative's own
    # sheet: empty / null means "as the initiative's sheet".
    summary = models.TextField(_("概要（再掲シート）"), blank=True)
    target_state = models.TextField(_("めざす姿（再掲シート）"), blank=True)
    related_plans = models.JSONField(_("関連計画（再掲シート）"), null=True, blank=True)
    resources = models.JSONField(
        _("確保する行政資源（再掲シート）"),
        null=True,
        blank=True,
        help_text=_("ヒト・カネ・モノ・情報 の一覧。空なら取組のシートと同じ。"),
    )
    result_texts = models.JSONField(
        _("実施結果（再掲シート）"),
        default=dict,
        blank=True,
        help_text=_("年度（西暦）→ 再掲シートに印刷された実施結果の文。"),
    )

    class Meta:
        verbose_name = _("再掲")
        verbose_name_plural = _("再掲")
        ordering = ["direction", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "initiative"],
                name="relisting_unique_per_direction",
                violation_error_message=_("この取組は既にこの方向性に再掲されています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"【再掲】No.{self.initiative.code} → {self.direction}"


class GlossaryTerm(models.Model):
    """用語集: a term used in the plan with its explanation."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="glossary", verbose_name=_("プラン")
    )
    order = models.PositiveSmallIntegerField(_("表示順"))
    term = models.CharField(_("用語"), max_length=100)
    description = models.TextField(_("説明"))

    class Meta:
        verbose_name = _("用語")
        verbose_name_plural = _("用語集")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "term"],
                name="glossary_term_unique_per_plan",
                violation_error_message=_("同じ用語が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return self.term
