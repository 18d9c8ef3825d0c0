"""Reading an uploaded plan workbook (or a CSV of its 取組 sheet) and previewing what
importing it would change. File-level problems (unreadable file, missing sheet or
column, years outside the plan period) stop the comparison; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import tablib

from initiatives.models import Plan
from initiatives.plan.selectors import get_plan
from initiatives.sheets.io import SpreadsheetError, read_content, sheet_names
from initiatives.sheets.plan_workbook.columns import INDICATOR_SHEET, INITIATIVE_SHEET
from initiatives.sheets.plan_workbook.compare import compare_indicators, compare_initiatives
from initiatives.sheets.plan_workbook.report import PlanImportPreview
from initiatives.sheets.plan_workbook.resources import initiatives_of, plan_resources


@dataclass
class _Sheets:
    initiatives: tablib.Dataset
    indicators: tablib.Dataset | None  # None: the file has no 指標 sheet (or is a CSV)


def preview_plan_import(content: bytes, *, plan: Plan | None = None) -> PlanImportPreview:
    """Read a workbook (or CSV) and compare it with the plan; writes nothing."""
    plan = plan or get_plan()
    preview = PlanImportPreview()
    sheets = _read_sheets(content, preview)
    if sheets is None:
        return preview
    initiative_resource, indicator_resource = plan_resources(plan)
    preview.file_problems += initiative_resource.column_problems(
        sheets.initiatives, sheet=INITIATIVE_SHEET
    )
    if sheets.indicators is not None:
        preview.file_problems += indicator_resource.column_problems(
            sheets.indicators, sheet=INDICATOR_SHEET
        )
    if not preview.file_problems and not sheets.initiatives.height:
        preview.file_problems.append(f"「{INITIATIVE_SHEET}」シートに取組の行がありません。")
    if preview.file_problems:
        return preview

    existing = {i.code.upper(): i for i in initiatives_of(plan)}
    final_years = compare_initiatives(preview, sheets.initiatives, initiative_resource, existing)
    if sheets.indicators is not None:
        compare_indicators(
            preview,
            sheets.indicators,
            indicator_resource,
            plan=plan,
            existing=existing,
            final_years=final_years,
        )
    listed = {r.key for r in preview.initiative_rows}
    preview.unlisted_codes = [i.code for i in existing.values() if i.code.upper() not in listed]
    return preview


def _read_sheets(content: bytes, preview: PlanImportPreview) -> _Sheets | None:
    """The sheets to compare; None (with the file's problems in `preview`) when unreadable."""
    try:
        initiatives = read_content(content, sheet=INITIATIVE_SHEET)
    except SpreadsheetError as error:
        preview.file_problems.extend(error.messages)
        return None
    names = sheet_names(content)  # None for a CSV
    if names is None:
        preview.sheets.append(INITIATIVE_SHEET)
        preview.notes.append("CSV ファイルなので、取組シートだけを読みました。指標は変わりません。")
        return _Sheets(initiatives, None)
    if INITIATIVE_SHEET not in names:
        preview.file_problems.append(
            f"「{INITIATIVE_SHEET}」シートがありません（このファイルのシート: "
            f"{'、'.join(names)}）。書き出したブックのシート名を変えずに使ってください。"
        )
        return None
    if INDICATOR_SHEET not in names:
        preview.sheets.append(INITIATIVE_SHEET)
        preview.notes.append(f"「{INDICATOR_SHEET}」シートがないので、指標は変わりません。")
        return _Sheets(initiatives, None)
    try:
        indicators = read_content(content, sheet=INDICATOR_SHEET)
    except SpreadsheetError as error:
        preview.file_problems.extend(f"「{INDICATOR_SHEET}」シート: {m}" for m in error.messages)
        return None
    preview.sheets += [INITIATIVE_SHEET, INDICATOR_SHEET]
    return _Sheets(initiatives, indicators)
