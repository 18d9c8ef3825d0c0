"""The results spreadsheet screens: department staff download their open year's results as
a workbook, fill it offline and import it back (a preview first, then every row in one
transaction or none). The reading and writing of the workbook is `sheets.results_workbook`.

A part of the results admin (`ResultAdmin` takes them in): the URLs stay under
/admin/initiatives/result/spreadsheet/ with the names initiatives_result_sheet_*.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from initiatives.models import FiscalYear
from initiatives.results.permissions import Action, allowed, check
from initiatives.results.selectors import deadline_text, open_periods
from initiatives.sheets import io as sheet_io
from initiatives.sheets import results_workbook
from initiatives.sheets.io import SpreadsheetError


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


class SheetScreens:
    """The spreadsheet export, import and confirm screens of ResultAdmin."""

    def sheet_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
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
        ]

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
