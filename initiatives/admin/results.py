"""Admin screens of the results workflow: entry, review, overview, history, periods, roles.

Every screen asks `initiatives.results.permissions` on the server: querysets are restricted and
each object is checked; links are hidden only as a courtesy.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from initiatives.models import (
    DepartmentMembership,
    EvaluationPeriod,
    FiscalYear,
    Initiative,
    PublicCorrection,
    Result,
    WorkflowEvent,
)
from initiatives.results import services, transitions
from initiatives.results.forms import ResultEntryForm, ReviewForm
from initiatives.results.permissions import Action, allowed, check, restrict
from initiatives.results.selectors import (
    days_left,
    deadline_text,
    entry_context,
    initiative_history,
    open_periods,
    overview,
)
from initiatives.results.transitions import Step
from initiatives.roles import is_hq
from initiatives.sheets import io as sheet_io
from initiatives.sheets import results_workbook
from initiatives.sheets.io import SpreadsheetError
from initiatives.vocabulary import number_text
from ops import kept_forms


def state_badge(state: str) -> str:
    return format_html(
        '<span class="state-badge" style="background:{}">{}</span>',
        transitions.colour(state),
        Result.State(state).label,
    )


class SheetUploadForm(forms.Form):
    """The file input of the results import screen."""

    file = forms.FileField(
        label="取り込むファイル",
        help_text=(
            f"{sheet_io.ACCEPTED_FORMATS}。大きさは {sheet_io.MAX_UPLOAD_LABEL} まで。"
            "この画面の「Excelに書き出す」で書き出して入力したファイルを選びます。"
        ),
        allow_empty_file=True,  # sheet_io.read_upload_bytes says why an empty file fails
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    """実施結果: the entry screen for departments and the review screen for HQ."""

    list_display = [
        "initiative_display",
        "fiscal_year",
        "state_display",
        "status",
        "departments_display",
        "updated_at",
        "updated_by",
    ]
    list_display_links = ["initiative_display"]
    list_filter = [
        "fiscal_year",
        "state",
        "status",
        "initiative__direction__measure__policy",
        "initiative__owners__department",
    ]
    search_fields = ["initiative__code", "initiative__name", "text"]
    list_select_related = ["initiative", "fiscal_year", "updated_by"]
    list_per_page = 50
    actions = ["submit_selected", "approve_selected"]
    change_list_template = "admin/initiatives/result/change_list.html"

    # --- who may do what (initiatives.results.permissions decides) ---

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).prefetch_related("initiative__owners__department")
        return restrict(queryset, request.user, Action.VIEW)

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
        if is_hq(request.user):
            return self.list_filter
        return [f for f in self.list_filter if f != "initiative__owners__department"]

    def get_object(self, request: HttpRequest, object_id: str, from_field=None) -> Result:
        result = super().get_object(request, object_id, from_field)
        if result is None:
            raise Http404("この実施結果は見つからないか、見る権限がありません。")
        return result

    # --- list ---

    @admin.display(description=_("取組"), ordering="initiative__order")
    def initiative_display(self, obj: Result) -> str:
        return f"No.{obj.initiative.code} {obj.initiative.name}"

    @admin.display(description=_("入力状況"), ordering="state")
    def state_display(self, obj: Result) -> str:
        return state_badge(obj.state)

    @admin.display(description=_("担当課"))
    def departments_display(self, obj: Result) -> str:
        return obj.initiative.department_names

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        periods = open_periods()
        if (
            periods
            and not request.GET
            and request.method == "GET"
            and self.has_view_permission(request)
        ):
            # Land on the year being entered; the year filter still shows every year.
            return HttpResponseRedirect(
                f"{request.path}?fiscal_year__id__exact={periods[0].fiscal_year_id}"
            )
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

    @admin.action(description=_("選択した実施結果を提出する"), permissions=["edit"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        editable = restrict(queryset, request.user, Action.EDIT).select_related("initiative")
        return self._bulk(request, queryset, editable, services.submit_result, "提出")

    @admin.action(description=_("選択した提出済の実施結果を承認する"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reviewable = (
            restrict(queryset, request.user, Action.REVIEW)
            .filter(state__in=transitions.sources(Step.APPROVE))
            .select_related("initiative")
        )
        return self._bulk(request, queryset, reviewable, services.approve_result, "承認")

    def _bulk(
        self, request: HttpRequest, queryset: QuerySet, targets: QuerySet, service, verb: str
    ) -> HttpResponse | None:
        """Take one step on each target, each in its own transaction, at the version listed.

        A result someone else changed meanwhile is left alone and listed; then the answer is
        409 with what was done and what was not, instead of the list."""
        done, problems, conflicts = 0, [], []
        for result in targets:
            label = f"No.{result.initiative.code}"
            try:
                service(result=result, user=request.user, version=result.version)
                done += 1
            except services.StaleResultError as error:
                conflicts.append(f"{label}: {error}")
            except PermissionDenied as error:
                conflicts.append(f"{label}: {error}")
            except ValidationError as error:
                problems.append(f"{label}: {'、'.join(error.messages)}")
        skipped = queryset.count() - done - len(problems) - len(conflicts)
        if done:
            self.message_user(request, f"{done}件を{verb}しました。", messages.SUCCESS)
        for problem in problems:
            self.message_user(request, f"{verb}できませんでした — {problem}", messages.ERROR)
        if skipped:
            self.message_user(
                request,
                f"{skipped}件は今の入力状況・権限では対象外のため、何もしていません。",
                messages.WARNING,
            )
        if not conflicts:
            return None
        return TemplateResponse(
            request,
            "admin/initiatives/result/bulk_conflict.html",
            self._context(
                request,
                title=f"一部の実施結果を{verb}できませんでした",
                conflicts=conflicts,
                list_url=request.get_full_path(),
            ),
            status=409,
        )

    # --- extra screens ---

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("overview/", wrap(self.overview_view), name="initiatives_result_overview"),
            path(
                "publish/<int:year>/",
                wrap(self.publish_view),
                name="initiatives_result_publish",
            ),
            path(
                "spreadsheet/export/",
                wrap(self.sheet_export_view),
                name="initiatives_result_sheet_export",
            ),
            path(
                "spreadsheet/import/",
                wrap(self.sheet_import_view),
                name="initiatives_result_sheet_import",
            ),
            path(
                "spreadsheet/import/confirm/",
                wrap(self.sheet_confirm_view),
                name="initiatives_result_sheet_confirm",
            ),
            path(
                "initiative/<int:initiative_id>/history/",
                wrap(self.initiative_history_view),
                name="initiatives_result_initiative_history",
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

    def overview_view(self, request: HttpRequest) -> TemplateResponse:
        """HQ's overview of one fiscal year (the open one by default)."""
        check(request.user, None, Action.REVIEW)
        years = list(FiscalYear.objects.order_by("year"))
        year = request.GET.get("year")
        if year and year.isdigit():
            fiscal_year = get_object_or_404(FiscalYear, year=int(year))
        else:
            periods = open_periods()
            fiscal_year = periods[0].fiscal_year if periods else years[-1]
        data = overview(fiscal_year=fiscal_year)
        base = reverse("admin:initiatives_result_changelist")
        query = f"fiscal_year__id__exact={fiscal_year.pk}"
        return TemplateResponse(
            request,
            "admin/initiatives/result/overview.html",
            self._context(
                request,
                title=f"{fiscal_year.label} 実施結果の集計",
                data=data,
                years=years,
                fiscal_year=fiscal_year,
                deadline_text=deadline_text(data.period) if data.period else "",
                list_url=f"{base}?{query}",
                states=[(s, Result.State(s).label) for s, _c in data.total_cells()],
            ),
        )

    def publish_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """HQ publishes the approved results of a fiscal year (after a confirmation)."""
        check(request.user, None, Action.PUBLISH)
        fiscal_year = get_object_or_404(FiscalYear, year=year)
        approved = (
            Result.objects.filter(
                fiscal_year=fiscal_year, state__in=transitions.sources(Step.PUBLISH)
            )
            .select_related("initiative")
            .order_by("initiative__order")
        )
        if request.method == "POST":
            try:
                summary = services.publish_year(
                    fiscal_year=fiscal_year,
                    user=request.user,
                    seen=services.parse_seen_versions(request.POST.get("seen")),
                )
            except services.StaleResultError as error:
                return TemplateResponse(
                    request,
                    "admin/initiatives/result/publish_confirm.html",
                    self._context(
                        request,
                        title=f"{fiscal_year.label}の実施結果を公開",
                        fiscal_year=fiscal_year,
                        approved=approved,
                        seen=services.seen_versions(approved),
                        conflict=str(error),
                    ),
                    status=409,
                )
            if summary.published:
                self.message_user(
                    request,
                    f"{fiscal_year.label}の承認済 {summary.published}件を公開しました"
                    f"（うち訂正 {summary.corrected}件）。",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, "公開できる承認済の実施結果はありません。", messages.WARNING
                )
            return HttpResponseRedirect(
                reverse("admin:initiatives_result_overview") + f"?year={year}"
            )
        return TemplateResponse(
            request,
            "admin/initiatives/result/publish_confirm.html",
            self._context(
                request,
                title=f"{fiscal_year.label}の実施結果を公開",
                fiscal_year=fiscal_year,
                approved=approved,
                seen=services.seen_versions(approved),
            ),
        )

    # --- the results spreadsheet (export, import with preview, confirm) ---

    def _sheet_year(self, request: HttpRequest) -> FiscalYear | None:
        year = request.GET.get("year", "")
        if year.isdigit():
            return get_object_or_404(FiscalYear, year=int(year))
        periods = open_periods()
        return periods[0].fiscal_year if periods else None

    def _list_url(self, fiscal_year: FiscalYear | None = None) -> str:
        url = reverse("admin:initiatives_result_changelist")
        return f"{url}?fiscal_year__id__exact={fiscal_year.pk}" if fiscal_year else url

    def sheet_export_view(self, request: HttpRequest) -> HttpResponse:
        """Download the .xlsx of the user's results of the open fiscal year (or ?year=)."""
        check(request.user, None, Action.VIEW)
        fiscal_year = self._sheet_year(request)
        if fiscal_year is None:
            self.message_user(
                request,
                "いま受付中の入力期間がないため、書き出す年度がありません。",
                messages.WARNING,
            )
            return HttpResponseRedirect(self._list_url())
        content = results_workbook.export_workbook(user=request.user, fiscal_year=fiscal_year)
        filename = results_workbook.export_filename(user=request.user, fiscal_year=fiscal_year)
        return HttpResponse(
            content,
            content_type=XLSX_TYPE,
            headers={
                "Content-Disposition": content_disposition_header(True, filename),
                "Cache-Control": "no-store",
            },
        )

    def _sheet_context(self, request: HttpRequest, **extra) -> dict:
        periods = open_periods()
        fiscal_year = periods[0].fiscal_year if periods else None
        return self._context(
            request,
            periods=[(p, deadline_text(p)) for p in periods],
            sheet_year=fiscal_year,
            list_url=self._list_url(fiscal_year),
            help_lines=results_workbook.help_lines(
                fiscal_year_label=fiscal_year.label if fiscal_year else "", slots=None
            )[2:],
            max_upload=sheet_io.MAX_UPLOAD_LABEL,
            accepted_formats=sheet_io.ACCEPTED_FORMATS,
            **extra,
        )

    def _check_sheet_import(self, request: HttpRequest) -> None:
        """Only department staff import results (each row is checked again when saved)."""
        if not allowed(request.user, None, Action.EDIT):
            raise PermissionDenied(
                "ファイルからの取り込みは、担当課の職員だけができます"
                "（推進本部は実施結果を入力しません）。"
            )

    def sheet_import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a filled sheet; answer with the preview (a dry run: nothing changes)."""
        self._check_sheet_import(request)
        form = SheetUploadForm()
        if request.method == "POST":
            form = SheetUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                filename = sheet_io.safe_filename(upload.name)
                try:
                    content = sheet_io.read_upload_bytes(upload)
                    preview = results_workbook.preview_import(
                        user=request.user, content=content, filename=filename
                    )
                except SpreadsheetError as error:
                    form.add_error("file", error.messages)
                else:
                    token = ""
                    if preview.can_apply:
                        token = sheet_io.keep_upload(
                            request,
                            purpose=results_workbook.PURPOSE,
                            content=content,
                            filename=filename,
                        )
                    return self._preview_response(request, preview, token=token)
        return TemplateResponse(
            request,
            "admin/initiatives/result/sheet_import.html",
            self._sheet_context(request, title="実施結果をファイルから取り込む", form=form),
        )

    def _preview_response(
        self, request: HttpRequest, preview, *, token: str = "", error: str = ""
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/initiatives/result/sheet_preview.html",
            self._sheet_context(
                request,
                title="取り込む内容の確認",
                preview=preview,
                token=token,
                error=error,
            ),
            status=409 if error else 200,
        )

    def sheet_confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Apply the previewed file: every row in one transaction, or nothing."""
        self._check_sheet_import(request)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:initiatives_result_sheet_import"))
        purpose = results_workbook.PURPOSE
        if request.POST.get("_action") == "cancel":
            sheet_io.discard_upload(request, purpose=purpose)
            self.message_user(request, "取り込みをやめました。何も変更していません。")
            return HttpResponseRedirect(reverse("admin:initiatives_result_sheet_import"))
        try:
            content, filename = sheet_io.kept_upload(
                request, purpose=purpose, token=request.POST.get("token", "")
            )
        except SpreadsheetError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:initiatives_result_sheet_import"))
        try:
            preview = results_workbook.apply_import(
                user=request.user, content=content, filename=filename
            )
        except results_workbook.ImportRefused as refused:
            sheet_io.discard_upload(request, purpose=purpose)
            return self._preview_response(request, refused.preview, error=str(refused))
        except SpreadsheetError as error:
            sheet_io.discard_upload(request, purpose=purpose)
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:initiatives_result_sheet_import"))
        sheet_io.discard_upload(request, purpose=purpose)
        self.message_user(
            request,
            f"「{filename}」から{len(preview.changed)}件の実施結果を取り込みました（一時保存）。"
            "まだ提出していません。内容を確かめてから、入力画面で「提出する」を押してください。",
            messages.SUCCESS,
        )
        periods = open_periods()
        return HttpResponseRedirect(self._list_url(periods[0].fiscal_year if periods else None))

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
        if request.method == "POST":
            action = request.POST.get("_action", "")
            if action in ("save", "submit"):
                entry_form = ResultEntryForm(request.POST, indicators=context.indicators)
                status = self._refuse_stale(request, result, entry_form, Action.EDIT)
                status = status or self._handle_entry(request, result, entry_form, action)
            elif action in ("return", "approve", "reopen"):
                review_form = ReviewForm(request.POST)
                needed = Action.REOPEN if action == "reopen" else Action.REVIEW
                status = self._refuse_stale(request, result, review_form, needed)
                status = status or self._handle_review(request, result, review_form, action)
            else:
                return HttpResponse("不明な操作です。", status=400)
            if status == 302:
                return HttpResponseRedirect(request.path)
            result.refresh_from_db()
        period = context.period
        can_edit = allowed(user, result, Action.EDIT)
        read_only_reason = ""
        if not can_edit:
            read_only_reason = transitions.locked_reason(result.state)
            if not read_only_reason and not is_hq(user):
                read_only_reason = "入力期間外のため編集できません。"
        return TemplateResponse(
            request,
            "admin/initiatives/result/entry.html",
            self._context(
                request,
                title=f"{result.fiscal_year.label} 実施結果の入力",
                result=result,
                initiative=result.initiative,
                state_badge=state_badge(result.state),
                entry=context,
                period=period,
                deadline_text=deadline_text(period) if period else "",
                days_left=days_left(period) if period else None,
                form=entry_form,
                review_form=review_form,
                can_edit=can_edit,
                can_review=allowed(user, result, Action.REVIEW),
                can_approve=result.state in transitions.sources(Step.APPROVE),
                can_reopen=allowed(user, result, Action.REOPEN),
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
                original=result,
                has_view_permission=True,
            ),
            status=status,
        )

    def _refuse_stale(
        self, request: HttpRequest, result: Result, form: forms.Form, needed: Action
    ) -> int:
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
            )
        except services.StaleResultError as error:
            form.add_error(None, str(error))
            return 409
        except ValidationError as error:
            _apply_errors(form, error)
            return 200
        if action == "submit":
            self.message_user(request, "提出しました。推進本部に通知しました。", messages.SUCCESS)
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
        }[action]
        self.message_user(request, done, messages.SUCCESS)
        return 302


class HQOnlyAdmin(admin.ModelAdmin):
    """Screens for HQ reviewers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hq(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_hq(request.user)


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(HQOnlyAdmin):
    """入力期間: HQ opens a fiscal year for entry with a deadline and closes it."""

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
            services.open_period(
                fiscal_year=period.fiscal_year, deadline=period.deadline, user=request.user
            )
        self.message_user(request, "受付を再開しました。")


class ReadOnlyHQAdmin(HQOnlyAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyHQAdmin):
    list_display = ["created_at", "result", "action", "from_state", "to_state", "actor", "comment"]
    list_filter = ["action", "result__fiscal_year"]
    search_fields = ["result__initiative__code", "result__initiative__name", "comment"]
    list_select_related = ["result__initiative", "result__fiscal_year", "actor"]


@admin.register(PublicCorrection)
class PublicCorrectionAdmin(ReadOnlyHQAdmin):
    list_display = ["corrected_at", "result", "field", "before", "after"]
    list_select_related = ["result__initiative", "result__fiscal_year"]


class DepartmentMembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 1
    autocomplete_fields = ["department"]
    verbose_name = _("所属する担当課")
    verbose_name_plural = _("所属する担当課（実施結果を入力する課）")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with the departments they enter results for (推進本部 is a group)."""

    inlines = [DepartmentMembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_staff", "departments"]

    @admin.display(description=_("担当課"))
    def departments(self, obj) -> str:
        return "、".join(m.department.name for m in obj.department_memberships.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("department_memberships__department")
