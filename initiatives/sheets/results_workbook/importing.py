"""Importing a filled results file: read it (legacy headings accepted), check every row
without writing (`checking`: the preview), and for the confirmation check it again and
save each changed row through `services.save_draft` (permissions, optimistic locking,
WorkflowEvent, simple-history) in one transaction, rolled back if any row is refused."""

from __future__ import annotations

import logging

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from initiatives.results import services
from initiatives.sheets.io import (
    SpreadsheetError,
    cell_text,
    normalise_header,
    read_content,
    require_columns,
)
from initiatives.sheets.results_workbook.checking import CheckedRow, check_rows
from initiatives.sheets.results_workbook.columns import (
    COL_YEAR,
    REQUIRED_COLUMNS,
    SHEET_TITLE,
    current_headings,
    ignored_columns,
)
from initiatives.sheets.results_workbook.preview import ImportPreview

logger = logging.getLogger(__name__)

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
    """Every row's change and problems; nothing is written (a fixed number of queries)."""
    dataset = read_sheet(content)
    return _preview(dataset, check_rows(user=user, dataset=dataset), filename=filename)


def apply_import(*, user, content: bytes, filename: str) -> ImportPreview:
    """Save every changed row in one transaction, or none: raises ImportRefused with the
    preview when a row is refused now (checked again, or refused when saved)."""
    dataset = read_sheet(content)
    with transaction.atomic():
        checked = check_rows(user=user, dataset=dataset)
        preview = _preview(dataset, checked, filename=filename)
        if not preview.refused and not preview.changed:
            raise ImportRefused(preview, "変更のある行がないため、何も取り込んでいません。")
        if not preview.refused:
            reason = f"ファイルから取り込み: {filename}"[:100]
            for row in checked:
                if row.to_save:
                    _save(row, user=user, reason=reason)
        if preview.refused:  # raising inside the block rolls every saved row back
            raise ImportRefused(
                preview,
                f"取り込めない行が{len(preview.refused)}行あったため、何も取り込んでいません"
                "（確認のあとで他の人が更新したなど）。問題を直してから、もう一度読み込んでください。",
            )
    preview.applied = True
    return preview


def _save(row: CheckedRow, *, user, reason: str) -> None:
    """Save one row as a draft; a refusal becomes the row's problem in the preview."""
    entry = row.entry
    try:
        services.save_draft(
            result=row.result,
            user=user,
            version=entry.version,
            status=entry.status,
            text=entry.text,
            note=entry.note,
            actuals=entry.actuals,
            reason=reason,
            comment=reason,
        )
    except services.StaleResultError as error:
        row.preview.problems = [str(error)]
    except PermissionDenied as error:
        row.preview.problems = [str(error) or "この実施結果は今は編集できません。"]
    except ValidationError as error:
        row.preview.problems = list(dict.fromkeys(error.messages))
    except Exception as error:  # save_draft's savepoint is rolled back; the file is refused
        logger.exception("results import: saving line %s failed", row.preview.line)
        row.preview.problems = [f"予期しないエラーのため取り込めません（{type(error).__name__}）。"]


def _preview(dataset: tablib.Dataset, checked: list[CheckedRow], *, filename: str) -> ImportPreview:
    years = sorted({cell_text(v) for v in dataset[COL_YEAR] if cell_text(v)})
    return ImportPreview(
        filename=filename,
        rows=[row.preview for row in checked],
        years=years,
        ignored_columns=ignored_columns([normalise_header(h) for h in dataset.headers]),
    )
