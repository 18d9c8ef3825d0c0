"""Importing a filled results file: read it (legacy headings accepted), run
`ResultSheetResource.import_data` as a dry run for the preview, and for the confirmation
run it again for real in one transaction, rolled back if any row is refused."""

from __future__ import annotations

import tablib
from django.db import transaction
from import_export.results import RowResult

from initiatives.sheets.io import (
    SpreadsheetError,
    cell_text,
    normalise_header,
    read_content,
    require_columns,
    source_line,
)
from initiatives.sheets.results_workbook.columns import (
    COL_YEAR,
    REQUIRED_COLUMNS,
    SHEET_TITLE,
    current_headings,
    ignored_columns,
)
from initiatives.sheets.results_workbook.preview import ImportPreview, RowPreview
from initiatives.sheets.results_workbook.resource import ResultSheetResource

# Names the upload kept between the preview and the confirmation (`io.keep_upload`).
PURPOSE = "result-import"


class ImportRefused(Exception):
    """Confirming found a refused row (or nothing to change): nothing was applied."""

    def __init__(self, preview: ImportPreview, message: str) -> None:
        super().__init__(message)
        self.preview = preview


def read_sheet(content: bytes) -> tablib.Dataset:
    """The rows of an uploaded results file; SpreadsheetError for file-level problems."""
    dataset = read_content(content, sheet=SHEET_TITLE)
    dataset.headers = current_headings(dataset.headers)
    require_columns(dataset, REQUIRED_COLUMNS)
    if not len(dataset):
        raise SpreadsheetError(
            "見出しの行しかありません。取り込む行がありません。", code="spreadsheet"
        )
    return dataset


def preview_import(*, user, content: bytes, filename: str) -> ImportPreview:
    """The dry run: every row's change and problems; the database is left as it was."""
    return _run(user=user, content=content, filename=filename, dry_run=True)


def apply_import(*, user, content: bytes, filename: str) -> ImportPreview:
    """Apply every row in one transaction, or none: raises ImportRefused with the preview."""
    with transaction.atomic():
        preview = _run(user=user, content=content, filename=filename, dry_run=False)
        if preview.refused:
            transaction.set_rollback(True)
            raise ImportRefused(
                preview,
                f"取り込めない行が{len(preview.refused)}行あったため、何も取り込んでいません"
                "（確認のあとで他の人が更新したなど）。問題を直してから、もう一度読み込んでください。",
            )
        if not preview.changed:
            raise ImportRefused(preview, "変更のある行がないため、何も取り込んでいません。")
    preview.applied = True
    return preview


def _run(*, user, content: bytes, filename: str, dry_run: bool) -> ImportPreview:
    dataset = read_sheet(content)
    resource = ResultSheetResource(user=user, filename=filename)
    outcome = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    if outcome.base_errors:
        raise SpreadsheetError(
            "ファイルを読み込めませんでした（" + str(outcome.base_errors[0].error) + "）。",
            code="spreadsheet",
        )
    rows = [
        _row_preview(resource.previews.get(number), row_result, dataset, number)
        for number, row_result in enumerate(outcome.rows, start=1)
    ]
    years = sorted({cell_text(v) for v in dataset[COL_YEAR] if cell_text(v)})
    return ImportPreview(
        filename=filename,
        rows=rows,
        years=years,
        ignored_columns=ignored_columns([normalise_header(h) for h in dataset.headers]),
    )


def _row_preview(
    preview: RowPreview | None, row_result: RowResult, dataset: tablib.Dataset, number: int
) -> RowPreview:
    """A row's preview with the problems the import found in it."""
    preview = preview or RowPreview(line=source_line(dataset, number - 1))
    if row_result.validation_error is not None:
        preview.problems = list(dict.fromkeys(row_result.validation_error.messages))
    elif row_result.errors:
        preview.problems = [
            f"予期しないエラーのため取り込めません（{type(e.error).__name__}）。"
            for e in row_result.errors
        ]
    if row_result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
        preview.problems = preview.problems or ["この行は取り込めません。"]
    return preview
