"""Reading and writing the spreadsheets staff exchange with the system (.xlsx and .csv).

Shared by the department results round-trip and HQ's plan import/export:

- `read_upload` refuses an oversized file before reading it, detects the format by its
  content (never by the file name) and returns a `tablib.Dataset` with normalised headers;
  what is inside an .xlsx is checked first (`archive`), then rows are read within bounds
  (`tables`); `SpreadsheetError` (from `errors`) says why a file cannot be used;
- `require_columns` names the columns a file lacks;
- `cell_text` reads a text cell exactly, removing the apostrophe `cells.neutralise` put
  before formula-looking text on export (`cells` writes every cell for people);
- `parse_status` / `parse_number_cell` read cells the way staff type them.

Every message is Japanese and says what to do about the problem.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import math
import re
import secrets
import time
import unicodedata
import uuid
from collections.abc import Iterable
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError

from initiatives.sheets.cells import unneutralise
from initiatives.sheets.errors import ACCEPTED_FORMATS, SpreadsheetError, spreadsheet_error
from initiatives.sheets.tables import (
    CONTROL,
    MAX_COLUMNS,
    csv_rows,
    xlsx_rows,
    xlsx_sheet_names,
)
from initiatives.vocabulary import (
    NUMBER_ERROR,
    STATUS_HEADING,
    checked_number,
    number_text,
    parse_number,
    status_from_label,
    status_words,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_LABEL = "5 MB"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = (
    (b"%PDF", "PDF ファイル"),
    (b"\x89PNG", "画像ファイル（PNG）"),
    (b"\xff\xd8\xff", "画像ファイル（JPEG）"),
    (b"GIF8", "画像ファイル（GIF）"),
    (b"BM", None),  # too short a signature to name; the CSV checks below refuse binaries
)


def _error(message: str) -> SpreadsheetError:
    return spreadsheet_error(message)


def _size_message(size: int | None = None) -> str:
    shown = f"（{size / 1024 / 1024:.1f} MB）" if size else ""
    return (
        f"ファイルが大きすぎます{shown}（上限 {MAX_UPLOAD_LABEL}）。"
        "不要なシートや画像を削除するか、行を分けて複数のファイルにしてください。"
    )


# --- text normalisation ---------------------------------------------------------------


def normalise_header(name: object) -> str:
    """A column header as compared: NFKC (full-width → half-width), spaces removed at ends."""
    if name is None:
        return ""
    return unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "").strip()


def cell_text(raw) -> str:
    """A text cell as stored: the export's apostrophe removed, newlines as \\n, ends trimmed.

    A number typed into a text column becomes its digits; a date becomes 2025年9月30日.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, datetime.datetime):
        if raw.time() == datetime.time(0, 0):
            return f"{raw.year}年{raw.month}月{raw.day}日"
        return f"{raw.year}年{raw.month}月{raw.day}日 {raw:%H:%M}"
    if isinstance(raw, datetime.date):
        return f"{raw.year}年{raw.month}月{raw.day}日"
    if isinstance(raw, Decimal):
        return number_text(raw)
    if isinstance(raw, float):
        return number_text(Decimal(repr(raw)))
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    return unneutralise(text.strip())


# --- cell parsers ------------------------------------------------------------------------


def parse_status(raw) -> str:
    """A status label (達成 …, trimmed, full- or half-width) → its code; empty → ""."""
    text = cell_text(raw)
    if not text.strip():
        return ""
    code = status_from_label(text)
    if code:
        return code
    raise ValidationError(
        f"{STATUS_HEADING}は、{status_words()}のいずれかを入力してください（入力値: {text}）。"
    )


def parse_number_cell(raw, *, units: Iterable[str] = ()) -> Decimal | None:
    """A number cell: numbers as they are, text as `vocabulary.parse_number` reads it (the
    same forms as the entry screen). Empty → None; other text is refused."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError(f"{NUMBER_ERROR}（入力値: {raw}）")
    if isinstance(raw, int | float | Decimal):
        return _checked_number(raw)
    if isinstance(raw, datetime.date | datetime.time):
        raise ValidationError(
            f"{NUMBER_ERROR}日付になっています。セルの書式を「標準」にして入力し直してください。"
        )
    return parse_number(cell_text(raw), units=units)


def _checked_number(raw: int | float | Decimal) -> Decimal:
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValidationError(NUMBER_ERROR)
        exact = Decimal(repr(raw))
        rounded = round(exact, 4)
        # Spreadsheets store binary floats: 1234.5600000000001 means 1234.56.
        return checked_number(rounded if abs(exact - rounded) < Decimal("1e-9") else exact)
    return checked_number(Decimal(raw))


# --- reading files -------------------------------------------------------------------------


def read_upload_bytes(uploaded_file) -> bytes:
    """The content of an uploaded file; refused by its size before anything is read."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _error(_size_message(size))
    if size == 0:
        raise _error("ファイルが空です（0 バイト）。保存したファイルを選び直してください。")
    uploaded_file.seek(0)
    content = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise _error(_size_message(None))
    if not content:
        raise _error("ファイルが空です（0 バイト）。保存したファイルを選び直してください。")
    return content


def read_upload(uploaded_file, *, sheet: str | None = None) -> tablib.Dataset:
    """Read an uploaded .xlsx or .csv (UTF-8 or Shift_JIS/CP932) into a Dataset.

    The first non-empty row gives the headers (normalised by `normalise_header`);
    completely empty rows are dropped. An .xlsx is read from the sheet named `sheet`
    when it has one, otherwise from its first sheet. Raises SpreadsheetError.
    """
    return read_content(read_upload_bytes(uploaded_file), sheet=sheet)


def read_content(content: bytes, *, sheet: str | None = None) -> tablib.Dataset:
    """Like `read_upload`, for content already read (e.g. kept between preview and confirm)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise _error(_size_message(len(content)))
    if not content:
        raise _error("ファイルが空です（0 バイト）。保存したファイルを選び直してください。")
    if content.startswith(b"PK\x03\x04"):
        rows = xlsx_rows(content, sheet)
    elif content.startswith(_OLE2):
        raise _error(
            "古い形式の Excel ファイル（.xls）か、パスワード付きのファイルは読み込めません。"
            "Excel で「名前を付けて保存」→「Excel ブック (*.xlsx)」を選び、"
            "パスワードを付けずに保存し直してください。"
        )
    else:
        for signature, name in _SIGNATURES:
            if name and content.startswith(signature):
                raise _error(
                    f"{name}のようです。表計算のファイルではないため読み込めません。"
                    f"{ACCEPTED_FORMATS}を選んでください。"
                )
        rows = csv_rows(content)
    return _dataset(rows)


def sheet_names(content: bytes) -> list[str] | None:
    """The sheet names of an .xlsx, checked as `read_content` checks it; None for a CSV."""
    if not content.startswith(b"PK\x03\x04"):
        return None
    return xlsx_sheet_names(content)


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _dataset(rows: list[list]) -> tablib.Dataset:
    numbered = [
        (line, row) for line, row in enumerate(rows, start=1) if not all(_is_empty(v) for v in row)
    ]
    if not numbered:
        raise _error("ファイルに表がありません（空のシートです）。1行目に見出しが必要です。")
    header_row = numbered[0][1]
    headers = [normalise_header(h) for h in header_row]
    # Drop trailing columns with no header and no data (spreadsheet programs keep them).
    width = len(headers)
    while (
        width
        and not headers[width - 1]
        and all(_is_empty(row[width - 1]) if len(row) >= width else True for _l, row in numbered)
    ):
        width -= 1
    if width == 0:
        raise _error(
            "1行目に見出しがありません。書き出したファイルの見出し行を消さないでください。"
        )
    if width > MAX_COLUMNS:
        raise _error(f"列が多すぎます（{MAX_COLUMNS}列まで）。")
    dataset = tablib.Dataset(headers=headers[:width])
    lines = []
    for line, row in numbered[1:]:
        padded = [*row[:width], *([None] * (width - len(row)))]
        dataset.append([_plain(v) for v in padded])
        lines.append(line)
    dataset.source_lines = lines
    return dataset


def source_line(dataset: tablib.Dataset, index: int) -> int:
    """The line number in the file (1 = the header row) of the dataset's row `index` (0-based).

    Empty rows are dropped when reading, so this is what to show staff ("5行目")."""
    lines = getattr(dataset, "source_lines", None)
    if lines and 0 <= index < len(lines):
        return lines[index]
    return index + 2


def _plain(value):
    """Text stays text (CR/LF normalised); numbers stay numbers; empty text becomes None."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value if value.strip() else None
    return value


def require_columns(
    dataset: tablib.Dataset, required: list[str], *, allowed: Iterable[str] | None = None
) -> None:
    """Refuse a file whose header row lacks any of `required` (compared NFKC-normalised).

    With `allowed`, also refuse columns that are neither required nor allowed. Duplicate
    headers are always refused (the file would be ambiguous).
    """
    headers = [normalise_header(h) for h in (dataset.headers or [])]
    present = set(headers)
    problems = []
    missing = [name for name in required if normalise_header(name) not in present]
    if missing:
        problems.append("必要な列がありません: " + "、".join(f"「{n}」" for n in missing) + "。")
    duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicates:
        problems.append(
            "同じ見出しの列が2つ以上あります: " + "、".join(f"「{n}」" for n in duplicates) + "。"
        )
    if allowed is not None:
        known = {normalise_header(n) for n in (*required, *allowed)}
        unexpected = [h for h in headers if h and h not in known]
        if unexpected:
            problems.append(
                "この画面で使えない列があります: "
                + "、".join(f"「{n}」" for n in unexpected)
                + "。"
            )
    if problems:
        raise _error(
            "".join(problems)
            + "このシステムから書き出したファイルを使い、1行目の見出しは変えないでください。"
            f"（ファイルの見出し: {'、'.join(h for h in headers if h) or 'なし'}）"
        )


# --- keeping an upload between the preview and the confirmation ---------------------------

_KEPT_SESSION_KEY = "kept_spreadsheets"
KEPT_FOR_SECONDS = 2 * 60 * 60


def _kept_storage(name: str):
    from import_export.tmp_storages import MediaStorage

    return MediaStorage(name=name, MEDIA_FOLDER="spreadsheet-uploads", read_mode="rb")


def _purge_abandoned() -> None:
    """Best effort: delete kept uploads older than a day (previews nobody confirmed)."""
    storage = _kept_storage("x")
    folder = storage.MEDIA_FOLDER
    with contextlib.suppress(OSError, NotImplementedError):
        _dirs, files = storage._storage.listdir(folder)
        limit = time.time() - 24 * 60 * 60
        for name in files:
            path = f"{folder}/{name}"
            if storage._storage.get_modified_time(path).timestamp() < limit:
                storage._storage.delete(path)


def safe_filename(name: str) -> str:
    """The uploaded file's own name, for messages and history (no path, no control chars)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = CONTROL.sub("", unicodedata.normalize("NFC", base)).strip()
    return base[:80] or "（名前なし）"


def keep_upload(request, *, purpose: str, content: bytes, filename: str) -> str:
    """Store validated upload content server-side until the user confirms (or cancels).

    Returns a random token for the confirm form. The token is only valid in this user's
    session and for this `purpose`; the content is re-read (never trusted from the client)
    and checked against its SHA-256. One pending upload per purpose: a new one replaces it.
    """
    discard_upload(request, purpose=purpose)
    _purge_abandoned()
    name = uuid.uuid4().hex
    _kept_storage(name).save(content)
    token = secrets.token_urlsafe(24)
    kept = request.session.get(_KEPT_SESSION_KEY, {})
    kept[purpose] = {
        "token": token,
        "name": name,
        "filename": safe_filename(filename),
        "sha256": hashlib.sha256(content).hexdigest(),
        "user": request.user.pk,
        "at": int(time.time()),
    }
    request.session[_KEPT_SESSION_KEY] = kept
    return token


def kept_upload(request, *, purpose: str, token: str) -> tuple[bytes, str]:
    """The content and file name kept by `keep_upload`; SpreadsheetError when gone/expired."""
    entry = request.session.get(_KEPT_SESSION_KEY, {}).get(purpose)
    expired = _error(
        "確認画面の有効期限が切れたか、別の画面で新しいファイルを読み込みました。"
        "もう一度ファイルを選んで読み込んでください（まだ何も変更していません）。"
    )
    if (
        not entry
        or not token
        or not secrets.compare_digest(str(entry.get("token", "")), str(token))
        or entry.get("user") != request.user.pk
        or time.time() - entry.get("at", 0) > KEPT_FOR_SECONDS
    ):
        raise expired
    try:
        content = _kept_storage(entry["name"]).read()
    except OSError as exc:
        raise expired from exc
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise expired
    return content, entry["filename"]


def discard_upload(request, *, purpose: str) -> None:
    """Delete the kept upload of `purpose` (after applying it, or when replaced/cancelled)."""
    kept = request.session.get(_KEPT_SESSION_KEY, {})
    entry = kept.pop(purpose, None)
    if entry is None:
        return
    request.session[_KEPT_SESSION_KEY] = kept
    with contextlib.suppress(OSError):
        _kept_storage(entry["name"]).remove()


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a wrapped cell `width` characters wide.

    Spreadsheet programs keep the row height stored in the file (LibreOffice does not
    re-measure wrapped text on opening), so writers set heights from this estimate. A
    column's width counts half-width digits; a full-width character of Noto Sans CJK JP
    takes about 1.65 of them (measured in LibreOffice's print preview).
    """
    per_line = max(width - 1, 1)
    total = 0
    for line in str(text).split("\n"):
        units = sum(1.65 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        total += max(1, math.ceil(units / per_line))
    return total
