"""Hostile uploads are refused before they are parsed, each with a message saying what is
too big or wrong; real workbooks and odd-but-harmless files are still read. The files are
built by `benchmarks/upload_bombs.py` (which prints what each costs), smaller where the
size does not matter for the refusal; no timing is asserted here."""

from __future__ import annotations

import io
import zipfile

import pytest

from benchmarks.upload_bombs import (
    _TYPES,
    _WORKBOOK_RELS,
    STRINGS,
    _deep,
    _laughs,
    _many_sheets,
    _merged,
    _moved_strings,
    _rows,
    _styles,
    _wide,
    lying_sizes,
    sheet_xml,
    strings_xml,
    xlsx,
)
from initiatives.sheets import archive, tables, xmlscan
from initiatives.sheets.io import SpreadsheetError, read_content

TINY = b"<si><t>x</t></si>"
SHEET = sheet_xml(_rows(0))
TOO_BIG = "ファイルの中身が大きすぎます"
NOT_READABLE = "表計算のファイルとして読めません"


def refusal(content: bytes) -> str:
    with pytest.raises(SpreadsheetError) as excinfo:
        read_content(content)
    return " ".join(excinfo.value.messages)


def chartsheet() -> bytes:
    rels = _WORKBOOK_RELS.replace("/worksheet", "/chartsheet")
    return xlsx(SHEET, extra={"xl/_rels/workbook.xml.rels": rels.encode()})


def utf16_sheet() -> bytes:
    text = sheet_xml(_rows(1)).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return xlsx(text.encode("utf-16"))


def two_sheets_one_part() -> bytes:
    book = _many_sheets(2)
    book["xl/worksheets/sheet1.xml"] = SHEET
    return xlsx(b"", extra=book)


BOMBS = [
    # (name, builder, what the message says)
    (
        "strings over 8 MB",
        lambda: xlsx(SHEET, streamed={STRINGS: (TINY, 520_000)}),
        "文字列の一覧 xl/sharedStrings.xml を展開すると 8.4 MB、上限 8.0 MB",
    ),
    (
        "strings inflating 400 times",
        lambda: xlsx(SHEET, strings=strings_xml(TINY * 70_000, 1)),
        "倍に展開されます、上限 100 倍",
    ),
    (
        "10,001 strings",
        lambda: xlsx(SHEET, strings=strings_xml(TINY * 10_001, 1), stored=True),
        "文字列が 10,000 個を超えています",
    ),
    (
        "lying zip sizes",
        lambda: lying_sizes(xlsx(SHEET, streamed={STRINGS: (TINY, 100_000)}), STRINGS, 1024),
        "Excel ファイル（.xlsx）が壊れているため読めません",
    ),
    ("sheet over 16 MB", lambda: xlsx(sheet_xml(_rows(700_000))), "上限 16.0 MB"),
    ("5,001 rows", lambda: xlsx(sheet_xml(_rows(5_001))), "行が多すぎます（5,000行まで）"),
    (
        "60,001 elements in a sheet",
        lambda: xlsx(sheet_xml(_rows(1, "<c/>" * 60_001)), stored=True),
        "の要素が 60,000 を超えています",
    ),
    ("16,384 columns", lambda: xlsx(_wide(2)), "セルが 30,000 を超えています"),
    (
        "10,001 merged cells",
        lambda: xlsx(_merged(10_001), stored=True),
        "書式・セルの結合・列・関係などの要素がブック全体で 10,000 を超えています",
    ),
    (
        "10,001 formats",
        lambda: xlsx(SHEET, extra=_styles(10_001)),
        "要素がブック全体で 10,000 を超えています（ブックの部品 xl/styles.xml まで）",
    ),
    ("nesting 65 deep", lambda: xlsx(_deep(65)), "入れ子が 64 段を超えています"),
    ("billion laughs", lambda: xlsx(SHEET, strings=_laughs()), "DOCTYPE・ENTITY"),
    (
        "one tag of 300 KB",
        lambda: xlsx(sheet_xml('<row r="1" ' + " ".join(f"a{n}=''" for n in range(30_000)) + "/>")),
        "256 KB を超える一続きのタグか文字列があります",
    ),
    (
        "a cell of 300 KB",
        lambda: xlsx(
            sheet_xml('<row r="1"><c t="inlineStr"><is><t>' + "x" * 300_000 + "</t></is></c></row>")
        ),
        "256 KB を超える一続きのタグか文字列があります",
    ),
    ("51 sheets", lambda: xlsx(b"", extra=_many_sheets(51)), "シートが 50 を超えています"),
    ("2 sheets, one part", two_sheets_one_part, NOT_READABLE),
    (
        "strings moved to a sheet's name",
        lambda: xlsx(SHEET, extra=_moved_strings(10)),
        NOT_READABLE,
    ),
    ("a chart sheet", chartsheet, "グラフシートのあるブックは読み込めません"),
    ("UTF-16 XML", utf16_sheet, NOT_READABLE),
    (
        "301 parts",
        lambda: xlsx(SHEET, extra={str(n): b"" for n in range(295)}),
        "部品の数が 301、上限 300",
    ),
    (
        "a CSV line of 2 M characters",
        lambda: b"," * 2_000_001,
        "1行が 2,000,000 文字を超えています",
    ),
    ("a CSV of 5,001 rows", lambda: b"a\n" * 5_002, "行が多すぎます（5,000行まで）"),
    (
        "a CSV of 30,001 cells",
        lambda: b"a," * 15_001 + b"\n" + b"b," * 15_001,
        "セルが 30,000 を超えています",
    ),
    (
        "a CSV cell of 32,768 characters",
        lambda: b"x" * 32_768,
        "1行目に32,767文字を超えるセルがあります",
    ),
    (
        "a CSV field over the csv module's limit",
        lambda: b'a\n"' + b"x" * 200_000 + b'"',
        "2行目に32,767文字を超えるセルがあります",
    ),
]


@pytest.mark.parametrize(("build", "expected"), [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_it_refuses_each_bomb_saying_why(build, expected) -> None:
    assert expected in refusal(build())


def test_a_too_big_message_says_what_to_do() -> None:
    message = refusal(xlsx(SHEET, strings=strings_xml(TINY * 10_001, 1), stored=True))
    assert message.startswith(TOO_BIG)
    assert "ファイルを分けてください" in message


def test_it_refuses_when_the_whole_workbook_inflates_too_far(monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 3_000)
    assert "展開すると合計" in refusal(xlsx(sheet_xml(_rows(100))))


def test_it_counts_the_inflated_bytes_not_the_declared_ones(monkeypatch) -> None:
    """Were the directory's sizes believed (here: not checked at all), reading would still
    stop at the limit, counting what is actually inflated."""
    monkeypatch.setattr(archive, "_check_directory", lambda infos: None)
    monkeypatch.setattr(archive, "part_kind", _strict_sheets(limit=100))
    message = refusal(xlsx(sheet_xml(_rows(10))))
    assert "シート xl/worksheets/sheet1.xml を展開すると" in message


def _strict_sheets(*, limit: int):
    real = archive.part_kind

    def part_kind(name: str) -> archive.PartKind:
        kind = real(name)
        if kind.role == xmlscan.SHEET:
            return archive.PartKind(kind.label, kind.role, limit, kind.max_elements)
        return kind

    return part_kind


def test_it_reads_odd_but_harmless_workbooks() -> None:
    """A dimension claiming the whole sheet, a row numbered far down within the limits."""
    lying = sheet_xml(_rows(1), dimension="A1:XFD1048576")
    assert len(read_content(xlsx(lying))) == 1
    far = sheet_xml(_rows(0) + '<row r="4000"><c r="A4000"><v>7</v></c></row>')
    dataset = read_content(xlsx(far))
    assert list(dataset) == [(7,)] and dataset.source_lines == [4000]


def test_the_limits_leave_room_for_the_real_workbooks() -> None:
    """The whole plan's workbook: 9,000 elements in its largest sheet, 14,000 in all."""
    assert archive.SHEET.max_elements >= 6 * 9_000
    assert xmlscan.MAX_ELEMENTS >= 10 * 14_000
    assert tables.MAX_CELLS >= 4 * 324 * 22  # the 取組 sheet with its 200 empty rows
    assert xmlscan.MAX_SHEETS >= 10 * 5


def test_a_types_file_naming_the_usual_parts_is_accepted() -> None:
    assert "/xl/sharedStrings.xml" in _TYPES
    assert len(read_content(xlsx(sheet_xml(_rows(2))))) == 2


def test_a_zip_that_is_not_a_workbook_is_named() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        archive_file.writestr("word/document.xml", b"<w/>")
    assert "Excel ブック（.xlsx）ではありません" in refusal(buffer.getvalue())
