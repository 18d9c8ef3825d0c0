"""Checking a results file row by row without writing anything: each row's result (found
through `SheetLookup`, which loads what the file names in a fixed number of queries), its
cells read through the resource's fields, what saving it would change (old → new) and why
it would be refused. The preview is this check; the confirmation makes it again and then
saves the changed rows (`importing`)."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.core.exceptions import ValidationError

from initiatives.models import Result
from initiatives.results import limits
from initiatives.results.consistency import sheet_findings
from initiatives.sheets.io import cell_text, source_line
from initiatives.sheets.results_workbook.columns import COL_CODE
from initiatives.sheets.results_workbook.entry import (
    SheetEntry,
    compare_texts,
    read_actuals,
    refusals,
)
from initiatives.sheets.results_workbook.lookup import SheetLookup
from initiatives.sheets.results_workbook.preview import RowPreview
from initiatives.sheets.results_workbook.resource import ResultSheetResource
from initiatives.vocabulary import State


@dataclass
class CheckedRow:
    """One row of the file: how the preview shows it, and its result and values."""

    preview: RowPreview
    result: Result | None = None
    entry: SheetEntry | None = None

    @property
    def to_save(self) -> bool:
        """A row that changes its result and may be saved."""
        return self.entry is not None and bool(self.preview.changes) and not self.preview.problems


def check_rows(*, user, dataset: tablib.Dataset) -> list[CheckedRow]:
    """Every row of `dataset` checked for `user`; reads the database, never writes it."""
    fields = ResultSheetResource(user=user).fields
    lookup = SheetLookup(user=user, dataset=dataset)
    checked = []
    for index, row in enumerate(dataset.dict):
        preview = RowPreview(line=source_line(dataset, index), code=cell_text(row.get(COL_CODE)))
        item = CheckedRow(preview=preview)
        try:
            item.result, item.entry = _read_row(fields, lookup, row, preview)
        except ValidationError as error:
            preview.problems = list(dict.fromkeys(error.messages))
        else:
            preview.problems = list(dict.fromkeys(item.entry.problems))
        checked.append(item)
    _add_findings(checked)
    return checked


def _add_findings(checked: list[CheckedRow]) -> None:
    """Each readable row's 「確認事項」 (the consistency checks), for the whole file at once."""
    rows = [item for item in checked if item.entry is not None]
    texts = sheet_findings(
        [(i.result, i.entry.status, i.entry.note, i.entry.actuals) for i in rows]
    )
    for item, text in zip(rows, texts, strict=True):
        item.preview.findings = text


def _read_row(
    fields: dict, lookup: SheetLookup, row: dict, preview: RowPreview
) -> tuple[Result, SheetEntry]:
    """The row's result and entry; the entry's problems say why a changed row is refused.
    Raises ValidationError when the row names no result of the user's departments."""
    result = lookup.result_of(code=fields["code"].clean(row), year_text=fields["year"].clean(row))
    preview.name = result.initiative.name
    lookup.check_owner(result)
    entry = SheetEntry(
        version=fields["version"].clean(row),
        status=result.status,
        text=fields["text"].clean(row),
        note=fields["note"].clean(row),
    )
    try:
        entry.status = fields["status"].clean(row)
    except ValidationError as error:
        entry.problems.extend(error.messages)
    compare_texts(result, entry)
    read_actuals(row, entry, indicators=lookup.indicators(result), current=lookup.actuals(result))
    editable = lookup.is_editable(result)
    if entry.changes:
        entry.problems.extend(refusals(result, entry, editable=editable))
        # The services' text limits, so that the preview refuses what saving would.
        entry.problems.extend(limits.text_errors("text", entry.text))
        entry.problems.extend(limits.text_errors("note", entry.note))
    preview.changes = entry.changes
    if not editable:
        preview.remark = f"参照のみ（{State(result.state).label}）"
    return result, entry
