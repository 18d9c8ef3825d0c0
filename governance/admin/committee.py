"""Admin screens of HQ's records: the 推進委員会 with its members, meetings with their PDF
material and publication, and opinions with what they concern, the departments asked to
respond and the plan revisions they led to. Every write goes through
`governance.services.committee`; `governance.permissions` decides who sees the screens."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from governance import transitions
from governance.admin.responses import state_badge
from governance.models import (
    Committee,
    CommitteeMember,
    Meeting,
    MeetingMaterial,
    Opinion,
    OpinionOutcome,
    Response,
)
from governance.permissions import Action, allowed, check
from governance.selectors import target_label
from governance.services import committee as services
from governance.transitions import Step
from governance.validators import max_material_bytes, size_label
from initiatives.models import Department, FiscalYear, PlanRevision
from initiatives.plan.selectors import get_plan
from initiatives.public.selectors import published_years


class HQPermissions:
    """The committee's records: HQ (the 推進本部) alone sees and changes them; published
    meetings and opinions are never deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.MANAGE)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, None, Action.MANAGE)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return allowed(request.user, None, Action.MANAGE)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, None, Action.MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        published = getattr(obj, "published_at", None) is not None
        return allowed(request.user, None, Action.MANAGE) and not published


class CommitteeMemberInline(HQPermissions, admin.TabularInline):
    model = CommitteeMember
    extra = 1
    fields = ["order", "name", "affiliation", "role", "term_start", "term_end"]


@admin.register(Committee)
class CommitteeAdmin(HQPermissions, admin.ModelAdmin):
    """推進委員会: its name, role and members with their terms."""

    list_display = ["name", "member_count"]
    inlines = [CommitteeMemberInline]

    @admin.display(description=_("委員"))
    def member_count(self, obj: Committee) -> str:
        return f"{obj.members.count()}人"


# --- meetings ------------------------------------------------------------------------


class _StoredMaterial:
    """A stored material as the file input shows it: its uploaded name, linked to the
    admin's download (the media folder is not served)."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name

    def __str__(self) -> str:
        return self.name


class MaterialFileInput(forms.ClearableFileInput):
    def format_value(self, value):
        if self.is_initial(value):
            material = value.instance
            url = reverse(
                "admin:governance_meeting_material", args=[material.meeting_id, material.pk]
            )
            return _StoredMaterial(url, material.filename or material.title)
        return None


class MeetingMaterialInline(HQPermissions, admin.TabularInline):
    model = MeetingMaterial
    extra = 1
    fields = ["order", "title", "file", "size_display"]
    readonly_fields = ["size_display"]
    formfield_overrides = {models.FileField: {"widget": MaterialFileInput}}
    verbose_name_plural = _("会議資料（PDF）")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A wrong file may be taken off a published meeting too (obj is the meeting).
        return allowed(request.user, None, Action.MANAGE)

    @admin.display(description=_("大きさ"))
    def size_display(self, obj: MeetingMaterial) -> str:
        return size_label(obj.size) if obj.size else "—"

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["file"]
        field.help_text = f"PDF のみ、{size_label(max_material_bytes())} まで。"
        field.widget.attrs["accept"] = ".pdf,application/pdf"
        formset.form.base_fields["order"].required = False
        return formset


class OpinionInline(HQPermissions, admin.TabularInline):
    """The meeting's opinions at a glance; each opens on its own screen."""

    model = Opinion
    extra = 0
    fields = ["order", "excerpt", "target", "responses"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("policy", "measure__policy")
            .prefetch_related("initiatives", "assignments__department", "assignments__response")
        )

    @admin.display(description=_("意見・提言"))
    def excerpt(self, obj: Opinion) -> str:
        return Truncator(obj.text).chars(60)

    @admin.display(description=_("対象"))
    def target(self, obj: Opinion) -> str:
        return target_label(obj)

    @admin.display(description=_("担当課と回答状況"))
    def responses(self, obj: Opinion) -> str:
        return department_states(obj)


def department_states(opinion: Opinion) -> str:
    rows = [(a.department.name, state_badge(a.response.state)) for a in opinion.assignments.all()]
    return format_html_join(" ", "{} {}", rows) if rows else "（未割当）"


@admin.register(Meeting)
class MeetingAdmin(HQPermissions, admin.ModelAdmin):
    """会議: HQ records a meeting with its material, and publishes it with its opinions and
    the approved responses."""

    list_display = ["__str__", "title", "fiscal_year", "opinion_count", "published_display"]
    list_filter = ["fiscal_year", "committee"]
    fields = [
        "committee",
        "plan",
        "fiscal_year",
        "number",
        "title",
        "date",
        "venue",
        "agenda",
        "summary",
        "published_at",
    ]
    readonly_fields = ["published_at"]
    inlines = [MeetingMaterialInline, OpinionInline]
    actions = ["publish_selected"]
    change_form_template = "admin/governance/meeting/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("fiscal_year")
            .annotate(opinion_total=Count("opinions", distinct=True))
        )

    @admin.display(description=_("意見・提言"), ordering="opinion_total")
    def opinion_count(self, obj: Meeting) -> str:
        return f"{obj.opinion_total}件"

    @admin.display(description=_("公開"))
    def published_display(self, obj: Meeting) -> str:
        if obj.published_at is None:
            return "未公開"
        return f"公開中（{timezone.localtime(obj.published_at):%Y/%m/%d}）"

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "fiscal_year":
            plan = get_plan()
            kwargs["queryset"] = FiscalYear.objects.filter(
                year__range=(plan.start_year, plan.end_year)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        committee = Committee.objects.order_by("pk").first()
        plan = get_plan()
        years = published_years(plan=plan)
        top = Meeting.objects.filter(committee=committee).aggregate(top=Max("number"))["top"]
        return {
            "committee": committee,
            "plan": plan,
            "fiscal_year": years[-1] if years else None,
            "number": (top or 0) + 1,
            "date": timezone.localdate(),
            **initial,
        }

    def save_model(self, request: HttpRequest, obj: Meeting, form, change: bool) -> None:
        services.save_meeting(meeting=obj, user=request.user)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not MeetingMaterial:
            return super().save_formset(request, form, formset, change)
        for material in formset.save(commit=False):
            services.save_material(material=material, user=request.user)
        for material in formset.deleted_objects:
            services.delete_material(material=material, user=request.user)
        return None

    # --- publication ---

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:meeting_id>/publish/",
                wrap(self.publish_view),
                name="governance_meeting_publish",
            ),
            path(
                "<int:meeting_id>/materials/<int:material_id>/",
                wrap(self.material_view),
                name="governance_meeting_material",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, meeting_id: int) -> HttpResponse:
        """HQ publishes a meeting, its opinions and the approved responses (after a check)."""
        check(request.user, None, Action.PUBLISH)
        meeting = get_object_or_404(Meeting.objects.select_related("fiscal_year"), pk=meeting_id)
        if request.method == "POST":
            summary = services.publish_meeting(meeting=meeting, user=request.user)
            self.message_user(request, _publish_message(summary), messages.SUCCESS)
            if summary.waiting:
                self.message_user(
                    request,
                    f"まだ承認されていない対応が {summary.waiting}件 あります。"
                    "承認した後にもう一度この会議を公開すると、市民向けページに載ります。",
                    messages.WARNING,
                )
            return HttpResponseRedirect(
                reverse("admin:governance_meeting_change", args=[meeting.pk])
            )
        responses = (
            Response.objects.filter(assignment__opinion__meeting=meeting)
            .select_related("assignment__opinion", "assignment__department")
            .order_by("assignment__opinion__order", "pk")
        )
        return TemplateResponse(
            request,
            "admin/governance/meeting/publish_confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{meeting} を公開",
                "meeting": meeting,
                "new_opinions": meeting.opinions.filter(published_at__isnull=True).count(),
                "approved": [r for r in responses if r.state in transitions.sources(Step.PUBLISH)],
                "waiting": [
                    r
                    for r in responses
                    if r.state not in (*transitions.sources(Step.PUBLISH), Response.State.PUBLISHED)
                ],
            },
        )

    def material_view(self, request: HttpRequest, meeting_id: int, material_id: int):
        """HQ opens a material, published or not."""
        check(request.user, None, Action.MANAGE)
        material = get_object_or_404(MeetingMaterial, pk=material_id, meeting_id=meeting_id)
        try:
            handle = material.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("資料のファイルが見つかりません。") from missing
        response = FileResponse(
            handle, content_type="application/pdf", filename=material.filename or "資料.pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("選択した会議を公開する（承認済の対応も公開）"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        check(request.user, None, Action.PUBLISH)
        for meeting in queryset:
            summary = services.publish_meeting(meeting=meeting, user=request.user)
            self.message_user(request, f"{meeting}: {_publish_message(summary)}", messages.SUCCESS)


def _publish_message(summary: services.PublishSummary) -> str:
    first = "会議を公開しました。" if summary.meeting_published else "会議は公開中です。"
    return (
        f"{first}意見・提言 {summary.opinions}件、市の対応 {summary.responses}件を"
        "新たに公開しました。"
    )


# --- opinions --------------------------------------------------------------------------


class OpinionForm(forms.ModelForm):
    """An opinion, what it concerns and the departments asked to respond."""

    departments = forms.ModelMultipleChoiceField(
        label="対応を依頼する担当課",
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=FilteredSelectMultiple("担当課", is_stacked=False),
        help_text=(
            "選んだ課に対応方針の作成を依頼し、メールで知らせます。"
            "まだ何も入力していない課は外せます。"
        ),
    )

    class Meta:
        model = Opinion
        fields = ["meeting", "order", "member", "text", "scope", "policy", "measure", "initiatives"]
        widgets = {
            "scope": forms.RadioSelect,
            "initiatives": FilteredSelectMultiple("取組", is_stacked=False),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = "空なら会議の最後の番号の次になります。"
        if self.instance.pk:
            self.fields["departments"].initial = list(
                self.instance.assignments.values_list("department", flat=True)
            )

    def clean(self) -> dict:
        data = super().clean()
        meeting = data.get("meeting")
        if meeting is None or "scope" not in data:
            return data
        probe = Opinion(
            meeting=meeting,
            scope=data["scope"],
            policy=data.get("policy"),
            measure=data.get("measure"),
        )
        initiatives = list(data.get("initiatives") or [])
        for field, message in services.opinion_target_errors(probe, initiatives).items():
            self.add_error(field, message)
        if self.instance.pk:
            departments = data.get("departments") or []
            errors = services.assignment_errors(opinion=self.instance, departments=departments)
            for field, message in errors.items():
                self.add_error(field, message)
        return data


class OpinionOutcomeForm(forms.ModelForm):
    class Meta:
        model = OpinionOutcome
        fields = ["revision", "initiatives", "note"]

    def clean(self) -> dict:
        data = super().clean()
        opinion = self.instance.opinion if self.instance.opinion_id else None
        if opinion is None or data.get("revision") is None:
            return data
        probe = OpinionOutcome(opinion=opinion, revision=data["revision"])
        for field, message in services.outcome_errors(
            probe, list(data.get("initiatives") or [])
        ).items():
            self.add_error(field, message)
        return data


class OpinionOutcomeInline(HQPermissions, admin.StackedInline):
    """The plan revisions this opinion led to (「委員会の提言を受けて追加」)."""

    model = OpinionOutcome
    form = OpinionOutcomeForm
    extra = 0
    filter_horizontal = ["initiatives"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "revision":
            kwargs["queryset"] = PlanRevision.objects.filter(kind=PlanRevision.Kind.REVISION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Opinion)
class OpinionAdmin(HQPermissions, admin.ModelAdmin):
    """意見・提言: HQ records what the committee said, what it concerns and which
    departments draft the city's response."""

    form = OpinionForm
    list_display = ["__str__", "excerpt", "target", "responses", "published_display"]
    list_filter = [
        "meeting",
        "scope",
        ("assignments__department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text"]
    inlines = [OpinionOutcomeInline]
    fieldsets = [
        (None, {"fields": ["meeting", "order", "member", "text"]}),
        (
            _("対象（何についての意見か）"),
            {
                "fields": ["scope", "policy", "measure", "initiatives"],
                "description": _(
                    "対象を選び、方針なら方針を、施策なら施策を、取組なら取組を選びます"
                    "（プラン全体なら何も選びません）。"
                ),
            },
        ),
        (_("市の対応"), {"fields": ["departments"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("meeting", "policy", "measure__policy")
            .prefetch_related("initiatives", "assignments__department", "assignments__response")
        )

    @admin.display(description=_("内容"))
    def excerpt(self, obj: Opinion) -> str:
        return Truncator(obj.text).chars(40)

    @admin.display(description=_("対象"))
    def target(self, obj: Opinion) -> str:
        return target_label(obj)

    @admin.display(description=_("担当課と回答状況"))
    def responses(self, obj: Opinion) -> str:
        return department_states(obj)

    @admin.display(description=_("公開"), boolean=True)
    def published_display(self, obj: Opinion) -> bool:
        return obj.is_published

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        if "meeting" not in initial:
            latest = Meeting.objects.order_by("-date", "-number").first()
            if latest:
                initial["meeting"] = latest.pk
        return initial

    def save_model(self, request: HttpRequest, obj: Opinion, form, change: bool) -> None:
        services.save_opinion(
            opinion=obj, initiatives=form.cleaned_data["initiatives"], user=request.user
        )
        try:
            services.set_assignments(
                opinion=obj, departments=form.cleaned_data["departments"], user=request.user
            )
        except ValidationError as error:
            # The form checked this a moment ago, so a department answered in between: the
            # opinion is saved and its assignments are left as they are.
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The initiatives were set by save_opinion; the outcomes go through their service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # save(commit=False) also lists what changed, for the admin's change message.
        changed = formset.save(commit=False)
        for outcome_form in formset.forms:
            if not any(outcome_form.instance is outcome for outcome in changed):
                continue
            outcome = outcome_form.instance
            outcome.opinion = form.instance
            services.save_outcome(
                outcome=outcome,
                initiatives=outcome_form.cleaned_data.get("initiatives") or [],
                user=request.user,
            )
        for outcome in formset.deleted_objects:
            services.delete_outcome(outcome=outcome, user=request.user)

    def response_add(self, request: HttpRequest, obj: Opinion, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            # The next opinion is usually of the same meeting.
            url = reverse("admin:governance_opinion_add")
            return HttpResponseRedirect(f"{url}?meeting={obj.meeting_id}")
        return response
