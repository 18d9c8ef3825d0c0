"""The one writer of cells for people. Every file the system writes for someone to open in a
spreadsheet program puts its values through here: the open data (initiatives.csv and
initiatives.xlsx), the report workbook (/reports/<year>.xlsx), the department results
workbook and HQ's plan workbook. No other module writes a CSV row or an openpyxl cell
value (tests/initiatives/sheets/test_export_guard.py checks both the code and the files).

- Text that a spreadsheet program would run as a formula — starting with = + - @, their
  full-width forms ＝＋－＠, a tab or a CR — gets a leading apostrophe (`neutralise`, the
  OWASP advice against formula injection); `unneutralise` removes exactly that apostrophe
  when a workbook is read back, so the round trip is exact. A lone "-" (the tables' mark
  for "none") is left as it is: nothing follows the sign.
- Numbers (int, float, Decimal) stay numbers: numeric cells in a workbook, plain digits in a
  CSV. A negative number is a number, not a formula, so it is never neutralised.
- Characters an .xlsx cannot hold (control characters other than tab and line breaks) are
  dropped; empty text is an empty cell.

initiatives.json is not written here: JSON is data for programs, `json.dumps` escapes its
strings and nothing evaluates them, and an apostrophe would change the published values.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from initiatives.vocabulary import number_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NEUTRALISER = "'"
# Text that starts like a formula but cannot be one: a sign with nothing after it.
_HARMLESS = frozenset({"-"})

CellValue = str | int | float | bool | datetime.date | datetime.time | None


def _needs_neutralising(text: str) -> bool:
    if text in _HARMLESS:
        return False
    if text.startswith(FORMULA_STARTS):
        return True
    # "'=x" must also be protected, or reading it back would strip its real apostrophe.
    return text.startswith(NEUTRALISER) and _needs_neutralising(text[1:])


def neutralise(value):
    """A value no spreadsheet program evaluates: formula-looking text gets a leading
    apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and _needs_neutralising(value):
        return NEUTRALISER + value
    return value


def unneutralise(text: str) -> str:
    """Undo `neutralise` on text read back from a file (exact round trip)."""
    if text.startswith(NEUTRALISER) and _needs_neutralising(text[1:]):
        return text[1:]
    return text


def _number(value: int | float | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def cell_value(value: object) -> CellValue:
    """What a workbook cell holds for `value`: numbers, dates and booleans as they are
    (a Decimal as an int or a float), text cleaned and neutralised, empty text as None."""
    if value is None or isinstance(value, bool | datetime.date | datetime.time):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return neutralise(text) if text else None


def put(sheet: Worksheet, *, row: int, column: int, value: object) -> Cell:
    """Write `value` into one cell of `sheet` (see `cell_value`); returns the cell to style."""
    cell = sheet.cell(row=row, column=column)
    _assign(cell, value)
    return cell


def append(sheet: Worksheet, values: Iterable[object]) -> None:
    """Write `values` as the next row of `sheet`, each through `cell_value`."""
    cells = []
    for value in values:
        cell = Cell(sheet)
        _assign(cell, value)
        cells.append(cell)
    sheet.append(cells)


def _assign(cell: Cell, value: object) -> None:
    cell.value = cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, even when it reads like an error code such as #N/A


def csv_field(value: object) -> str:
    """What a CSV field holds for `value`: numbers as digits, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The CSV text of `rows` (CRLF line ends, as spreadsheet programs write them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_field(value) for value in row])
    return buffer.getvalue()


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(workbook: Workbook, *, as_of: datetime.datetime) -> bytes:
    """The .xlsx of `workbook`, the same bytes for the same data: openpyxl stamps the save
    time into the document properties and the zip entries, so a published file re-made for
    a new cache key would change size and hash without any change of data."""
    stamp = as_of.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = stamp
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return out.getvalue()
