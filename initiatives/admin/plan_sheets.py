"""HQ's plan workbook on the initiative list: export a plan's structure to Excel, and import
an edited workbook as a revision (preview first, then confirm), per plan (`?plan=<slug>`)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from initiatives.models import Plan
from initiatives.plan.selectors import get_plan
from initiatives.results.permissions import Action, check
from initiatives.sheets import plan_workbook as plan_sheet
from initiatives.sheets.io import (
    SpreadsheetError,
    discard_upload,
    keep_upload,
    kept_upload,
    safe_filename,
)

_PENDING_IMPORT = "plan_structure_import"


class PlanSheetScreens:
    """The plan workbook screens of the initiative admin (a ModelAdmin mixin)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "spreadsheet/export/",
                wrap(self.plan_export_view),
                name="initiatives_initiative_plan_export",
            ),
            path(
                "spreadsheet/import/",
                wrap(self.plan_import_view),
                name="initiatives_initiative_plan_import",
            ),
            path(
                "spreadsheet/import/confirm/",
                wrap(require_POST(self.plan_import_confirm_view)),
                name="initiatives_initiative_plan_import_confirm",
            ),
            *super().get_urls(),
        ]

    def _chosen_plan(self, request: HttpRequest) -> Plan:
        """The plan a workbook screen works on: `?plan=<slug>`, else the current plan."""
        slug = request.GET.get("plan") or request.POST.get("plan") or None
        try:
            return get_plan(slug=slug)
        except Plan.DoesNotExist as missing:
            raise Http404("このプランはありません。") from missing

    def plan_export_view(self, request: HttpRequest) -> HttpResponse:
        check(request.user, None, Action.VIEW_STRUCTURE)
        plan = self._chosen_plan(request)
        content = plan_sheet.export_plan_workbook(plan=plan)
        return HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=plan_sheet.export_filename(plan=plan)
                ),
                "Cache-Control": "no-store",
            },
        )

    def plan_import_view(self, request: HttpRequest) -> HttpResponse:
        check(request.user, None, Action.CHANGE_STRUCTURE)
        plan = self._chosen_plan(request)
        if request.method != "POST":
            return self._plan_import_page(
                request, plan=plan, form=plan_sheet.PlanImportForm(plan=plan)
            )
        form = plan_sheet.PlanImportForm(request.POST, request.FILES, plan=plan)
        if not form.is_valid():
            return self._plan_import_page(request, plan=plan, form=form)
        filename = safe_filename(form.cleaned_data["file"].name)
        preview = plan_sheet.preview_plan_import(form.content, plan=plan)
        pending = None
        if preview.can_apply:
            pending = self._keep_upload(
                request, form.content, filename, form.revision, preview, plan=plan
            )
        else:
            self._forget_upload(request)
        return self._plan_import_page(
            request,
            plan=plan,
            form=form,
            preview=preview,
            pending=pending,
            filename=filename,
            revision=form.revision,
        )

    def plan_import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        check(request.user, None, Action.CHANGE_STRUCTURE)
        pending = request.session.get(_PENDING_IMPORT) or {}
        token = request.POST.get("token", "")
        try:
            if not pending or pending["token"] != token:
                raise SpreadsheetError("")
            content, filename = kept_upload(request, purpose=_PENDING_IMPORT, token=token)
        except SpreadsheetError:
            self.message_user(
                request,
                "取り込むファイルが見つかりません（有効期限が切れたか、別の画面で新しいファイルを"
                "読み込みました）。もう一度ファイルを選んでください。",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:initiatives_initiative_plan_import"))
        try:
            plan = get_plan(slug=pending.get("plan"))
        except Plan.DoesNotExist as missing:
            raise Http404("このプランはありません。") from missing
        revision = plan_sheet.RevisionSpec(
            code=pending["revision"]["code"],
            label=pending["revision"]["label"],
            date=datetime.date.fromisoformat(pending["revision"]["date"]),
        )
        try:
            applied = plan_sheet.apply_plan_import(
                content=content,
                filename=filename,
                user=request.user,
                revision=revision,
                fingerprint=pending["fingerprint"],
                plan=plan,
            )
        except ValidationError as error:
            preview = plan_sheet.preview_plan_import(content, plan=plan)
            kept = None
            if preview.can_apply:
                kept = self._keep_upload(request, content, filename, revision, preview, plan=plan)
            else:
                self._forget_upload(request)
            return self._plan_import_page(
                request,
                plan=plan,
                form=plan_sheet.PlanImportForm(plan=plan),
                preview=preview,
                pending=kept,
                filename=filename,
                revision=revision,
                apply_errors=error.messages,
            )
        self._forget_upload(request)
        self.message_user(
            request,
            f"ファイル「{filename}」を「{applied.revision.label}」として取り込みました: "
            f"取組 新規{len(applied.created)}件・変更{len(applied.changed)}件、"
            f"指標 新規{applied.indicators_created}件・変更{applied.indicators_changed}件。",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:initiatives_initiative_changelist"))

    def _keep_upload(
        self, request, content: bytes, filename: str, revision, preview, *, plan: Plan
    ) -> dict:
        """Keep the previewed file on the server until it is confirmed (one per session)."""
        token = keep_upload(request, purpose=_PENDING_IMPORT, content=content, filename=filename)
        pending = {
            "token": token,
            "plan": plan.slug,
            "revision": {
                "code": revision.code,
                "label": revision.label,
                "date": revision.date.isoformat(),
            },
            "fingerprint": preview.fingerprint,
        }
        request.session[_PENDING_IMPORT] = pending
        return pending

    def _forget_upload(self, request) -> None:
        request.session.pop(_PENDING_IMPORT, None)
        discard_upload(request, purpose=_PENDING_IMPORT)

    def _plan_import_page(self, request: HttpRequest, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/initiatives/plan_spreadsheet/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "プランの構成をExcelから取り込む（改訂）",
                "export_url": reverse("admin:initiatives_initiative_plan_export")
                + (f"?plan={context['plan'].slug}" if context.get("plan") else ""),
                "max_upload": plan_sheet.MAX_UPLOAD_LABEL,
                **context,
            },
        )
