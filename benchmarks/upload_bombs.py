"""What hostile uploads cost the server: time and memory of reading each "bomb", beside real
exported workbooks.

    .venv/bin/python benchmarks/upload_bombs.py [--plan fixtures/plan.json]

Builds a throwaway SQLite database in a temporary directory (your database is not
touched), loads the real plan and exports a department's results workbook and the plan
workbook as the admin does. Then builds the bombs in memory: shared strings or sheets that
inflate far beyond their compressed size, too many rows, cells or columns, a zip whose
directory lies about a part's size, XML nested deeply, entity expansion (billion laughs),
one enormous tag, many parts, and CSV files with a huge line, field or row count. Each
file is read by `initiatives.sheets.io.read_content`, the first thing the import screens
do with an upload, in its own forked process (so each starts from the same memory):
refused or not, the message, wall seconds, growth of the resident memory (VmHWM after the
call, its peak reset before, minus VmRSS before) and, run apart since tracing slows it,
the peak of Python allocations (tracemalloc).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="実施結果" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def sheet_xml(rows: str, *, dimension: str = "") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{head}{dim}<sheetData>{rows}</sheetData></worksheet>".encode()


def strings_xml(body: bytes, count: int) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" uniqueCount="{count}">'
    return head.encode() + body + b"</sst>"


STRINGS = "xl/sharedStrings.xml"


def xlsx(
    sheet: bytes,
    *,
    strings: bytes | None = None,
    extra: dict[str, bytes] | None = None,
    streamed: dict[str, tuple[bytes, int]] | None = None,
    stored: bool = False,
) -> bytes:
    """A minimal workbook: one sheet 実施結果, shared strings if given, extra parts; a
    `streamed` part is shared strings of (unit, count) units, never whole in memory."""
    parts = {
        "[Content_Types].xml": _TYPES.encode(),
        "_rels/.rels": _ROOT_RELS.encode(),
        "xl/workbook.xml": _WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.encode(),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings if strings is not None else strings_xml(b"", 0),
        **(extra or {}),
    }
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method, compresslevel=9) as archive:
        for name, data in parts.items():
            if name not in (streamed or {}):
                archive.writestr(name, data)
        for name, (unit, count) in (streamed or {}).items():
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(strings_xml(b"", 1)[: -len(b"</sst>")])
                block = unit * 65_536
                for _ in range(count // 65_536):
                    part.write(block)
                part.write(unit * (count % 65_536) + b"</sst>")
    return buffer.getvalue()


def _header_row() -> str:
    return '<row r="1"><c r="A1" t="inlineStr"><is><t>取組No.</t></is></c></row>'


def lying_sizes(content: bytes, name: str, claimed: int) -> bytes:
    """`content` with the uncompressed size of part `name` changed to `claimed` in both the
    part's local header and the zip's central directory."""
    data = bytearray(content)
    encoded = name.encode()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        local = archive.getinfo(name).header_offset
    data[local + 22 : local + 26] = claimed.to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length] == encoded:
            data[central + 24 : central + 28] = claimed.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def _rows(count: int, cells: str = "<c><v>1</v></c>") -> str:
    return _header_row() + f"<row>{cells}</row>" * count


# --- the bombs --------------------------------------------------------------------------


def _styles(formats: int) -> dict[str, bytes]:
    xfs = '<xf numFmtId="0" fontId="0"/>' * formats
    body = f'<styleSheet xmlns="{_MAIN}"><cellXfs count="{formats}">{xfs}</cellXfs></styleSheet>'
    return {"xl/styles.xml": body.encode()}


def _merged(count: int) -> bytes:
    merged = b'<mergeCell ref="A2:B2"/>' * count
    return sheet_xml(_header_row()).replace(
        b"</sheetData>", b"</sheetData><mergeCells>" + merged + b"</mergeCells>"
    )


def _moved_strings(count: int) -> dict[str, bytes]:
    """Shared strings put where a sheet would be, [Content_Types].xml pointing at them."""
    types = _TYPES.replace("/xl/sharedStrings.xml", "/xl/worksheets/sheet2.xml")
    body = strings_xml(b"<si><t>x</t></si>" * count, count)
    return {"[Content_Types].xml": types.encode(), "xl/worksheets/sheet2.xml": body}


def _laughs() -> bytes:
    entities = "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">{entities}]>'
        f'<sst xmlns="{_MAIN}"><si><t>&j;</t></si></sst>'
    ).encode()


def _deep(depth: int) -> bytes:
    nested = "<x>" * depth + "</x>" * depth
    return sheet_xml(_header_row() + f'<row r="2"><c r="A2"><v>{nested}</v></c></row>')


def _wide(rows: int) -> bytes:
    cells = '<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>'
    return sheet_xml("".join(cells.format(r=r) for r in range(1, rows + 1)))


def _many_sheets(count: int) -> dict[str, bytes]:
    """A workbook listing `count` sheets that are all the same part, 900 columns long."""
    sheets = "".join(f'<sheet name="s{n}" sheetId="{n}" r:id="rId1"/>' for n in range(1, count))
    book = _WORKBOOK.replace("</sheets>", sheets + "</sheets>")
    cols = "<cols>" + '<col min="1" max="1" width="9"/>' * 900 + "</cols>"
    return {
        "xl/workbook.xml": book.encode(),
        "xl/worksheets/sheet1.xml": sheet_xml(_header_row()).replace(
            b"<sheetData>", cols.encode() + b"<sheetData>"
        ),
    }


def _worst() -> bytes:
    """The costliest file still read: strings, cells, styles and merged cells just under
    their limits, all in one workbook."""
    tiny = b"<si><t>x</t></si>"
    merged = b"<mergeCells>" + b'<mergeCell ref="A2:B2"/>' * 4_500 + b"</mergeCells>"
    table = sheet_xml(_rows(1, "<c/>" * 29_000)).replace(b"</sheetData>", b"</sheetData>" + merged)
    return xlsx(table, strings=strings_xml(tiny * 9_900, 9_900), extra=_styles(5_000), stored=True)


def bombs() -> list[tuple[str, Callable[[], bytes]]]:
    """(name, builder) of each hostile file; built in the child that reads it."""
    tiny = b"<si><t>x</t></si>"
    head = _header_row()
    sheet = sheet_xml(head)
    attributes = " ".join(f"a{n}=''" for n in range(1_000_000))
    return [
        ("strings: 1 GB", lambda: xlsx(sheet, streamed={STRINGS: (tiny, 64 * MIB)})),
        ("strings: 7 MB, ratio 400", lambda: xlsx(sheet, strings=strings_xml(tiny * 400_000, 1))),
        (
            "strings: 60,000, stored",
            lambda: xlsx(sheet, strings=strings_xml(tiny * 60_000, 60_000), stored=True),
        ),
        (
            "strings: 9,900",
            lambda: xlsx(sheet, strings=strings_xml(tiny * 9_900, 9_900), stored=True),
        ),
        ("strings: moved to a sheet", lambda: xlsx(sheet, extra=_moved_strings(9_900))),
        (
            "strings: lying zip sizes",
            lambda: lying_sizes(xlsx(sheet, streamed={STRINGS: (tiny, 6_000_000)}), STRINGS, 1024),
        ),
        ("sheet: 2 M rows, 50 MB", lambda: xlsx(sheet_xml(_rows(2_000_000)))),
        ("sheet: 6,000 rows", lambda: xlsx(sheet_xml(_rows(6_000)))),
        ("sheet: 16,384 columns", lambda: xlsx(_wide(20))),
        (
            "sheet: one row, 60,000 cells",
            lambda: xlsx(sheet_xml(_rows(1, "<c><v>1</v></c>" * 60_000)), stored=True),
        ),
        (
            "sheet: one row, 29,000 cells",
            lambda: xlsx(sheet_xml(_rows(1, "<c/>" * 29_000)), stored=True),
        ),
        ("sheet: 99,000 merged cells", lambda: xlsx(_merged(99_000), stored=True)),
        ("sheet: 9,000 merged cells", lambda: xlsx(_merged(9_000), stored=True)),
        (
            "sheet: row 1,048,576",
            lambda: xlsx(sheet_xml(head + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')),
        ),
        (
            "sheet: dimension A1:XFD1048576",
            lambda: xlsx(sheet_xml(head, dimension="A1:XFD1048576")),
        ),
        ("XML nested 10,000 deep", lambda: xlsx(_deep(10_000), stored=True)),
        ("XML billion laughs", lambda: xlsx(sheet, strings=_laughs())),
        ("XML one tag, 1 M attributes", lambda: xlsx(sheet_xml(f'<row r="1" {attributes}/>'))),
        ("styles: 12,000 formats", lambda: xlsx(sheet, extra=_styles(12_000))),
        ("styles: 9,000 formats", lambda: xlsx(sheet, extra=_styles(9_000))),
        ("workbook: 5,000 sheets, one part", lambda: xlsx(b"", extra=_many_sheets(5_000))),
        ("workbook: 49 sheets, one part", lambda: xlsx(b"", extra=_many_sheets(49))),
        ("every limit nearly reached", _worst),
        ("zip: 30,000 parts", lambda: xlsx(sheet, extra={str(n): b"" for n in range(30_000)})),
        ("CSV: one 5 MB line", lambda: b"," * (5 * MIB - 10)),
        ("CSV: 1 M columns", lambda: b"a," * 990_000),
        ("CSV: 5 M empty lines", lambda: b"\n" * (5 * MIB - 10)),
        ("CSV: one 200 KB field", lambda: b'"' + b"x" * 200_000 + b'"'),
        ("CSV: 1 M short rows", lambda: b"a,b\n" * 1_000_000),
    ]


# --- measuring ----------------------------------------------------------------------------


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) // 1024  # kB → MiB
    return 0


def read(build: Callable[[], bytes], sheet: str | None, *, traced: bool) -> dict:
    """Build the file, then read it as the import screens do; in this (forked) process."""
    from initiatives.sheets.io import SpreadsheetError, read_content

    warnings.simplefilter("ignore")  # openpyxl's notes on the bombs' missing styles
    content = build()
    before = _status("VmRSS:")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM, the peak resident memory, to the current size
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        dataset = read_content(content, sheet=sheet)
        outcome, message = "read", f"{len(dataset)} rows"
    except SpreadsheetError as error:
        outcome, message = "refused", " ".join(error.messages)
    seconds = time.perf_counter() - started
    python = tracemalloc.get_traced_memory()[1] / MIB if traced else 0.0
    return {
        "size": len(content),
        "outcome": outcome,
        "message": message,
        "seconds": seconds,
        "rss": _status("VmHWM:") - before,
        "python": python,
    }


def in_child(build: Callable[[], bytes], sheet: str | None, *, traced: bool) -> dict:
    from django.db import connections

    connections.close_all()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            result = read(build, sheet, traced=traced)
        except BaseException as error:  # report it rather than hang the parent
            result = {
                "outcome": "crashed",
                "message": repr(error)[:200],
                "size": 0,
                "seconds": 0.0,
                "rss": 0,
                "python": 0.0,
            }
        os.write(writer, json.dumps(result).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    import django

    django.setup()


def real_workbooks(plan_path: str) -> list[tuple[str, Callable[[], bytes], str]]:
    """A department's results workbook and the plan workbook, exported from the real plan."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from spreadsheets import prepare

    from initiatives.models import FiscalYear
    from initiatives.sheets import plan_workbook, results_workbook

    staff = prepare(plan_path=plan_path, year=2024, department="デジタル行政戦略課")
    results = results_workbook.export_workbook(
        user=staff, fiscal_year=FiscalYear.objects.get(year=2024)
    )
    plan = plan_workbook.export_plan_workbook()
    return [
        ("real: results workbook", lambda: results, "実施結果"),
        ("real: plan workbook, 取組", lambda: plan, "取組"),
        ("real: plan workbook, 指標", lambda: plan, "指標"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "fixtures" / "plan.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        files = [*real_workbooks(args.plan), *((name, build, None) for name, build in bombs())]
        python = platform.python_version()
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {python}")
        print(
            f"{'file':<30}{'KiB':>7}{'outcome':>9}{'wall s':>8}{'RSS+ MiB':>10}"
            f"{'py peak MiB':>13}  message"
        )
        for name, build, sheet in files:
            timed = in_child(build, sheet, traced=False)
            traced = in_child(build, sheet, traced=True)
            print(
                f"{name:<30}{timed['size'] / 1024:>7.0f}{timed['outcome']:>9}"
                f"{timed['seconds']:>8.2f}{timed['rss']:>10}{traced['python']:>13.1f}"
                f"  {timed['message'][:90]}"
            )


if __name__ == "__main__":
    main()
