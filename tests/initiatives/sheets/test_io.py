"""The shared spreadsheet helpers: reading uploads, parsing cells, neutralising formulas."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives.sheets import io as sheet_io
from initiatives.sheets.cells import neutralise, unneutralise
from initiatives.sheets.io import (
    MAX_UPLOAD_BYTES,
    SpreadsheetError,
    cell_text,
    parse_number_cell,
    parse_status,
    read_content,
    read_upload,
    require_columns,
    source_line,
)


def xlsx(rows: list[list], *, percent_cells: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def message_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("達成", "achieved"),
        (" 達成 ", "achieved"),
        ("\u3000未達成\u3000", "not_achieved"),
        ("未確定\n", "undetermined"),
        ("未 確定", "undetermined"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_reads_the_three_statuses_trimmed(raw, expected) -> None:
    assert parse_status(raw) == expected


@pytest.mark.parametrize("raw", ["達成済み", "OK", "○", "achieved", 1])
def test_it_refuses_any_other_status_naming_the_value(raw) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_status(raw)
    text = message_of(excinfo)
    assert "達成・未達成・未確定のいずれかを入力してください" in text
    assert f"入力値: {raw}" in text


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３", Decimal("123")),
        ("1,234", Decimal("1234")),
        ("１，２３４．５", Decimal("1234.5")),
        ("98.3%", Decimal("98.3")),
        ("98.3％", Decimal("98.3")),
        ("1,234件", Decimal("1234")),
        ("120 人", Decimal("120")),
        ("3,500千円", Decimal("3500")),
        (" 42 ", Decimal("42")),
        ("-5", Decimal("-5")),
        (113, Decimal("113")),
        (98.3, Decimal("98.3")),
        (1234.5600000000002, Decimal("1234.56")),
        (Decimal("12.5000"), Decimal("12.5")),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_numbers_as_staff_type_them(raw, expected) -> None:
    assert parse_number_cell(raw) == expected


def test_it_accepts_the_indicators_own_unit() -> None:
    assert parse_number_cell("15ビュー", units=["ビュー"]) == 15
    assert parse_number_cell("2.5ha") == Decimal("2.5")


@pytest.mark.parametrize("raw", ["約120件", "abc", "12abc", "未定", "1,23", "1.23456", True])
def test_it_refuses_text_where_a_number_belongs(raw) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_number_cell(raw)
    assert "入力" in message_of(excinfo)


def test_it_refuses_a_date_in_a_number_cell() -> None:
    import datetime

    with pytest.raises(ValidationError, match="日付"):
        parse_number_cell(datetime.datetime(2024, 5, 1))


# --- formula neutralisation -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["=SUM(1)", "+1", "-1", "@cmd", "\tx", "\rx", "＝1", "＋1", "－1", "＠a", "'=x", "''+y"],
)
def test_it_neutralises_formula_looking_text_and_reads_it_back_exactly(text) -> None:
    safe = neutralise(text)
    assert safe.startswith("'")
    assert unneutralise(safe) == text


@pytest.mark.parametrize("value", ["abc", "'quoted", "・箇条書き", "", 5, None, Decimal("1.5")])
def test_it_leaves_harmless_values_alone(value) -> None:
    assert neutralise(value) == value
    if isinstance(value, str):
        assert unneutralise(value) == value


def test_it_writes_neutralised_text_as_a_string_not_a_formula() -> None:
    content = xlsx([["h"], [neutralise("=SUM(1)")]])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].data_type == "s"
    assert read_content(content)[0] == ("'=SUM(1)",)
    assert cell_text(read_content(content)[0][0]) == "=SUM(1)"


# --- reading files --------------------------------------------------------------------


def test_it_reads_an_xlsx_keeping_numbers_and_normalising_headers() -> None:
    content = xlsx(
        [[" 取組番号 ", "実績値", "メモ"], ["1", 113, "あ"], [None, None, None], [2, 5.5, None]]
    )
    dataset = read_content(content)
    assert dataset.headers == ["取組番号", "実績値", "メモ"]
    assert list(dataset) == [("1", 113, "あ"), (2, 5.5, None)]
    assert [source_line(dataset, i) for i in range(2)] == [2, 4]


def test_it_reads_a_percentage_cell_as_the_percentage_shown() -> None:
    content = xlsx([["率"], [0.983]], percent_cells=("A2",))
    assert parse_number_cell(read_content(content)[0][0]) == Decimal("98.3")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis"])
def test_it_reads_csv_in_utf8_and_shift_jis(encoding) -> None:
    text = '取組番号,実施結果\r\n1,"髙橋・﨑の実施結果\n2行目"\r\n2,①②③\r\n'
    if encoding == "shift_jis":
        text = text.replace("髙", "高").replace("﨑", "崎").replace("①②③", "ABC")
    dataset = read_content(text.encode(encoding))
    assert dataset.headers == ["取組番号", "実施結果"]
    first = dataset[0][1]
    assert first.endswith("の実施結果\n2行目")
    assert "・" in first


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF ファイル"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "画像ファイル"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "画像ファイル"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "古い形式の Excel ファイル（.xls）"),
        (bytes(range(256)) * 4, "表計算のファイルとして読めません"),
        (b"PK\x03\x04\x14\x00\x00\x00junk", "壊れている"),
    ],
)
def test_it_refuses_what_is_not_a_spreadsheet_clearly(content, expected) -> None:
    with pytest.raises(SpreadsheetError) as excinfo:
        read_content(content)
    assert expected in message_of(excinfo)


def test_it_refuses_a_truncated_xlsx() -> None:
    content = xlsx([["取組番号"], ["1"]])
    with pytest.raises(SpreadsheetError, match="壊れている"):
        read_content(content[: len(content) // 2])


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_it_names_ods_and_word_files() -> None:
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})
    with pytest.raises(SpreadsheetError, match=r"\.ods"):
        read_content(ods)
    docx = _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b""})
    with pytest.raises(SpreadsheetError, match="Excel ブック"):
        read_content(docx)


def test_it_refuses_an_empty_file_and_an_empty_sheet() -> None:
    with pytest.raises(SpreadsheetError, match="空です"):
        read_upload(SimpleUploadedFile("a.csv", b""))
    with pytest.raises(SpreadsheetError, match="表がありません"):
        read_content(xlsx([[None, None]]))
    with pytest.raises(SpreadsheetError, match="表がありません"):
        read_content(b"\r\n,,\r\n")


def test_it_refuses_a_file_over_the_limit_before_reading_it() -> None:
    def never(*args):
        raise AssertionError("the content must not be read")

    upload = SimpleNamespace(size=MAX_UPLOAD_BYTES + 1, read=never, seek=never, name="big.xlsx")
    with pytest.raises(SpreadsheetError) as excinfo:
        read_upload(upload)
    assert "ファイルが大きすぎます" in message_of(excinfo)
    assert "上限 5 MB" in message_of(excinfo)


def test_it_refuses_an_oversized_stream_without_a_size() -> None:
    class Stream(io.BytesIO):
        size = None

    with pytest.raises(SpreadsheetError, match="大きすぎます"):
        read_upload(Stream(b"a" * (MAX_UPLOAD_BYTES + 10)))


def test_it_names_missing_and_duplicate_columns() -> None:
    dataset = read_content(xlsx([["番号", "結果", "結果"], ["1", "x", "y"]]))
    with pytest.raises(SpreadsheetError) as excinfo:
        require_columns(dataset, ["取組番号", "達成状況", "結果"])
    text = message_of(excinfo)
    assert "必要な列がありません: 「取組番号」、「達成状況」" in text
    assert "同じ見出しの列が2つ以上あります: 「結果」" in text
    assert "ファイルの見出し: 番号、結果、結果" in text


def test_it_compares_columns_full_and_half_width_alike() -> None:
    dataset = read_content(xlsx([["指標１実績値（件）"], [1]]))
    require_columns(dataset, ["指標1実績値(件)"])
    with pytest.raises(SpreadsheetError, match="使えない列"):
        require_columns(dataset, [], allowed=["別の列"])


def test_it_turns_cells_into_text() -> None:
    import datetime

    assert cell_text(12) == "12"
    assert cell_text(12.50) == "12.5"
    assert cell_text(datetime.datetime(2025, 9, 30)) == "2025年9月30日"
    assert cell_text(" a\r\nb ") == "a\nb"
    assert cell_text(None) == ""


# --- keeping an upload between preview and confirmation --------------------------------


class FakeRequest:
    def __init__(self, user_pk: int = 1) -> None:
        self.session: dict = {}
        self.user = SimpleNamespace(pk=user_pk)


def test_it_keeps_an_upload_only_for_its_session_and_token(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    request = FakeRequest()
    token = sheet_io.keep_upload(request, purpose="p", content=b"abc", filename="C:\\x\\結果.xlsx")
    assert sheet_io.kept_upload(request, purpose="p", token=token) == (b"abc", "結果.xlsx")
    with pytest.raises(SpreadsheetError, match="有効期限"):
        sheet_io.kept_upload(request, purpose="p", token="forged")
    with pytest.raises(SpreadsheetError, match="有効期限"):
        sheet_io.kept_upload(FakeRequest(), purpose="p", token=token)
    other_user = FakeRequest(user_pk=2)
    other_user.session = request.session
    with pytest.raises(SpreadsheetError):
        sheet_io.kept_upload(other_user, purpose="p", token=token)
    sheet_io.discard_upload(request, purpose="p")
    with pytest.raises(SpreadsheetError):
        sheet_io.kept_upload(request, purpose="p", token=token)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_it_replaces_the_previous_pending_upload(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    request = FakeRequest()
    first = sheet_io.keep_upload(request, purpose="p", content=b"1", filename="a.csv")
    second = sheet_io.keep_upload(request, purpose="p", content=b"2", filename="b.csv")
    with pytest.raises(SpreadsheetError):
        sheet_io.kept_upload(request, purpose="p", token=first)
    assert sheet_io.kept_upload(request, purpose="p", token=second) == (b"2", "b.csv")
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
