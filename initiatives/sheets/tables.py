"""Reading the rows of an upload, within bounds: the sheet of an .xlsx that
`archive.check_archive` let through (openpyxl in read-only mode, the sheet's declared
dimension ignored because it can lie and openpyxl would pad every row to it) and a CSV
(UTF-8 or Shift_JIS/CP932, read line by line). Both stop at MAX_ROWS rows, MAX_CELLS
cells and MAX_CELL_CHARS characters in a cell; a CSV line may not exceed MAX_LINE_CHARS.
The real workbooks hold a few hundred rows of at most a few dozen columns."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from decimal import Decimal

from initiatives.sheets.archive import check_archive
from initiatives.sheets.errors import (
    SpreadsheetError,
    not_spreadsheet,
    spreadsheet_error,
    too_big,
)

MAX_ROWS = 5_000
MAX_COLUMNS = 500
MAX_CELLS = 30_000
MAX_CELL_CHARS = 32_767  # what Excel holds in a cell
MAX_LINE_CHARS = 2_000_000

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Bounds:
    """Counts rows and cells as they are read; refuses the first one over a limit."""

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0

    def add(self, row: list, *, width: int) -> None:
        """Count a row of `width` cells (as read, before cutting it at MAX_COLUMNS + 1)."""
        self.rows += 1
        self.cells += width
        if self.rows > MAX_ROWS + 1:
            raise spreadsheet_error(
                f"行が多すぎます（{MAX_ROWS:,}行まで）。ファイルを分けてください。"
            )
        if self.cells > MAX_CELLS:
            raise too_big(f"セルが {MAX_CELLS:,} を超えています")
        for value in row:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise _cell_too_long(self.rows)


def _cell_too_long(line: int | None) -> SpreadsheetError:
    where = f"{line}行目に" if line else ""
    return spreadsheet_error(
        f"{where}{MAX_CELL_CHARS:,}文字を超えるセルがあります。"
        "長すぎる文章を短くするか、別の資料にしてください。"
    )


# --- .xlsx ------------------------------------------------------------------------------


# Digests of the last files `check_archive` let through: a preview opens one file three
# times (sheet names, 取組, 指標) and the same bytes always get the same verdict.
_PASSED: dict[bytes, None] = {}
_PASSED_KEPT = 8


def _checked(content: bytes) -> None:
    digest = hashlib.sha256(content).digest()
    if digest in _PASSED:
        return
    check_archive(content)
    _PASSED[digest] = None
    while len(_PASSED) > _PASSED_KEPT:
        _PASSED.pop(next(iter(_PASSED)))


@contextlib.contextmanager
def _workbook(content: bytes) -> Iterator:
    """The workbook opened read-only, once `check_archive` let it through."""
    import openpyxl

    _checked(content)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed XML
        raise not_spreadsheet() from exc
    try:
        yield workbook
    finally:
        workbook.close()


def xlsx_sheet_names(content: bytes) -> list[str]:
    with _workbook(content) as workbook:
        return list(workbook.sheetnames)


def xlsx_rows(content: bytes, sheet: str | None) -> list[list]:
    """The rows of the sheet named `sheet` if the workbook has it, else of the first."""
    with _workbook(content) as workbook:
        try:
            return _worksheet_rows(workbook, sheet)
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise not_spreadsheet() from exc


def _worksheet_rows(workbook, sheet: str | None) -> list[list]:
    worksheets = workbook.worksheets
    if not worksheets:
        raise spreadsheet_error("シートがありません。")
    worksheet = workbook[sheet] if sheet and sheet in workbook.sheetnames else worksheets[0]
    worksheet.reset_dimensions()
    bounds = _Bounds()
    rows: list[list] = []
    for row in worksheet.iter_rows():
        values = [_xlsx_value(cell) for cell in row[: MAX_COLUMNS + 1]]
        bounds.add(values, width=len(row))
        rows.append(values)
    return rows


def _xlsx_value(cell):
    value = getattr(cell, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number_format = getattr(cell, "number_format", "") or ""
        # 98.3% typed into a percentage cell is stored as 0.983; staff mean 98.3.
        if "%" in number_format.replace('"%"', "").replace("\\%", ""):
            return Decimal(repr(value)) * 100
    return value


# --- CSV --------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_spreadsheet()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _bounded_lines(text: str) -> Iterator[str]:
    """The physical lines of a CSV with their line ends, one at a time (the csv module reads
    a quoted field over several), each refused before it is copied when it is too long."""
    for match in _LINE.finditer(text):
        if match.end() - match.start() > MAX_LINE_CHARS:
            raise too_big(f"1行が {MAX_LINE_CHARS:,} 文字を超えています")
        yield match.group()


def csv_rows(content: bytes) -> list[list]:
    text = _decode(content)
    if CONTROL.search(text):
        raise not_spreadsheet()
    bounds = _Bounds()
    rows = []
    try:
        for row in csv.reader(_bounded_lines(text), strict=True):
            values = row[: MAX_COLUMNS + 1]
            bounds.add(values, width=len(row))
            rows.append(values)
    except csv.Error as exc:
        if str(exc).startswith("field larger than field limit"):
            raise _cell_too_long(bounds.rows + 1) from exc
        raise spreadsheet_error(
            'CSV ファイルの形が正しくありません（引用符 " の対応がずれている可能性があります）。'
            "Excel で開いて「CSV」として保存し直すか、.xlsx で保存してください。"
        ) from exc
    return rows
