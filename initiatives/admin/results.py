"""実施結果: the results list, the entry screen of the departments (HQ reviews one result
there too) and each initiative's history.

HQ's review queue and the bulk steps (`admin.review`), the screens of a whole year
(overview, publish, `admin.overview`) and the spreadsheet screens (`admin.result_sheets`)
are mixins of the same ModelAdmin, so that every URL stays under /admin/initiatives/result/.
Every screen asks `initiatives.results.permissions` on the server: querysets are restricted
and each object is checked; links are hidden only as a courtesy.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from initiatives.admin.common import JapaneseSearch, ScreenContext, several_plans, state_badge
from initiatives.admin.overview import YearScreens
from initiatives.admin.result_sheets import SheetScreens
from initiatives.admin.review import BulkSteps, ReviewScreens
from initiatives.models import Department, Initiative, PublicCorrection, Result, WorkflowEvent
from initiatives.plan.archive import closed_message
from initiatives.plan.organisation import annotate_owners, handled_groups, result_filter
from initiatives.results import services, transitions
from initiatives.results.consistency import entry_findings, findings_for, result_findings
from initiatives.results.forms import ResultEntryForm, ReviewForm
from initiatives.results.permissions import Action, allowed, check, restrict
from initiatives.results.selectors import (
    days_left,
    deadline_text,
    entry_context,
    initiative_history,
    next_to_enter,
    open_periods,
)
from initiatives.results.transitions import Step
from initiatives.roles import is_hq
from initiatives.vocabulary import number_text
from ops import kept_forms

KEPT_FORM_RESTORED = (
    "ログインの有効期限が切れたため保存していません。入力内容を復元しました。"
    "確認して保存してください。"
)


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class NeedsCheckFilter(admin.SimpleListFilter):
    """「要確認」: results whose status disagrees with their figures (results.checks)."""

    title = _("要確認（達成状況と実績値の照合）")
    parameter_name = "needs_check"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "要確認あり"), ("no", "要確認なし")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        found = findings_for(queryset.only("pk", "initiative", "fiscal_year", "status", "note"))
        flagged = [pk for pk, items in found.items() if items]
        if self.value() == "yes":
            return queryset.filter(pk__in=flagged)
        return queryset.exclude(pk__in=flagged)


class DepartmentFilter(admin.SimpleListFilter):
    """担当課 (HQ): the results a department owned in their fiscal year, reorganisations
    followed (initiatives.plan.organisation), not the plan's original assignment."""

    title = _("担当課（その年度）")
    parameter_name = "department"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(str(d.pk), d.name) for d in Department.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(result_filter(handled_groups([int(value)])))


class ResultChangeList(ChangeList):
    """The results list, with every row's findings and owners read in a fixed number of
    queries."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        annotate_owners(self.result_list)
        found = findings_for(self.result_list)
        for result in self.result_list:
            result.findings = found[result.pk]


def _findings_cell(result: Result) -> str:
    found = getattr(result, "findings", None)
    if found is None:
        found = result_findings(result)
    if not found:
        return "—"
    messages_html = format_html_join("", "<li>{}</li>", ((f.message,) for f in found))
    reason = (
        format_html("<br><small>理由: {}</small>", result.consistency_reason)
        if result.consistency_reason
        else ""
    )
    return format_html(
        '<details class="wf-needs-check"><summary><strong style="color:#b26a00">'
        "要確認（{}件）</strong></summary><ul>{}</ul></details>{}",
        len(found),
        messages_html,
        reason,
    )


@admin.register(Result)
class ResultAdmin(
    JapaneseSearch,
    ReviewScreens,
    BulkSteps,
    YearScreens,
    SheetScreens,
    ScreenContext,
    admin.ModelAdmin,
):
    """実施結果: the entry screen for departments and the review screen for HQ."""

    list_display = [
        "initiative_display",
        "fiscal_year",
        "state_display",
        "status",
        "findings_display",
        "departments_display",
        "updated_at",
        "updated_by",
    ]
    list_display_links = ["initiative_display"]
    list_filter = [
        "fiscal_year",
        "state",
        "status",
        NeedsCheckFilter,
        "initiative__direction__measure__policy",
        DepartmentFilter,
    ]
    search_fields = [
        "initiative__code",
        "initiative__name",
        "initiative__owners__department__name",
        "text",
    ]
    list_select_related = ["initiative__plan", "fiscal_year", "updated_by"]
    list_per_page = 50
    actions = ["submit_selected", "approve_selected"]
    change_list_template = "admin/initiatives/result/change_list.html"

    # --- who may do what (initiatives.results.permissions decides) ---

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return restrict(super().get_queryset(request), request.user, Action.VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Result | None = None) -> bool:
        return allowed(request.user, obj, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Result | None = None) -> bool:
        return allowed(request.user, obj, Action.EDIT)

    def has_edit_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.EDIT)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, None, Action.REVIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Result | None = None) -> bool:
        return False

    def get_list_filter(self, request: HttpRequest) -> list:
        filters = list(self.list_filter)
        if several_plans(request):
            filters.insert(0, "initiative__plan")
        if is_hq(request.user):
            return filters
        return [f for f in filters if f is not DepartmentFilter]

    def get_list_display(self, request: HttpRequest) -> list:
        display = list(super().get_list_display(request))
        if several_plans(request):
            display.insert(display.index("fiscal_year") + 1, "plan_display")
        return display

    def get_object(self, request: HttpRequest, object_id: str, from_field=None) -> Result:
        result = super().get_object(request, object_id, from_field)
        if result is None:
            raise Http404("この実施結果は見つからないか、見る権限がありません。")
        return result

    # --- list ---

    @admin.display(description=_("取組"), ordering="initiative__order")
    def initiative_display(self, obj: Result) -> str:
        return f"No.{obj.initiative.code} {obj.initiative.name}"

    @admin.display(description=_("プラン"), ordering="initiative__plan__start_year")
    def plan_display(self, obj: Result) -> str:
        plan = obj.initiative.plan
        return f"{plan.title}（{plan.period_label}）"

    @admin.display(description=_("入力状況"), ordering="state")
    def state_display(self, obj: Result) -> str:
        return state_badge(obj.state)

    @admin.display(description=_("要確認"))
    def findings_display(self, obj: Result) -> str:
        return _findings_cell(obj)

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return ResultChangeList

    @admin.display(description=_("担当課"))
    def departments_display(self, obj: Result) -> str:
        owner_names = getattr(obj, "owner_names", None)
        if owner_names is None:
            annotate_owners([obj])
        return obj.owner_names

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        periods = open_periods()
        if (
            periods
            and not request.GET
            and request.method == "GET"
            and self.has_view_permission(request)
        ):
            # Land on the year(s) being entered — two when an old plan's last year and the
            # next plan's first are open together; the year filter still shows every year.
            years = sorted({p.fiscal_year_id for p in periods})
            lookup = (
                f"fiscal_year__id__exact={years[0]}"
                if len(years) == 1
                else f"fiscal_year__id__in={','.join(map(str, years))}"
            )
            return HttpResponseRedirect(f"{request.path}?{lookup}")
        extra = {
            "periods": [(p, deadline_text(p)) for p in periods],
            "sheet_year": periods[0].fiscal_year if periods else None,
            "can_import_sheet": self.has_edit_permission(request),
            "is_hq": is_hq(request.user),
            "title": "実施結果の一覧"
            if is_hq(request.user)
            else "実施結果の入力（取組名を押して入力します）",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    # --- extra screens ---

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            *self.review_urls(),
            *self.year_urls(),
            *self.sheet_urls(),
            path(
                "initiative/<int:initiative_id>/history/",
                wrap(self.initiative_history_view),
                name="initiatives_result_initiative_history",
            ),
            *super().get_urls(),
        ]

    def initiative_history_view(self, request: HttpRequest, initiative_id: int) -> HttpResponse:
        """Every step and change of an initiative's results, with submitted-vs-approved diffs."""
        initiative = get_object_or_404(
            restrict(Initiative.objects.all(), request.user, Action.VIEW), pk=initiative_id
        )
        results = restrict(Result.objects.all(), request.user, Action.VIEW)
        return TemplateResponse(
            request,
            "admin/initiatives/result/initiative_history.html",
            self._context(
                request,
                title=f"No.{initiative.code} {initiative.name} の履歴",
                initiative=initiative,
                histories=initiative_history(initiative=initiative, results=results),
            ),
        )

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        result = self.get_object(request, unquote(object_id))
        return HttpResponseRedirect(
            reverse("admin:initiatives_result_initiative_history", args=[result.initiative_id])
        )

    # --- the entry / review screen ---

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        user = request.user
        result = self.get_object(request, unquote(object_id))
        context = entry_context(result=result)
        entry_initial = {
            "version": result.version,
            "status": result.status,
            "text": result.text,
            "note": result.note,
            "expected_decision_month": result.expected_decision_month,
            "consistency_reason": result.consistency_reason,
            **{f"actual_{row.indicator.pk}": number_text(row.actual) for row in context.indicators},
        }
        review_initial = {"version": result.version}
        # A form posted after the session expired comes back here once logged in again.
        kept = kept_forms.take(request) if request.method == "GET" else None
        action = ""
        if kept is not None:
            action = kept_forms.last(kept, "_action")
            target = entry_initial if action in ("save", "submit") else review_initial
            names = [*target, "comment"] if target is review_initial else list(target)
            target.update({name: kept_forms.last(kept, name) for name in names if name in kept})
            self.message_user(request, KEPT_FORM_RESTORED, messages.WARNING)
        entry_form = ResultEntryForm(initial=entry_initial, indicators=context.indicators)
        review_form = ReviewForm(initial=review_initial)
        status = 200
        findings = None
        if request.method == "POST":
            action = request.POST.get("_action", "")
            if action in ("save", "submit"):
                entry_form = ResultEntryForm(request.POST, indicators=context.indicators)
                if entry_form.is_valid():
                    # Judge what was typed: a refused submit saves nothing.
                    findings = entry_findings(
                        result,
                        status=entry_form.cleaned_data["status"],
                        note=entry_form.cleaned_data["note"],
                        actuals=entry_form.actuals(),
                    )
                status = self._refuse_stale(request, result, entry_form, Action.EDIT)
                status = status or self._handle_entry(request, result, entry_form, action)
            elif action in ("return", "approve", "reopen", "report_decision"):
                review_form = ReviewForm(request.POST)
                needed = {
                    "reopen": Action.REOPEN,
                    "report_decision": Action.REPORT_DECISION,
                }.get(action, Action.REVIEW)
                status = self._refuse_stale(request, result, review_form, needed)
                status = status or self._handle_review(request, result, review_form, action)
            else:
                return HttpResponse("不明な操作です。", status=400)
            if status == 302:
                return HttpResponseRedirect(request.path)
            result.refresh_from_db()
        period = context.period
        # A closed plan offers no step but the correction of a published result (the services
        # refuse them anyway; this only hides the buttons).
        plan = result.initiative.plan
        closed = plan.is_closed and result.published_at is None
        can_edit = not closed and allowed(user, result, Action.EDIT)
        read_only_reason = closed_message(plan) if closed else ""
        can_report_decision = not closed and allowed(user, result, Action.REPORT_DECISION)
        if can_report_decision:
            read_only_reason = (
                "未確定のまま公開されています。確定したら「確定結果を報告する」を押し、"
                "確定した達成状況を入力して提出してください。"
            )
        elif not can_edit and not read_only_reason:
            read_only_reason = transitions.locked_reason(result.state)
            if not read_only_reason and not is_hq(user):
                read_only_reason = "入力期間外のため編集できません。"
        return TemplateResponse(
            request,
            "admin/initiatives/result/entry.html",
            self._context(
                request,
                title=f"{result.fiscal_year.label} 実施結果の"
                + ("確認" if is_hq(user) else "入力"),
                result=result,
                initiative=result.initiative,
                owner_names=self.departments_display(result),
                state_badge=state_badge(result.state),
                entry=context,
                period=period,
                deadline_text=deadline_text(period) if period else "",
                days_left=days_left(period) if period else None,
                form=entry_form,
                review_form=review_form,
                can_edit=can_edit,
                can_review=not closed and allowed(user, result, Action.REVIEW),
                can_approve=result.state in transitions.sources(Step.APPROVE),
                can_reopen=allowed(user, result, Action.REOPEN),
                can_report_decision=can_report_decision,
                read_only_reason=read_only_reason,
                conflict=status == 409,
                restored=kept is not None,
                posted_action=action,
                show_review_input=bool(review_form.errors)
                or (kept is not None and "comment" in review_initial),
                last_return=result.events.filter(action=WorkflowEvent.Action.RETURN)
                .select_related("actor")
                .last(),
                corrections=PublicCorrection.objects.filter(result=result),
                findings=result_findings(result) if findings is None else findings,
                original=result,
                has_view_permission=True,
            ),
            status=status,
        )

    def _refuse_stale(self, request: HttpRequest, result: Result, form, needed: Action) -> int:
        """409 when the posted version is not the current one, before any other check.

        A request that lost a race (double-clicked 提出する, approve against return) must hear
        that someone else changed the result, with its input kept, not that the new state no
        longer allows its step (403). Returns 0 when the version is current and the user may
        take the step."""
        check(request.user, None, needed)
        posted = request.POST.get("version", "")
        seen = int(posted) if posted.isascii() and posted.isdigit() else None
        if seen is not None and seen != result.version:
            form.add_error(None, str(services.StaleResultError(result)))
            return 409
        if not allowed(request.user, result, needed):
            # The winner of a race may have committed since the result was read: its new
            # state refuses the step, but what this user must hear is that it changed.
            result.refresh_from_db()
            if seen is not None and seen != result.version:
                form.add_error(None, str(services.StaleResultError(result)))
                return 409
            check(request.user, result, needed)
        return 0

    def _handle_entry(
        self, request: HttpRequest, result: Result, form: ResultEntryForm, action: str
    ) -> int:
        if not form.is_valid():
            return 200
        service = services.save_and_submit if action == "submit" else services.save_draft
        try:
            service(
                result=result,
                user=request.user,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
                actuals=form.actuals(),
                consistency_reason=form.cleaned_data["consistency_reason"],
                expected_decision_month=form.cleaned_data["expected_decision_month"],
            )
        except services.StaleResultError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            _apply_errors(form, error)
            return 200
        if action == "submit":
            following = next_to_enter(user=request.user, after=result)
            self.message_user(
                request,
                format_html(
                    '提出しました。推進本部に通知しました。 <a href="{}" id="next-result">'
                    "次に入力する取組へ（No.{} {}）</a>",
                    reverse("admin:initiatives_result_change", args=[following.pk]),
                    following.initiative.code,
                    following.initiative.name,
                )
                if following
                else "提出しました。推進本部に通知しました。"
                "この年度に入力する取組はほかにありません。"
                "",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                "一時保存しました。入力が終わったら「提出する」を押してください。",
                messages.SUCCESS,
            )
        return 302

    def _handle_review(
        self, request: HttpRequest, result: Result, form: ReviewForm, action: str
    ) -> int:
        if not form.is_valid():
            return 200
        service = {
            "return": services.return_result,
            "approve": services.approve_result,
            "reopen": services.reopen_result,
            "report_decision": services.report_decision,
        }[action]
        try:
            service(
                result=result,
                user=request.user,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except services.StaleResultError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            _apply_errors(form, error)
            return 200
        done = {
            "return": "差し戻しました。担当課に通知しました。",
            "approve": "承認しました。担当課に通知しました。年度の公開で市民に公開されます。",
            "reopen": "修正のため再開しました。公開中の内容は、再承認・再公開まで変わりません。",
            "report_decision": "確定結果を入力できます。確定した達成状況と実施結果を入力して"
            "「提出する」を押してください。公開中の内容は、承認・公開まで変わりません。",
        }[action]
        self.message_user(request, done, messages.SUCCESS)
        return 302
