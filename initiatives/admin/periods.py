"""入力期間: HQ opens a fiscal year for entry with a deadline, moves the deadline and closes
or reopens the year; each goes through `results.services`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from initiatives.admin.common import HQOnlyAdmin
from initiatives.models import EvaluationPeriod
from initiatives.plan.archive import refuse_if_closed
from initiatives.plan.selectors import plan_of_year
from initiatives.results import services
from initiatives.results.permissions import Action, allowed
from initiatives.results.selectors import deadline_text


class EvaluationPeriodForm(forms.ModelForm):
    """Says on the form, before saving, what the services would refuse: a closed plan's year."""

    class Meta:
        model = EvaluationPeriod
        fields = ["fiscal_year", "deadline"]

    def clean(self) -> dict:
        cleaned = super().clean()
        fiscal_year = cleaned.get("fiscal_year") or (
            self.instance.fiscal_year if self.instance.fiscal_year_id else None
        )
        if fiscal_year:
            refuse_if_closed(plan_of_year(fiscal_year.year))
        return cleaned


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(HQOnlyAdmin):
    """入力期間: HQ opens a fiscal year for entry with a deadline and closes it."""

    form = EvaluationPeriodForm

    list_display = [
        "fiscal_year",
        "deadline",
        "remaining",
        "open_display",
        "opened_at",
        "closed_at",
    ]
    fields = ["fiscal_year", "deadline"]
    actions = ["close_selected", "reopen_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.MANAGE_PERIODS)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, None, Action.MANAGE_PERIODS)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["fiscal_year"] if obj else []

    @admin.display(description=_("残り日数"))
    def remaining(self, obj: EvaluationPeriod) -> str:
        return deadline_text(obj)

    @admin.display(description=_("受付中"), boolean=True)
    def open_display(self, obj: EvaluationPeriod) -> bool:
        return obj.is_open

    def save_model(self, request: HttpRequest, obj: EvaluationPeriod, form, change: bool) -> None:
        if change:
            services.set_deadline(period=obj, deadline=obj.deadline, user=request.user)
        else:
            period = services.open_period(
                fiscal_year=obj.fiscal_year, deadline=obj.deadline, user=request.user
            )
            obj.pk = period.pk

    @admin.action(description=_("選択した年度の受付を終了する"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for period in queryset:
            services.close_period(period=period, user=request.user)
        self.message_user(request, "受付を終了しました。担当課は編集できなくなります。")

    @admin.action(description=_("選択した年度の受付を再開する"), permissions=["change"])
    def reopen_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for period in queryset.select_related("fiscal_year"):
            try:
                services.open_period(
                    fiscal_year=period.fiscal_year, deadline=period.deadline, user=request.user
                )
            except ValidationError as refused:
                self.message_user(request, " ".join(refused.messages), messages.ERROR)
                return
        self.message_user(request, "受付を再開しました。")
