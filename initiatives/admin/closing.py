"""「プランを終了する」: HQ closes a plan from its admin page, after a confirmation that shows
the plan's final achievement summary; `publication.services.close_plan` decides and writes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from initiatives.admin.common import ScreenContext
from initiatives.models import Plan
from initiatives.plan.archive import closed_message
from initiatives.publication.selectors import final_summary
from initiatives.publication.services import close_plan, closing_refusals
from initiatives.results.permissions import Action, allowed, check


class PlanClosing(ScreenContext):
    """The close screen of PlanAdmin, and its button on the plan's page."""

    change_form_template = "admin/initiatives/plan/change_form.html"

    def closing_urls(self) -> list:
        return [
            path(
                "<int:plan_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="initiatives_plan_close",
            )
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = Plan.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {
            "can_close_plan": plan is not None
            and not plan.is_closed
            and allowed(request.user, None, Action.CLOSE_PLAN),
            "closed_message": closed_message(plan) if plan and plan.is_closed else "",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def close_view(self, request: HttpRequest, plan_id: int) -> HttpResponse:
        check(request.user, None, Action.CLOSE_PLAN)
        plan = get_object_or_404(Plan, pk=plan_id)
        errors: list[str] = []
        if request.method == "POST":
            try:
                close_plan(plan=plan, user=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                self.message_user(
                    request,
                    f"「{plan.title}」を終了しました。公開ページと報告書はそのまま公開され、"
                    "以後の変更は推進本部の訂正だけです。",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:initiatives_plan_change", args=[plan.pk])
                )
        return TemplateResponse(
            request,
            "admin/initiatives/plan/close_confirm.html",
            self._context(
                request,
                title=f"「{plan.title}」を終了する",
                plan=plan,
                refusals=errors or closing_refusals(plan),
                summary=final_summary(plan=plan),
            ),
            status=400 if errors else 200,
        )
