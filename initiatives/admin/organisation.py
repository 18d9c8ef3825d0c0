"""組織改正: HQ records a reorganisation of departments (rename, merge, split, hand-over) on
one screen — the form, a preview of the initiatives that move and the staff concerned, then
confirmation. Thin over `initiatives.plan.reorganisation`; the list is read-only, since a
recorded reorganisation is history, never edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from initiatives.admin.common import HQOnlyAdmin, ScreenContext
from initiatives.models import Department, Reorganisation
from initiatives.plan.reorganisation import Preview, preview_reorganisation, record_reorganisation
from initiatives.results.permissions import Action, allowed, check


class ReorganisationForm(forms.Form):
    """What HQ types: the date, the kind, from which departments to which."""

    effective_date = forms.DateField(
        label=_("施行日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("新しい組織が始まる日（例: 2027-04-01）。改正前の担当課はその前日までです。"),
        error_messages={"invalid": "施行日は 2027-04-01 の形で入力してください。"},
    )
    kind = forms.ChoiceField(label=_("種類"), choices=Reorganisation.Kind.choices)
    sources = forms.ModelMultipleChoiceField(
        label=_("改正前の担当課"),
        queryset=Department.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("統合は2つ以上、名称変更・分割・移管は1つ。"),
        error_messages={"required": "改正前の担当課を選んでください。"},
    )
    existing_targets = forms.ModelMultipleChoiceField(
        label=_("改正後の担当課（既存）"),
        queryset=Department.objects.filter(valid_until__isnull=True).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    new_names = forms.CharField(
        label=_("改正後の担当課（新しい名称）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("新しくできる担当課の名称を1行に1つ。施行日から有効になります。"),
    )
    note = forms.CharField(
        label=_("備考"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    move_staff = forms.BooleanField(
        label=_("所属職員を改正後の担当課にも所属させる（名称変更・統合）"),
        required=False,
        initial=True,
    )

    def targets(self) -> list[str]:
        names = [d.name for d in self.cleaned_data.get("existing_targets") or []]
        names += (self.cleaned_data.get("new_names") or "").splitlines()
        return names

    def add_service_errors(self, error: ValidationError) -> None:
        fields = {"targets": "new_names", "assignments": None}
        for name, messages_ in error.message_dict.items():
            field_name = fields.get(name, name)
            for message in messages_:
                self.add_error(field_name if field_name in self.fields else None, message)


@admin.register(Reorganisation)
class ReorganisationAdmin(ScreenContext, HQOnlyAdmin):
    """組織改正: the recorded reorganisations, newest first; 「組織改正を登録する」 adds one."""

    list_display = [
        "effective_date",
        "kind",
        "sources_display",
        "targets_display",
        "note",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["kind"]
    ordering = ["-effective_date", "-pk"]
    change_list_template = "admin/initiatives/reorganisation/change_list.html"

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("recorded_by")
            .prefetch_related("sources", "targets")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.REORGANISE)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("改正前"))
    def sources_display(self, obj: Reorganisation) -> str:
        return "、".join(d.name for d in obj.sources.all())

    @admin.display(description=_("改正後"))
    def targets_display(self, obj: Reorganisation) -> str:
        return "、".join(d.name for d in obj.targets.all())

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("record/", wrap(self.record_view), name="initiatives_reorganisation_record"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        return HttpResponseRedirect(reverse("admin:initiatives_reorganisation_record"))

    def record_view(self, request: HttpRequest) -> HttpResponse:
        """「組織改正を登録する」: form → preview → confirm (HQ only)."""
        check(request.user, None, Action.REORGANISE)
        if request.method != "POST":
            return self._render(request, ReorganisationForm(), None)
        form = ReorganisationForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, None)
        arguments = {
            "effective_date": form.cleaned_data["effective_date"],
            "kind": form.cleaned_data["kind"],
            "sources": list(form.cleaned_data["sources"]),
            "targets": form.targets(),
        }
        try:
            preview = preview_reorganisation(**arguments)
        except ValidationError as error:
            form.add_service_errors(error)
            return self._render(request, form, None)
        if "back" in request.POST:
            return self._render(request, form, None)
        if "confirm" not in request.POST:
            return self._render(request, form, preview)
        chosen = {
            move.initiative.pk: request.POST.get(f"assign_{move.initiative.pk}", "")
            for move in preview.moves
        }
        try:
            reorganisation = record_reorganisation(
                **arguments,
                assignments=chosen,
                note=form.cleaned_data["note"],
                move_staff=form.cleaned_data["move_staff"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self._render(request, form, preview, chosen=chosen)
        self.message_user(
            request,
            f"組織改正（{reorganisation}）を登録しました。取組{len(preview.moves)}件の担当課が"
            f"{preview.effective_date:%Y年%m月%d日}から変わります。",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:initiatives_reorganisation_changelist"))

    def _render(
        self,
        request: HttpRequest,
        form: ReorganisationForm,
        preview: Preview | None,
        chosen: dict[int, str] | None = None,
    ) -> TemplateResponse:
        rows = []
        if preview is not None:
            rows = [(move, (chosen or {}).get(move.initiative.pk, "")) for move in preview.moves]
        return TemplateResponse(
            request,
            "admin/initiatives/reorganisation/record.html",
            self._context(
                request,
                title="組織改正を登録する",
                form=form,
                preview=preview,
                rows=rows,
            ),
        )
