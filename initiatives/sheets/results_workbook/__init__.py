"""The department results spreadsheet: export an .xlsx to fill offline, then import it.

Layout (sheet 「実施結果」, one row per result = per initiative, in the plan's order):

    取組No. 取組事項名 担当課 実施計画 入力状況 | 達成状況 実施結果 確定時期 |
    指標1名 指標1単位 指標1目標値 指標1実績値 … 指標N… | 年度 版

Only 達成状況 / 実施結果 / 確定時期 / 指標k実績値 are filled in (unlocked, yellow); every
other cell is reference (locked, grey). N is the largest number of indicators among the
exported initiatives; an initiative with fewer leaves the rest empty. 年度 and 版 (the
result's version when exported) identify the row and detect lost updates. Files exported
before the headings were shared (取組番号, 取組名) are still read.

Modules: `columns` (headings), `widgets` (cells), `resource` (the ModelResource that
exports the sheet and whose fields read a row's cells back), `lookup` (what a file's rows
refer to, loaded in a fixed number of queries), `entry` (what a row says and why it is
refused), `checking` (every row checked without writing), `preview`, `guide` (the 説明
text), `export` and `importing`.

The preview checks every row in memory against what `lookup` loaded, whatever the number
of rows, and writes nothing. The confirmation makes the same check again and saves each
changed row through `services.save_draft` (permissions, optimistic locking under a row
lock, WorkflowEvent, simple-history), never by saving the model directly, all in one
transaction rolled back if any row is refused.

This package exports what the admin screens use; the modules hold the rest.
"""

from __future__ import annotations

from initiatives.sheets.results_workbook.export import export_filename, export_workbook
from initiatives.sheets.results_workbook.guide import help_lines
from initiatives.sheets.results_workbook.importing import (
    PURPOSE,
    ImportRefused,
    apply_import,
    preview_import,
)
from initiatives.sheets.results_workbook.preview import ImportPreview

__all__ = [
    "PURPOSE",
    "ImportPreview",
    "ImportRefused",
    "apply_import",
    "export_filename",
    "export_workbook",
    "help_lines",
    "preview_import",
]
