"""Admin screens of the responses workflow: 委員会の意見への対応 (the departments' list and
entry screen, HQ's review on the same screen) and each response's history.

Every screen asks `governance.permissions` on the server: querysets are restricted and
each object is checked; links are hidden only as a courtesy.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from governance import transitions
from governance.forms import ResponseEntryForm, ReviewForm
from governance.models import Response
from governance.permissions import Action, allowed, check, restrict
from governance.selectors import entry_context, response_history, responses_for_list
from governance.services import responses as services
from governance.transitions import Step
from initiatives.roles import is_hq


def state_badge(state: str) -> str:
    # Styled inline: the badge also shows on Django's own list and change pages.
    return format_html(
        '<span class="gv-badge" style="background:{};color:#fff;padding:1px 8px;'
        'border-radius:10px;font-size:12px;white-space:nowrap">{}</span>',
        transitions.colour(state),
        Response.State(state).label,
    )


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """委員会の意見への対応: departments answer their assignments, HQ reviews them."""

    list_display = [
        "opinion_display",
        "department_display",
        "state_display",
        "status",
        "updated_at",
        "updated_by",
    ]
    list_display_links = ["opinion_display"]
    list_filter = [
        "state",
        "status",
        "assignment__opinion__meeting",
        ("assignment__department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["assignment__opinion__text", "text", "assignment__department__name"]
    list_per_page = 50
    ordering = ["-assignment__opinion__meeting__date", "assignment__opinion__order", "pk"]
    actions = ["approve_selected"]
    change_list_template = "admin/governance/response/change_list.html"

    # --- who may do what (governance.permissions decides) ---

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return restrict(responses_for_list(super().get_queryset(request)), request.user, "view")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return allowed(request.user, obj, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return allowed(request.user, obj, Action.ANSWER)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.REVIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return False

    def get_list_filter(self, request: HttpRequest) -> list:
        if is_hq(request.user):
            return self.list_filter
        return [f for f in self.list_filter if not isinstance(f, tuple)]

    def get_object(self, request: HttpRequest, object_id: str, from_field=None) -> Response:
        response = super().get_object(request, object_id, from_field)
        if response is None:
            raise Http404("この対応は見つからないか、見る権限がありません。")
        return response

    # --- list ---

    @admin.display(description=_("意見・提言"), ordering="assignment__opinion__order")
    def opinion_display(self, obj: Response) -> str:
        opinion = obj.assignment.opinion
        meeting = f"{opinion.meeting.label}（{opinion.meeting.date:%Y/%m/%d}）"
        return f"{meeting}意見{opinion.order} {Truncator(opinion.text).chars(40)}"

    @admin.display(description=_("担当課"), ordering="assignment__department__name")
    def department_display(self, obj: Response) -> str:
        return obj.assignment.department.name

    @admin.display(description=_("回答状況"), ordering="state")
    def state_display(self, obj: Response) -> str:
        return state_badge(obj.state)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        hq = is_hq(request.user)
        extra = {
            "is_hq": hq,
            "title": "委員会の意見への対応（確認）" if hq else "委員会の意見への対応（入力）",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    @admin.action(description=_("選択した提出済の対応を承認する"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        approvable = restrict(queryset, request.user, Action.REVIEW).filter(
            state__in=transitions.sources(Step.APPROVE)
        )
        done = 0
        for response in approvable:
            services.approve_response(
                response=response, user=request.user, version=response.version
            )
            done += 1
        if done:
            self.message_user(request, f"{done}件を承認しました。", messages.SUCCESS)
        skipped = queryset.count() - done
        if skipped:
            self.message_user(
                request,
                f"{skipped}件は提出済ではないため、何もしていません。",
                messages.WARNING,
            )

    # --- extra screens ---

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:response_id>/steps/",
                wrap(self.steps_view),
                name="governance_response_steps",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            **extra,
        }

    def steps_view(self, request: HttpRequest, response_id: int) -> TemplateResponse:
        """Every step and field change of a response, with submitted-vs-approved diffs."""
        response = self.get_object(request, str(response_id))
        context = entry_context(response=response)
        return TemplateResponse(
            request,
            "admin/governance/response/history.html",
            self._context(
                request,
                title=f"{context.opinion} への対応（{response.assignment.department.name}）の履歴",
                entry=context,
                history=response_history(response=response),
            ),
        )

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        response = self.get_object(request, unquote(object_id))
        return HttpResponseRedirect(reverse("admin:governance_response_steps", args=[response.pk]))

    # --- the entry / review screen ---

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        user = request.user
        response = self.get_object(request, unquote(object_id))
        entry_form = ResponseEntryForm(
            initial={
                "version": response.version,
                "status": response.status,
                "text": response.text,
                "reason": response.reason,
            }
        )
        review_form = ReviewForm(initial={"version": response.version})
        status = 200
        if request.method == "POST":
            action = request.POST.get("_action", "")
            if action in ("save", "submit"):
                check(user, response, Action.ANSWER)
                entry_form = ResponseEntryForm(request.POST)
                status = self._handle_entry(request, response, entry_form, action)
            elif action in ("return", "approve", "reopen"):
                check(user, response, Action.REOPEN if action == "reopen" else Action.REVIEW)
                review_form = ReviewForm(request.POST)
                status = self._handle_review(request, response, review_form, action)
            else:
                return HttpResponse("不明な操作です。", status=400)
            if status == 302:
                return HttpResponseRedirect(request.path)
            response.refresh_from_db()
        can_edit = allowed(user, response, Action.ANSWER)
        read_only_reason = "" if can_edit else transitions.locked_reason(response.state)
        context = entry_context(response=response)
        return TemplateResponse(
            request,
            "admin/governance/response/entry.html",
            self._context(
                request,
                title="委員会の意見への対応",
                response=response,
                entry=context,
                opinion=context.opinion,
                meeting=context.opinion.meeting,
                state_badge=state_badge(response.state),
                form=entry_form,
                review_form=review_form,
                can_edit=can_edit,
                can_review=allowed(user, response, Action.REVIEW),
                can_approve=response.state in transitions.sources(Step.APPROVE),
                can_reopen=allowed(user, response, Action.REOPEN),
                read_only_reason=read_only_reason,
                conflict=status == 409,
                original=response,
                has_view_permission=True,
            ),
            status=status,
        )

    def _handle_entry(
        self, request: HttpRequest, response: Response, form: ResponseEntryForm, action: str
    ) -> int:
        if not form.is_valid():
            return 200
        service = services.save_and_submit if action == "submit" else services.save_draft
        try:
            service(
                response=response,
                user=request.user,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
            )
        except services.StaleResponseError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            apply_errors(form, error)
            return 200
        done = (
            "提出しました。推進本部に通知しました。"
            if action == "submit"
            else "一時保存しました。入力が終わったら「提出する」を押してください。"
        )
        self.message_user(request, done, messages.SUCCESS)
        return 302

    def _handle_review(
        self, request: HttpRequest, response: Response, form: ReviewForm, action: str
    ) -> int:
        if not form.is_valid():
            return 200
        service = {
            "return": services.return_response,
            "approve": services.approve_response,
            "reopen": services.reopen_response,
        }[action]
        try:
            service(
                response=response,
                user=request.user,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except services.StaleResponseError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            apply_errors(form, error)
            return 200
        done = {
            "return": "差し戻しました。担当課に通知しました。",
            "approve": "承認しました。担当課に通知しました。会議の公開で市民に公開されます。",
            "reopen": "修正のため再開しました。公開中の内容は、再承認・再公開まで変わりません。",
        }[action]
        self.message_user(request, done, messages.SUCCESS)
        return 302
