"""Writing a department's results workbook: the 実施結果 sheet exported by
`ResultSheetResource` (yellow unlocked cells to fill on editable rows, grey locked
reference cells, a 達成状況 drop-down, the sheet protected without a password) and the
説明 sheet, every value written through `cells`; and which results a user's workbook
holds."""

from __future__ import annotations

import io
from collections import Counter

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from initiatives.models import Department, FiscalYear, Indicator, Result
from initiatives.results.permissions import Action, restrict
from initiatives.roles import department_ids
from initiatives.sheets import cells
from initiatives.sheets.results_workbook.columns import (
    COL_CODE,
    COL_DEPARTMENTS,
    COL_NAME,
    COL_NOTE,
    COL_PLAN,
    COL_STATE,
    COL_STATUS,
    COL_TEXT,
    COL_VERSION,
    COL_YEAR,
    HELP_TITLE,
    INDICATOR_PARTS,
    SHEET_TITLE,
    indicator_column,
    is_fill_column,
)
from initiatives.sheets.results_workbook.guide import help_lines
from initiatives.sheets.results_workbook.resource import ResultSheetResource
from initiatives.vocabulary import status_words

_FILL_COLOR = PatternFill("solid", fgColor="FFF8D6")
_REF_COLOR = PatternFill("solid", fgColor="F0F0F0")
_LOCKED_ROW_COLOR = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="FFE08A")
_HEADER_REF = PatternFill("solid", fgColor="C9D3E0")
_THIN = Side(style="thin", color="A0A0A0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WIDTHS = {
    COL_CODE: 9,
    COL_NAME: 32,
    COL_DEPARTMENTS: 18,
    COL_PLAN: 40,
    COL_STATE: 16,
    COL_STATUS: 11,
    COL_TEXT: 60,
    COL_NOTE: 22,
    COL_YEAR: 11,
    COL_VERSION: 6,
}
_INDICATOR_WIDTHS = dict(zip(INDICATOR_PARTS, (22, 7, 11, 12), strict=True))


def exportable_results(*, user, fiscal_year: FiscalYear) -> QuerySet[Result]:
    """The results a user's sheet holds: what they may see of the year, in the plan's order."""
    return (
        restrict(Result.objects.all(), user, Action.VIEW)
        .filter(fiscal_year=fiscal_year)
        .select_related("initiative", "fiscal_year")
        .prefetch_related("initiative__owners__department", "actuals")
        .order_by("initiative__order")
    )


def export_filename(*, user, fiscal_year: FiscalYear) -> str:
    names = list(
        Department.objects.filter(pk__in=department_ids(user)).values_list("name", flat=True)
    )
    who = "・".join(names) if names and len(names) <= 2 else ("全課" if not names else "複数課")
    return f"実施結果_{fiscal_year.label}_{who}_{timezone.localdate():%Y%m%d}.xlsx"


def export_workbook(*, user, fiscal_year: FiscalYear) -> bytes:
    """The .xlsx of the user's results of `fiscal_year` (see the package docstring)."""
    results = list(exportable_results(user=user, fiscal_year=fiscal_year))
    counts = Counter(
        Indicator.objects.filter(initiative__in=[r.initiative_id for r in results]).values_list(
            "initiative", flat=True
        )
    )
    slots = max(counts.values(), default=0)
    resource = ResultSheetResource(user=user, indicator_slots=slots)
    dataset = resource.export(queryset=results)
    editable = [r.pk in resource.editable_ids for r in results]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    headers = list(dataset.headers)
    cells.append(sheet, headers)
    for row in dataset:
        cells.append(sheet, row)
    for col, header in enumerate(headers, start=1):
        _format_column(sheet, col, header, editable)
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "C2"
    if results:
        _status_drop_down(sheet, headers, rows=len(results))
    _protect(sheet)

    _write_help_sheet(workbook, user=user, fiscal_year=fiscal_year, rows=len(results), slots=slots)
    workbook.active = 0
    workbook.properties.creator = "金沢市行政経営プラン 進捗管理システム"
    workbook.properties.title = f"{fiscal_year.label} 実施結果"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _width(header: str) -> int:
    indicator = indicator_column(header)
    return _INDICATOR_WIDTHS[indicator[1]] if indicator else _WIDTHS.get(header, 14)


def _format_column(sheet: Worksheet, col: int, header: str, editable: list[bool]) -> None:
    """Widths, colours, borders and locks of one column: fill cells only on editable rows."""
    sheet.column_dimensions[get_column_letter(col)].width = _width(header)
    fill_column = is_fill_column(header)
    cell = sheet.cell(row=1, column=col)
    cell.font = Font(bold=True)
    cell.fill = _HEADER_FILL if fill_column else _HEADER_REF
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    cell.border = _BORDER
    cell.protection = Protection(locked=True)
    for index, row_editable in enumerate(editable, start=2):
        cell = sheet.cell(row=index, column=col)
        fill = fill_column and row_editable
        cell.protection = Protection(locked=not fill)
        cell.fill = _FILL_COLOR if fill else (_REF_COLOR if row_editable else _LOCKED_ROW_COLOR)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = _BORDER
        if cell.data_type == "s":
            cell.number_format = "@"


def _status_drop_down(sheet: Worksheet, headers: list[str], *, rows: int) -> None:
    status_col = get_column_letter(headers.index(COL_STATUS) + 1)
    validation = DataValidation(
        type="list",
        formula1=f'"{status_words(",")}"',
        allow_blank=True,
        showDropDown=False,  # False shows the ▼ (the XML attribute means "hide")
        showErrorMessage=True,
        errorTitle=COL_STATUS,
        error=f"{status_words()}から選んでください（空欄も可）。",
        showInputMessage=True,
        promptTitle=COL_STATUS,
        prompt=f"▼から {status_words()} を選びます。",
    )
    validation.add(f"{status_col}2:{status_col}{rows + 1}")
    sheet.add_data_validation(validation)


def _protect(sheet: Worksheet) -> None:
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # staff may widen columns and rows
    sheet.protection.formatRows = False
    sheet.protection.selectLockedCells = False
    sheet.protection.selectUnlockedCells = False


def _write_help_sheet(
    workbook: Workbook, *, user, fiscal_year: FiscalYear, rows: int, slots: int
) -> None:
    """The 説明 sheet, its second line saying who exported how many rows, and when."""
    sheet = workbook.create_sheet(HELP_TITLE)
    sheet.column_dimensions["A"].width = 110
    now = timezone.localtime()
    departments = "、".join(
        Department.objects.filter(pk__in=department_ids(user)).values_list("name", flat=True)
    )
    lines = help_lines(fiscal_year_label=fiscal_year.label, slots=slots)
    lines[1] = (
        f"書き出し: {now:%Y年%m月%d日 %H:%M}（{user.get_username()}）／ "
        f"担当課: {departments or '（所属なし・参照用）'} ／ {rows}件"
    )
    for index, line in enumerate(lines, start=1):
        cell = cells.put(sheet, row=index, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1:
            cell.font = Font(bold=True, size=14)
        elif line.startswith("■"):
            cell.font = Font(bold=True)
    sheet.protection.sheet = True
