"""What is inside an .xlsx upload, checked before openpyxl opens it.

An .xlsx is a zip of XML parts: a few hundred kilobytes can inflate to gigabytes, and XML
can nest without end, hold one enormous tag or define entities that expand (billion
laughs). `check_archive` refuses such a file in well under a second, before anything is
parsed into objects:

- the zip's directory: at most MAX_PARTS parts; each part's declared size within the limit
  for its kind (a sheet, the shared strings, other XML, other files) and, from RATIO_FROM
  up, at most MAX_RATIO times its compressed size; the sum within MAX_UNCOMPRESSED_BYTES;
- the bytes themselves, since the directory can lie: every part is inflated in chunks and
  counted against the same limits (zipfile also stops at the declared size and then checks
  the CRC, so a part that claims less than it holds is refused as damaged);
- every XML part streamed through `xmlscan.XmlScan` (elements, depth, entities, strings);
- the parts openpyxl will read where Excel puts them, so that the larger limits of a sheet
  or of the shared strings apply to nothing else: the workbook and the shared strings
  named in [Content_Types].xml, each sheet its own part under xl/worksheets/ (openpyxl
  reads the start of every sheet listed), and no chart sheet (openpyxl reads those whole).

The limits are tens of times what the real workbooks need: the whole plan's workbook
inflates to 0.4 MB with 14,000 elements (its largest part 0.3 MB and 9,000 elements,
compressed 7:1), a department's results workbook to 41 KB with 1,200 elements.
`benchmarks/upload_bombs.py` prints what each kind of bomb costs.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from initiatives.sheets import xmlscan
from initiatives.sheets.errors import (
    ACCEPTED_FORMATS,
    SpreadsheetError,
    damaged_xlsx,
    not_spreadsheet,
    spreadsheet_error,
    too_big,
)

MIB = 1024 * 1024
MAX_PARTS = 300
MAX_UNCOMPRESSED_BYTES = 40 * MIB
MAX_RATIO = 100
RATIO_FROM = 1 * MIB
_CHUNK = 64 * 1024

WORKBOOK_PART = "xl/workbook.xml"
STRINGS_PART = "xl/sharedStrings.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class PartKind:
    """A kind of part: its label for people, what openpyxl reads it as, its limits."""

    label: str
    role: str | None  # xmlscan.SHEET, STRINGS or OTHER; None: not XML, never parsed
    max_bytes: int
    max_elements: int = 0


SHEET = PartKind("シート", xmlscan.SHEET, 16 * MIB, 60_000)
STRINGS = PartKind("文字列の一覧", xmlscan.STRINGS, 8 * MIB, 60_000)
OTHER_XML = PartKind("ブックの部品", xmlscan.OTHER, 4 * MIB, 10_000)
OTHER = PartKind("画像などの部品", None, 5 * MIB)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def part_kind(name: str) -> PartKind:
    """A sheet and the shared strings get their larger limits only where Excel puts them."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2:
        return SHEET
    if name == STRINGS_PART:
        return STRINGS
    return OTHER_XML if name.endswith(_XML_SUFFIXES) else OTHER


def _mb(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def check_archive(content: bytes) -> None:
    """Refuse a zip that is not an .xlsx, is damaged, or holds more than the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            _check_directory(infos)
            total, budget = 0, xmlscan.Budget()
            for info in infos:
                total += _check_part(archive, info, budget, inflated_before=total)
            _check_content_types(archive)
            _check_sheets(archive, {info.filename for info in infos})
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as exc:
        raise damaged_xlsx() from exc
    except (RuntimeError, NotImplementedError, ValueError, ElementTree.ParseError) as exc:
        raise not_spreadsheet() from exc  # encrypted, an unknown compression, odd XML


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """The zip's own account of its parts, before any is inflated."""
    names = {info.filename for info in infos}
    if WORKBOOK_PART not in names:
        raise _not_a_workbook(names)
    if len(infos) > MAX_PARTS:
        raise too_big(f"部品の数が {len(infos):,}、上限 {MAX_PARTS}")
    for info in infos:
        kind = part_kind(info.filename)
        if info.file_size > kind.max_bytes:
            raise _part_too_big(kind, info.filename, info.file_size)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FROM and ratio > MAX_RATIO:
            raise too_big(
                f"{kind.label} {info.filename} が {ratio:,.0f} 倍に展開されます、"
                f"上限 {MAX_RATIO} 倍"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _total_too_big(total)


def _part_too_big(kind: PartKind, name: str, size: int) -> SpreadsheetError:
    return too_big(f"{kind.label} {name} を展開すると {_mb(size)}、上限 {_mb(kind.max_bytes)}")


def _total_too_big(size: int) -> SpreadsheetError:
    return too_big(f"展開すると合計 {_mb(size)} 以上、上限 {_mb(MAX_UNCOMPRESSED_BYTES)}")


def _not_a_workbook(names: set[str]) -> SpreadsheetError:
    if "content.xml" in names and "mimetype" in names:
        return spreadsheet_error(
            "OpenDocument 形式（.ods）は読み込めません。LibreOffice で"
            "「名前を付けて保存」→「Excel 2007-365 (.xlsx)」で保存し直してください。"
        )
    return spreadsheet_error(
        "Excel ブック（.xlsx）ではありません（Word などの別のファイルのようです）。"
        f"{ACCEPTED_FORMATS}を選んでください。"
    )


def _check_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: xmlscan.Budget, *, inflated_before: int
) -> int:
    """Inflate one part in chunks, counting its bytes and scanning it if it is XML; returns
    its size."""
    if info.is_dir():
        return 0
    kind = part_kind(info.filename)
    scan = None
    if kind.role is not None:
        scan = xmlscan.XmlScan(
            label=f"{kind.label} {info.filename}",
            role=kind.role,
            max_elements=kind.max_elements,
            budget=budget,
        )
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > kind.max_bytes:
                raise _part_too_big(kind, info.filename, size)
            if inflated_before + size > MAX_UNCOMPRESSED_BYTES:
                raise _total_too_big(inflated_before + size)
            if scan is not None:
                scan.feed(chunk)
    if scan is not None:
        scan.close()
    return size


def _check_content_types(archive: zipfile.ZipFile) -> None:
    """openpyxl finds the workbook and its shared strings through [Content_Types].xml;
    refuse a file that puts them elsewhere than Excel does."""
    from openpyxl.xml.constants import SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX

    expected = {kind: WORKBOOK_PART for kind in (XLSX, XLSM, XLTX, XLTM)}
    expected[SHARED_STRINGS] = STRINGS_PART
    root = ElementTree.fromstring(archive.read(_CONTENT_TYPES))  # scanned already
    for override in root:
        if not str(override.tag).endswith("Override"):
            continue  # a Default applies to xl/workbook.xml, where openpyxl then looks
        part = expected.get(override.get("ContentType", ""))
        if part is not None and override.get("PartName", "").lstrip("/") != part:
            raise not_spreadsheet()


def _check_sheets(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Every sheet the workbook lists (and openpyxl will open) is its own part under
    xl/worksheets/; a chart sheet is refused."""
    relationships = ElementTree.fromstring(archive.read(_WORKBOOK_RELS))  # scanned already
    targets = {}
    for relationship in relationships:
        target = relationship.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[relationship.get("Id")] = (posixpath.normpath(path), relationship.get("Type", ""))
    used: set[str] = set()
    for sheet in ElementTree.fromstring(archive.read(WORKBOOK_PART)).iter():
        path, kind = targets.get(sheet.get(_RELATIONSHIP_ID), ("", ""))
        if not str(sheet.tag).endswith("}sheet") or path not in names:
            continue  # openpyxl skips a sheet whose part is missing
        if "chartsheet" in kind:
            raise spreadsheet_error(
                "グラフシートのあるブックは読み込めません。グラフシートを削除して保存し直して"
                "ください（表のシートにあるグラフはそのままで構いません）。"
            )
        if part_kind(path) is not SHEET or path in used:
            raise not_spreadsheet()
        used.add(path)
