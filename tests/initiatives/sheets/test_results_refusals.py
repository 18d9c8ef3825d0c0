"""The department results import refuses rows that are not the department's, not
editable or changed since the export, and files or cells it cannot read; each refusal
leaves the database and the export as they were."""

from __future__ import annotations

import io
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from initiatives.models import EvaluationPeriod, Result
from initiatives.results import services
from initiatives.sheets.io import MAX_UPLOAD_BYTES
from tests.initiatives.sheets.results_helpers import (
    CODE,
    CONFIRM_URL,
    IMPORT_URL,
    Sheet,
    dump,
    editable_codes,
    export,
    login,
    preview_row,
    sheet_values,
    token_of,
    upload,
    upload_error,
)
from tests.initiatives.workflow_helpers import make_user, result_of

pytestmark = pytest.mark.django_db


# --- whose rows, in which state, from which version ---------------------------------------


def test_it_refuses_every_row_of_another_departments_file(digital, tax) -> None:
    sheet = Sheet(export(login(digital)))
    for code in editable_codes(sheet, 3):
        sheet.set(code, 達成状況="達成", 実施結果="税務課が書いた")
    content = sheet.save()
    before = dump()
    client = login(tax)
    before_tax_sheet = sheet_values(export(client))

    response = upload(client, content)
    assert response.status_code == 200
    rows = len(sheet.rows)
    assert f'id="count-refused">{rows}</strong>' in response.text
    assert response.text.count("担当課ではない取組です") == rows
    assert 'name="token"' not in response.text
    # Forging a confirmation does nothing either.
    forged = client.post(reverse(CONFIRM_URL), {"token": "x" * 32, "_action": "apply"})
    assert forged.status_code == 302
    assert dump() == before
    assert sheet_values(export(client)) == before_tax_sheet


def test_it_refuses_changed_rows_not_in_an_editable_state(digital) -> None:
    no1 = result_of("1", 2024)
    services.save_and_submit(
        result=no1,
        user=digital,
        version=no1.version,
        status="achieved",
        text="提出した",
        note="",
        actuals={no1.initiative.indicators.get().pk: Decimal(130)},
    )
    client = login(digital)
    sheet = Sheet(export(client))
    assert sheet.value("1", "入力状況") == "提出済（この行は変更できません）"
    assert sheet.cell("1", "実施結果").protection.locked
    other = editable_codes(sheet, 1)[0]

    # Unchanged, a submitted row is only listed; changed, it is refused with the reason.
    sheet.set(other, 達成状況="達成", 実施結果="入力した")
    ok = upload(client, sheet.save())
    assert "参照のみ（提出済）" in preview_row(ok, sheet.rows["1"])
    assert 'id="count-refused">0</strong>' in ok.text

    sheet.set("1", 実施結果="提出後に書き換え")
    before = dump()
    refused = upload(client, sheet.save())
    assert "提出済のため取り込めません" in preview_row(refused, sheet.rows["1"])
    assert 'name="token"' not in refused.text
    assert "全部の行" in refused.text
    assert dump() == before


def test_it_refuses_changes_outside_the_open_period(hq, digital) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    code = editable_codes(sheet, 1)[0]
    sheet.set(code, 達成状況="達成", 実施結果="締切後に入力")
    services.close_period(period=EvaluationPeriod.objects.get(fiscal_year__year=2024), user=hq)
    before = dump()
    response = upload(client, sheet.save())
    assert "入力期間外のため取り込めません" in preview_row(response, sheet.rows[code])
    assert dump() == before


def test_it_refuses_a_row_changed_since_the_export(digital) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    no2 = result_of("2", 2024)
    colleague = make_user("tanaka", "デジタル行政戦略課")
    services.save_draft(
        result=no2, user=colleague, version=no2.version, status="", text="同僚", note="", actuals={}
    )
    sheet.set("2", 達成状況="達成", 実施結果="古い版に書いた")
    sheet.set("1", 達成状況="達成", 実施結果="こちらは問題なし")
    before = dump()
    response = upload(client, sheet.save())
    problem = preview_row(response, sheet.rows["2"])
    assert "書き出した後に tanaka さんがこの実施結果を更新しました" in problem
    assert "版 1 → 現在の版 2" in problem
    assert 'name="token"' not in response.text
    assert dump() == before


def test_it_applies_nothing_when_a_row_changes_between_preview_and_confirmation(digital) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    sheet.set("1", 達成状況="達成", 実施結果="一行目")
    sheet.set("2", 達成状況="達成", 実施結果="二行目")
    preview = upload(client, sheet.save())
    token = token_of(preview)
    no2 = result_of("2", 2024)
    services.save_draft(
        result=no2, user=digital, version=no2.version, status="", text="別画面", note="", actuals={}
    )
    before = dump()
    response = client.post(reverse(CONFIRM_URL), {"token": token, "_action": "apply"})
    assert response.status_code == 409
    assert "何も取り込んでいません" in response.text
    assert "書き出した後に sato さんがこの実施結果を更新しました" in response.text
    assert dump() == before
    assert result_of("1", 2024).text == ""


def test_it_keeps_hq_out_of_the_import_but_lets_it_export(hq) -> None:
    client = login(hq)
    before = dump()
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    content = SimpleUploadedFile("x.xlsx", b"PK\x03\x04")
    assert client.post(reverse(IMPORT_URL), {"file": content}).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "x"}).status_code == 403
    sheet = Sheet(export(client))
    assert len(sheet.rows) == Result.objects.filter(fiscal_year__year=2024).count()
    assert all("変更できません" in str(sheet.value(c, "入力状況")) for c in sheet.rows)
    listing = client.get(reverse("admin:initiatives_result_changelist"), follow=True)
    assert (
        "Excelに書き出す（令和6年度）" in listing.text and 'id="sheet-import"' not in listing.text
    )
    assert dump() == before


# --- bad input: each leaves the database unchanged ----------------------------------------


@pytest.fixture
def unchanged(digital):
    """Yields a logged-in client; afterwards the database and the export are as before."""
    client = login(digital)
    before, sheet_before = dump(), sheet_values(export(client))
    yield client
    assert dump() == before
    assert sheet_values(export(client)) == sheet_before


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>", "結果.pdf", "PDF ファイルのようです"),
        (bytes(range(256)) * 8, "結果.xlsx", "表計算のファイルとして読めません"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "写真.png", "画像ファイル（PNG）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "古い.xls", ".xls"),
        (b"", "空.csv", "ファイルが空です"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_spreadsheet(unchanged, content, name, expected) -> None:
    response = upload(unchanged, content, name=name)
    assert response.status_code == 200
    assert expected in upload_error(response)
    assert "何も変更していません" in upload_error(response)


def test_it_refuses_a_corrupted_xlsx(unchanged) -> None:
    content = Sheet(export(unchanged)).set("1", 達成状況="達成", 実施結果="x").save()
    response = upload(unchanged, content[: len(content) * 2 // 3])
    assert "Excel ファイル（.xlsx）が壊れているため読めません" in upload_error(response)


def test_it_refuses_an_xlsx_with_the_wrong_columns(unchanged) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["番号", "取組", "結果"])
    workbook.active.append(["1", "アプリ", "達成"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = upload_error(upload(unchanged, buffer.getvalue()))
    assert "必要な列がありません" in message
    assert "「取組No.」" in message and "「達成状況」" in message and "「版」" in message
    assert "ファイルの見出し: 番号、取組、結果" in message


def test_it_refuses_a_sheet_with_only_headers(unchanged) -> None:
    sheet = Sheet(export(unchanged))
    sheet.sheet.delete_rows(2, sheet.sheet.max_row)
    assert "取り込む行がありません" in upload_error(upload(unchanged, sheet.save()))


def test_it_refuses_an_unknown_code(unchanged) -> None:
    sheet = Sheet(export(unchanged))
    sheet.set("1", **{CODE: "9999"}, 達成状況="達成", 実施結果="x")
    response = upload(unchanged, sheet.save())
    assert "取組No.「9999」の令和6年度の実施結果はありません" in preview_row(response, 2)
    assert 'name="token"' not in response.text


def test_it_refuses_the_same_code_twice(unchanged) -> None:
    sheet = Sheet(export(unchanged))
    sheet.set("2", **{CODE: "1"}, 達成状況="達成", 実施結果="x")
    response = upload(unchanged, sheet.save())
    for line in (2, 3):
        assert "取組No. 1 の行が2つあります（2行目・3行目）" in preview_row(response, line)
    assert 'name="token"' not in response.text


@pytest.mark.parametrize("status", ["達成済み", "○", "achieved", "未達"])
def test_it_refuses_a_status_outside_the_three(unchanged, status) -> None:
    sheet = Sheet(export(unchanged))
    sheet.set("1", 達成状況=status, 実施結果="x")
    response = upload(unchanged, sheet.save())
    row = preview_row(response, 2)
    assert "達成・未達成・未確定のいずれかを入力してください" in row
    assert f"入力値: {status}" in row


@pytest.mark.parametrize("typed", ["約120件", "未集計", "12O"])
def test_it_refuses_text_in_a_number_cell(unchanged, typed) -> None:
    sheet = Sheet(export(unchanged)).set("1", 達成状況="達成", 実施結果="x", 指標1実績値=typed)
    row = preview_row(upload(unchanged, sheet.save()), 2)
    assert "指標1実績値（開発アプリ数）: 数値で入力してください" in row
    assert f"入力値: {typed}" in row


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"達成状況": "未確定", "実施結果": "集計中"}, "確定時期が空です"),
        ({"実施結果": "書いたが状況を選んでいない"}, "達成状況が空です"),
        ({"指標1実績値": 100}, "達成状況が空です"),
        ({"達成状況": "達成"}, "実施結果が空です"),
        ({"達成状況": "達成", "実施結果": "x", "版": None}, "「版」が空か数字ではありません"),
        ({"達成状況": "達成", "実施結果": "x", "年度": None}, "年度「（空）」が読み取れません"),
        ({"達成状況": "達成", "実施結果": "x", CODE: None}, "取組No.が空です"),
    ],
)
def test_it_refuses_a_required_cell_left_empty(unchanged, values, expected) -> None:
    sheet = Sheet(export(unchanged))
    line = sheet.rows["1"]
    sheet.set("1", **values)
    response = upload(unchanged, sheet.save())
    assert expected in preview_row(response, line)
    assert 'name="token"' not in response.text


def test_it_refuses_a_file_over_the_limit_before_parsing_it(unchanged) -> None:
    junk = b"PK\x03\x04" + b"\x00" * MAX_UPLOAD_BYTES
    with (
        mock.patch("initiatives.sheets.results_workbook.importing.read_content") as parser,
        mock.patch("initiatives.sheets.io.read_content") as shared_parser,
    ):
        response = upload(unchanged, junk, name="大きい.xlsx")
    message = upload_error(response)
    assert "ファイルが大きすぎます" in message and "上限 5 MB" in message
    assert "壊れて" not in message
    parser.assert_not_called()
    shared_parser.assert_not_called()
