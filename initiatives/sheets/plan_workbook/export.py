"""Writing the plan workbook: the 説明 sheet, the 取組 and 指標 tables exported by their
resources (text cells but for the 目標値, which are numbers; every value written through
`cells`, so formula-looking text is neutralised; drop-downs where the value comes from a
list), and the 方向性一覧/担当課一覧 sheets those drop-downs refer to."""

from __future__ import annotations

import datetime
import io

import tablib
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from initiatives.models import Department, Direction, Plan
from initiatives.plan.selectors import get_plan
from initiatives.sheets import cells
from initiatives.sheets.io import wrapped_lines
from initiatives.sheets.plan_workbook.columns import (
    ADDED_IN,
    BENCHMARK,
    CODE,
    COMPARISON,
    DEPARTMENT_SHEET,
    DEPARTMENTS,
    DIRECTION,
    DIRECTION_SHEET,
    GUIDE_SHEET,
    INDICATOR_NAME,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
    MARK,
    NAME,
    NAME_REFERENCE,
    NUMERIC_TARGET,
    PLAN_PREFIX,
    RELATED_PLANS,
    RESOURCES,
    SUMMARY,
    TARGET_PREFIX,
    TARGET_STATE,
    UNIT,
    direction_label,
)
from initiatives.sheets.plan_workbook.guide import GUIDE
from initiatives.sheets.plan_workbook.resources import (
    directions_of,
    indicators_of,
    initiatives_of,
    plan_resources,
)
from initiatives.sheets.plan_workbook.widgets import ComparisonWidget
from initiatives.vocabulary import MEASURE_HEADING, POLICY_HEADING

_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_REFERENCE_FILL = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TEXT = "@"
_NUMBER = "General"
_EXTRA_ROWS = 200  # formatted empty rows below the data, for new initiatives
_GUIDE_WIDTH = 110

INITIATIVE_WIDTHS = {
    CODE: 9,
    NAME: 38,
    DIRECTION: 34,
    DEPARTMENTS: 18,
    NUMERIC_TARGET: 9,
    ADDED_IN: 11,
    SUMMARY: 50,
    TARGET_STATE: 40,
    RELATED_PLANS: 30,
    PLAN_PREFIX: 36,
}
INDICATOR_WIDTHS = {
    CODE: 9,
    NAME_REFERENCE: 36,
    INDICATOR_NAME: 30,
    UNIT: 8,
    COMPARISON: 14,
    BENCHMARK: 20,
    TARGET_PREFIX: 13,
}
# The two lists the 取組 sheet refers to.
_LIST_WIDTHS = {DIRECTION: 50, POLICY_HEADING: 30, MEASURE_HEADING: 36, DEPARTMENTS: 30}


def export_plan_workbook(*, plan: Plan | None = None) -> bytes:
    """The plan's structure as an .xlsx workbook (see the package docstring for its layout)."""
    plan = plan or get_plan()
    initiative_resource, indicator_resource = plan_resources(plan)
    directions = directions_of(plan)

    workbook = Workbook()
    _write_guide(workbook.active)
    sheet = workbook.create_sheet(INITIATIVE_SHEET)
    initiatives = initiative_resource.export(initiatives_of(plan))
    _write_table(
        sheet,
        initiatives,
        widths=INITIATIVE_WIDTHS,
        reference=initiative_resource.reference_columns,
    )
    direction_list = f"'{DIRECTION_SHEET}'!$A$2:$A${len(directions) + 1}"
    _list_validation(sheet, initiatives, DIRECTION, direction_list)
    for header in (NUMERIC_TARGET, *(label for _n, label in RESOURCES)):
        _list_validation(sheet, initiatives, header, f'"{MARK}"')
    workbook.active = workbook.sheetnames.index(INITIATIVE_SHEET)

    sheet = workbook.create_sheet(INDICATOR_SHEET)
    indicators = indicator_resource.export(indicators_of(plan))
    _write_table(
        sheet, indicators, widths=INDICATOR_WIDTHS, reference=indicator_resource.reference_columns
    )
    comparisons = '"' + ",".join(ComparisonWidget.LABELS) + '"'
    _list_validation(sheet, indicators, COMPARISON, comparisons)

    _write_table(
        workbook.create_sheet(DIRECTION_SHEET), _direction_table(directions), widths=_LIST_WIDTHS
    )
    _write_table(workbook.create_sheet(DEPARTMENT_SHEET), _department_table(), widths=_LIST_WIDTHS)

    for worksheet in workbook.worksheets:
        worksheet.sheet_view.tabSelected = worksheet.title == INITIATIVE_SHEET
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_filename(*, plan: Plan, today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    return f"行政経営プラン_{plan.slug}_構成_{today:%Y%m%d}.xlsx"


def _write_guide(sheet: Worksheet) -> None:
    sheet.title = GUIDE_SHEET
    sheet.column_dimensions["A"].width = _GUIDE_WIDTH
    for line in GUIDE:
        cells.append(sheet, [line])
    for row in sheet.iter_rows(min_row=1, max_row=len(GUIDE)):
        cell = row[0]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.number_format = _TEXT
        text = cell.value or ""
        if text and not text.startswith("・"):
            cell.font = Font(bold=True, size=14 if cell.row == 1 else 12)
        else:
            sheet.row_dimensions[cell.row].height = 15 * wrapped_lines(text, _GUIDE_WIDTH) + 3


def _direction_table(directions: list[Direction]) -> tablib.Dataset:
    table = tablib.Dataset(headers=[DIRECTION, POLICY_HEADING, MEASURE_HEADING])
    for direction in directions:
        measure = direction.measure
        table.append(
            [
                direction_label(direction),
                f"{POLICY_HEADING}{measure.policy.number} {measure.policy.title}",
                f"（{measure.number}）{measure.title}",
            ]
        )
    return table


def _department_table() -> tablib.Dataset:
    table = tablib.Dataset(headers=[DEPARTMENTS])
    for department in Department.objects.order_by("name"):
        table.append([department.name])
    return table


def _width(header: str, widths: dict[str, int]) -> int:
    for prefix, width in widths.items():
        if header == prefix or header.startswith(prefix + " "):
            return width
    return 8


def _write_table(
    sheet: Worksheet,
    dataset: tablib.Dataset,
    *,
    widths: dict[str, int],
    reference: tuple[str, ...] = (),
) -> None:
    """The dataset as a table: bold header, text cells (numbers in the 目標値 columns),
    room for new rows below."""
    headers = list(dataset.headers)
    cells.append(sheet, headers)
    for row in dataset:
        cells.append(sheet, row)
    column_widths = [_width(header, widths) for header in headers]
    for index, header in enumerate(headers, start=1):
        _format_column(
            sheet,
            index,
            width=column_widths[index - 1],
            rows=dataset.height,
            number_format=_NUMBER if header.startswith(TARGET_PREFIX) else _TEXT,
        )
        if header in reference:
            for row_index in range(2, dataset.height + 2 + _EXTRA_ROWS):
                sheet.cell(row=row_index, column=index).fill = _REFERENCE_FILL
    for row_index, row in enumerate(dataset, start=2):
        lines = max(
            (wrapped_lines(str(v or ""), w) for v, w in zip(row, column_widths, strict=True)),
            default=1,
        )
        sheet.row_dimensions[row_index].height = min(15 * lines + 3, 300)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{dataset.height + 1}"


def _format_column(
    sheet: Worksheet, index: int, *, width: int, rows: int, number_format: str
) -> None:
    dimension = sheet.column_dimensions[get_column_letter(index)]
    dimension.width = width
    dimension.number_format = number_format
    dimension.alignment = _WRAP
    head = sheet.cell(row=1, column=index)
    head.font = Font(bold=True)
    head.fill = _HEADER_FILL
    head.alignment = Alignment(wrap_text=True, vertical="center")
    head.number_format = _TEXT
    for row_index in range(2, rows + 2 + _EXTRA_ROWS):
        cell = sheet.cell(row=row_index, column=index)
        cell.number_format = number_format
        cell.alignment = _WRAP


def _list_validation(sheet: Worksheet, dataset: tablib.Dataset, header: str, formula: str) -> None:
    """A drop-down of `formula` in the column `header`, for the rows and the room below."""
    headers = list(dataset.headers)
    if header not in headers:
        return
    letter = get_column_letter(headers.index(header) + 1)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = "一覧の値を選んでください。"
    validation.errorTitle = "入力できない値です"
    validation.prompt = "一覧から選びます。"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{dataset.height + 1 + _EXTRA_ROWS}")
