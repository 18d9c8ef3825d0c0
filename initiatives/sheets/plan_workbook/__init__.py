"""HQ's plan spreadsheet: the plan's structure as an .xlsx workbook, and a revision read back.

Export (推進本部 and system administrators) writes one workbook (`export`):

- 「説明」: how to fill it in (`guide`);
- 「取組」: one row per initiative, keyed by 取組No.: name, 取組の方向性, 担当課, flags,
  概要, めざす姿, 関連計画 and one 実施計画 column per fiscal year of the plan period;
- 「指標」: one row per indicator (数値目標), keyed by 取組No. + 指標名, with one 目標値
  column per fiscal year;
- 「方向性一覧」「担当課一覧」: the values the 取組 sheet may refer to (not read back).

Import (system administrators only) reads the 取組 and 指標 sheets (a CSV holds the 取組
sheet only), compares every row with the database and reports each row's change
(old → new), new rows (新規) and each row's problems without writing anything
(`preview_plan_import`, in `preview` and `compare`). `apply_plan_import` (`apply`,
`writes`) then writes all rows in one transaction or none, records the revision
(PlanRevision) and logs who imported which file, when, in the admin history (LogEntry) of
the revision and of every initiative it changed.

Never written: results (実施結果) and anything else outside the plan's structure. Never
deleted: initiatives, indicators or yearly plans missing from the file stay as they are.

Columns are described by django-import-export Resources (`resources`: fields + `widgets`):
the same widget renders a value on export and reads it back on import.

This package exports what the admin screens use; the modules hold the rest.
"""

from __future__ import annotations

from initiatives.sheets.io import MAX_UPLOAD_LABEL
from initiatives.sheets.plan_workbook.apply import (
    AppliedImport,
    StalePreviewError,
    apply_plan_import,
)
from initiatives.sheets.plan_workbook.columns import (
    GUIDE_SHEET,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
)
from initiatives.sheets.plan_workbook.export import export_filename, export_plan_workbook
from initiatives.sheets.plan_workbook.form import PlanImportForm, RevisionSpec, resolve_revision
from initiatives.sheets.plan_workbook.preview import preview_plan_import
from initiatives.sheets.plan_workbook.report import PlanImportPreview

__all__ = [
    "GUIDE_SHEET",
    "INDICATOR_SHEET",
    "INITIATIVE_SHEET",
    "MAX_UPLOAD_LABEL",
    "AppliedImport",
    "PlanImportForm",
    "PlanImportPreview",
    "RevisionSpec",
    "StalePreviewError",
    "apply_plan_import",
    "export_filename",
    "export_plan_workbook",
    "preview_plan_import",
    "resolve_revision",
]
