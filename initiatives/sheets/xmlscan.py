"""One XML part of an .xlsx upload streamed through expat before openpyxl reads it, refused
as soon as it passes a limit. The limits follow what openpyxl does with each element:

- cells (the elements inside a sheet's <sheetData>) are cheap to read, a few microseconds
  each, and only the sheet being imported is read in full: up to a sheet's own limit;
- the shared strings (<si>) are each turned into an object: MAX_SHARED_STRINGS;
- everything else — a sheet's columns, merged cells and formats, the styles, the
  relationships, the workbook — becomes objects of openpyxl's object model at tens of
  microseconds each: MAX_OBJECT_ELEMENTS in the whole workbook, and before a sheet's
  table at most MAX_BEFORE_TABLE (openpyxl reads that much of every sheet);
- and for all: no DOCTYPE or entity declarations (billion laughs), at most MAX_DEPTH
  levels, MAX_ELEMENTS in the whole workbook, MAX_SHEETS sheets, and no run of more than
  MAX_RUN bytes without a "<" (one enormous tag, or text, would be one enormous object).

Parts are read as UTF-8, as Excel and LibreOffice write them, whatever they declare;
UTF-16 and UTF-32 parts are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from initiatives.sheets.errors import not_spreadsheet, spreadsheet_error, too_big

MAX_DEPTH = 64
MAX_RUN = 256 * 1024  # above Excel's longest cell (32,767 characters of 4 bytes)
MAX_ELEMENTS = 150_000
MAX_OBJECT_ELEMENTS = 10_000
MAX_BEFORE_TABLE = 1_000
MAX_SHARED_STRINGS = 10_000
MAX_SHEETS = 50


@dataclass
class Budget:
    """What the parts scanned so far used of the limits for the whole workbook."""

    elements: int = 0
    objects: int = 0
    strings: int = 0
    sheets: int = 0


SHEET = "sheet"
STRINGS = "strings"
OTHER = "other"


def _wide_encoding(start: bytes) -> bool:
    """UTF-16 or UTF-32 (a byte order mark, or NUL bytes among the first): expat would follow
    it, but a "<" byte would no longer mark every tag."""
    return start.startswith((b"\xfe\xff", b"\xff\xfe")) or b"\x00" in start[:4]


class XmlScan:
    """Feed a part's bytes in chunks, then `close()`; raises SpreadsheetError at the first
    limit passed. `label` names the part for people (シート xl/worksheets/sheet1.xml);
    `role` says what openpyxl will read it as: SHEET, STRINGS or OTHER."""

    def __init__(self, *, label: str, role: str, max_elements: int, budget: Budget) -> None:
        self.label = label
        self.role = role
        self.max_elements = max_elements
        self.budget = budget
        self.depth = 0
        self.table_depth: int | None = None  # the depth of <sheetData> while inside it
        self.table_seen = False
        self.elements = 0
        self.before_table = 0
        self.run = 0  # bytes since the last "<"
        self.fed = False
        self.parser = expat.ParserCreate(encoding="UTF-8", namespace_separator="}")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def feed(self, chunk: bytes) -> None:
        if not self.fed and _wide_encoding(chunk):
            raise not_spreadsheet()
        self.fed = True
        self._check_runs(chunk)
        self._parse(chunk, final=False)

    def close(self) -> None:
        self._parse(b"", final=True)

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise not_spreadsheet() from exc

    def _check_runs(self, chunk: bytes) -> None:
        """Refuse a tag or text longer than MAX_RUN, across chunks."""
        pieces = chunk.split(b"<")
        self.run += len(pieces[0])
        longest = max([self.run, *map(len, pieces[1:-1])])
        if len(pieces) > 1:
            self.run = len(pieces[-1])
        if max(longest, self.run) > MAX_RUN:
            raise too_big(
                f"{self.label} に {MAX_RUN // 1024:,} KB を超える一続きのタグか文字列があります"
            )

    def _start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise spreadsheet_error(
                f"ファイルの中身の形が正しくありません（{self.label} の入れ子が {MAX_DEPTH} 段を"
                "超えています）。Excel や LibreOffice で開き、.xlsx で保存し直してください。"
            )
        local = name.rpartition("}")[2]
        self._count(local)
        if self.role == STRINGS:
            if local == "si":
                self._count_string()
        elif self.role == SHEET and local == "sheetData" and self.table_depth is None:
            self.table_depth, self.table_seen = self.depth, True
        elif self.table_depth is None:
            self._count_object()

    def _end(self, name: str) -> None:
        if self.depth == self.table_depth:
            self.table_depth = None
        self.depth -= 1

    def _count(self, local: str) -> None:
        self.elements += 1
        self.budget.elements += 1
        if self.elements > self.max_elements:
            raise too_big(f"{self.label} の要素が {self.max_elements:,} を超えています")
        if self.budget.elements > MAX_ELEMENTS:
            raise too_big(f"ブック全体の要素が {MAX_ELEMENTS:,} を超えています")
        if local == "sheet" and self.role == OTHER:
            self.budget.sheets += 1
            if self.budget.sheets > MAX_SHEETS:
                raise too_big(f"シートが {MAX_SHEETS} を超えています")

    def _count_string(self) -> None:
        self.budget.strings += 1
        if self.budget.strings > MAX_SHARED_STRINGS:
            raise too_big(f"文字列が {MAX_SHARED_STRINGS:,} 個を超えています")

    def _count_object(self) -> None:
        self.budget.objects += 1
        if self.budget.objects > MAX_OBJECT_ELEMENTS:
            raise too_big(
                f"書式・セルの結合・列・関係などの要素がブック全体で {MAX_OBJECT_ELEMENTS:,} を"
                f"超えています（{self.label} まで）"
            )
        if self.role == SHEET and not self.table_seen:
            self.before_table += 1
            if self.before_table > MAX_BEFORE_TABLE:
                raise too_big(f"{self.label} の表の前の要素が {MAX_BEFORE_TABLE:,} を超えています")

    def _doctype(self, *args) -> None:
        raise spreadsheet_error(
            "ファイルの中身に Excel ブックにはない定義（DOCTYPE・ENTITY）があるため"
            f"読み込めません（{self.label}）。Excel や LibreOffice で開き、.xlsx で保存し直して"
            "ください。"
        )
