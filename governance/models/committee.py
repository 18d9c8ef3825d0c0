"""The committee's side: the 行政経営プラン推進委員会, its members and their terms, its
meetings with their material, the opinions (意見・提言) given at a meeting and the plan
revisions an opinion led to."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.validators import validate_material
from governance.vocabulary import MemberRole, Scope, meeting_label


class Committee(models.Model):
    """行政経営プラン推進委員会: outside experts who examine the plan's progress."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    description = models.TextField(
        _("説明"),
        blank=True,
        help_text=_("委員会の役割。公開ページの「推進委員会」に表示します。"),
    )

    class Meta:
        verbose_name = _("推進委員会")
        verbose_name_plural = _("推進委員会")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A member (委員) of the committee, with their affiliation and term of office."""

    Role = MemberRole

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("推進委員会")
    )
    name = models.CharField(_("氏名"), max_length=100)
    affiliation = models.CharField(
        _("所属・役職"), max_length=200, blank=True, help_text=_("例: 金沢大学 教授")
    )
    role = models.CharField(_("役割"), max_length=20, choices=MemberRole, default=MemberRole.MEMBER)
    term_start = models.DateField(_("任期の開始日"))
    term_end = models.DateField(
        _("任期の終了日"), null=True, blank=True, help_text=_("任期中で終了日が未定なら空。")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("委員")
        verbose_name_plural = _("委員")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="governance_member_term_ordered",
                violation_error_message=_("任期の終了日は開始日以降にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values),
                name="governance_member_role_valid",
                violation_error_message=_("役割は 委員長・副委員長・委員 のいずれかです。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.affiliation}）" if self.affiliation else self.name


class Meeting(models.Model):
    """A meeting (会議) of the committee that examined one fiscal year of the plan."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("推進委員会")
    )
    plan = models.ForeignKey(
        "initiatives.Plan",
        on_delete=models.PROTECT,
        related_name="committee_meetings",
        verbose_name=_("審議したプラン"),
    )
    fiscal_year = models.ForeignKey(
        "initiatives.FiscalYear",
        on_delete=models.PROTECT,
        related_name="committee_meetings",
        verbose_name=_("審議した年度"),
        help_text=_("実施結果を審議した年度。議会報告はこの年度の報告に載せます。"),
    )
    number = models.PositiveSmallIntegerField(
        _("回"), help_text=_("第何回の会議か（委員会の通し番号）。")
    )
    title = models.CharField(
        _("会議名"),
        max_length=200,
        blank=True,
        help_text=_("空なら「第○回 推進委員会の名称」と表示します。"),
    )
    date = models.DateField(_("開催日"))
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    agenda = models.TextField(_("議題"), help_text=_("1行に1つの議題を書きます。"))
    summary = models.TextField(
        _("議事要旨"), blank=True, help_text=_("会議の要旨、または議事録。公開ページに載ります。")
    )
    published_at = models.DateTimeField(
        _("公開日時"), null=True, blank=True, help_text=_("空のあいだは公開ページに出ません。")
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number"],
                name="governance_meeting_number_unique",
                violation_error_message=_("この委員会に同じ回の会議が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.date:%Y年%m月%d日}）"

    @property
    def label(self) -> str:
        return meeting_label(self.number)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


def material_path(instance: MeetingMaterial, filename: str) -> str:
    """A stored name of our own: the uploaded name is kept in `filename` for downloads only."""
    return f"committee/{instance.meeting_id}/{uuid.uuid4().hex}.pdf"


class MeetingMaterial(models.Model):
    """A document of a meeting (会議資料) as a PDF file, downloadable once it is published."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="materials", verbose_name=_("会議")
    )
    title = models.CharField(_("資料名"), max_length=200, help_text=_("例: 資料1 進捗状況"))
    file = models.FileField(
        _("PDFファイル"),
        upload_to=material_path,
        max_length=255,
        validators=[validate_material],
        help_text=_("PDF のみ。大きさの上限は設定 GOVERNANCE_MATERIAL_MAX_BYTES（既定 10 MB）。"),
    )
    filename = models.CharField(_("元のファイル名"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("大きさ（バイト）"), default=0)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("会議資料")
        verbose_name_plural = _("会議資料")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Opinion(models.Model):
    """意見・提言: one opinion or recommendation the committee gave at a meeting."""

    Scope = Scope

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("会議")
    )
    order = models.PositiveSmallIntegerField(_("番号"), help_text=_("会議の中での意見の番号。"))
    member = models.ForeignKey(
        CommitteeMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("発言した委員"),
        help_text=_("任意。委員会全体の意見なら空。"),
    )
    text = models.TextField(_("意見・提言"))
    scope = models.CharField(_("対象"), max_length=20, choices=Scope, default=Scope.PLAN)
    policy = models.ForeignKey(
        "initiatives.Policy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_opinions",
        verbose_name=_("対象の方針"),
        help_text=_("対象が「方針」のときに選びます。"),
    )
    measure = models.ForeignKey(
        "initiatives.Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_opinions",
        verbose_name=_("対象の施策"),
        help_text=_("対象が「施策」のときに選びます。"),
    )
    initiatives = models.ManyToManyField(
        "initiatives.Initiative",
        blank=True,
        related_name="committee_opinions",
        verbose_name=_("対象の取組"),
        help_text=_("対象が「取組」のときに1つ以上選びます。"),
    )
    published_at = models.DateTimeField(
        _("公開日時"),
        null=True,
        blank=True,
        help_text=_("会議の公開で設定されます。空のあいだは公開ページに出ません。"),
    )

    history = HistoricalRecords(verbose_name=_("意見・提言の履歴"))

    class Meta:
        verbose_name = _("意見・提言")
        verbose_name_plural = _("意見・提言")
        ordering = ["meeting_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="governance_opinion_order_unique",
                violation_error_message=_("この会議に同じ番号の意見が既にあります。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope=Scope.PLAN, policy__isnull=True, measure__isnull=True)
                    | Q(scope=Scope.POLICY, policy__isnull=False, measure__isnull=True)
                    | Q(scope=Scope.MEASURE, policy__isnull=True, measure__isnull=False)
                    | Q(scope=Scope.INITIATIVES, policy__isnull=True, measure__isnull=True)
                ),
                name="governance_opinion_target_matches_scope",
                violation_error_message=_(
                    "対象の種類と、選んだ方針・施策が合っていません"
                    "（方針なら方針だけ、施策なら施策だけを選びます）。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.label} 意見{self.order}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class OpinionOutcome(models.Model):
    """How an opinion led to a plan revision: the revision and the initiatives it touched."""

    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("意見・提言")
    )
    revision = models.ForeignKey(
        "initiatives.PlanRevision",
        on_delete=models.PROTECT,
        related_name="committee_outcomes",
        verbose_name=_("改訂"),
        help_text=_("この意見を受けて行ったプランの改訂。"),
    )
    initiatives = models.ManyToManyField(
        "initiatives.Initiative",
        blank=True,
        related_name="committee_outcomes",
        verbose_name=_("追加・見直した取組"),
        help_text=_(
            "改訂で追加した取組は「委員会の提言を受けて追加」、既存の取組は"
            "「委員会の提言を受けて見直し」と取組のページに表示します。"
        ),
    )
    note = models.TextField(
        _("内容"), blank=True, help_text=_("例: 提言を受け、デジタル人材の育成に関する取組を追加")
    )

    class Meta:
        verbose_name = _("提言を受けた改訂")
        verbose_name_plural = _("提言を受けた改訂")
        ordering = ["revision__date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "revision"],
                name="governance_outcome_unique_per_revision",
                violation_error_message=_("この意見とこの改訂の結び付きは既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opinion} → {self.revision}"
