"""The department results round-trip through the admin: export → fill → import → confirm.

Every request is a real request to the admin URLs. "Unchanged" is checked against a dump of
every Result and Actual row (and the history and workflow-event tables) and against a fresh
export of the sheet, before and after.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from initiatives.models import Actual, EvaluationPeriod, Result, WorkflowEvent
from initiatives.results import services
from initiatives.sheets.io import MAX_UPLOAD_BYTES
from initiatives.vocabulary import NUMBER_HELP
from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:initiatives_result_sheet_export"
IMPORT_URL = "admin:initiatives_result_sheet_import"
CONFIRM_URL = "admin:initiatives_result_sheet_confirm"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODE = "取組No."


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # where uploads wait for the confirmation
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed


@pytest.fixture
def hq():
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


@pytest.fixture
def tax(hq):
    return make_user("suzuki", "税務課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- helpers ---------------------------------------------------------------------------


def dump() -> tuple:
    """Every Result and Actual row, and the sizes of the history and event tables."""
    return (
        list(Result.objects.order_by("pk").values_list()),
        list(Actual.objects.order_by("pk").values_list()),
        WorkflowEvent.objects.count(),
        Result.history.count(),
        Actual.history.count(),
    )


def export(client: Client, year: int = 2024) -> bytes:
    response = client.get(reverse(EXPORT_URL) + f"?year={year}")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return response.content


def sheet_values(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content))["実施結果"].iter_rows(values_only=True))


class Sheet:
    """An exported workbook opened for editing, addressed by initiative code and header."""

    def __init__(self, content: bytes) -> None:
        self.workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.sheet = self.workbook["実施結果"]
        self.columns = {cell.value: cell.column for cell in self.sheet[1]}
        self.rows = {
            self.sheet.cell(row=r, column=1).value: r for r in range(2, self.sheet.max_row + 1)
        }

    def cell(self, code: str, header: str):
        return self.sheet.cell(row=self.rows[code], column=self.columns[header])

    def set(self, code: str, **values) -> Sheet:
        for header, value in values.items():
            self.cell(code, header).value = value
        return self

    def value(self, code: str, header: str):
        return self.cell(code, header).value

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

    def csv(self, encoding: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in self.sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
        return out.getvalue().encode(encoding)


def upload(client: Client, content: bytes, name: str = "実施結果.xlsx"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.text)
    assert match, "the preview offers no confirmation"
    return match.group(1)


def upload_error(response) -> str:
    match = re.search(r'id="upload-errors">(.*?)</div>', response.text, re.S)
    assert match, "no file error shown"
    return match.group(1)


def preview_row(response, line: int) -> str:
    match = re.search(rf'<tr class="[^"]*" id="line-{line}">(.*?)</tr>', response.text, re.S)
    assert match, f"line {line} is not in the preview"
    return match.group(1)


def editable_codes(sheet: Sheet, n: int) -> list[str]:
    codes = [
        code for code in sheet.rows if "変更できません" not in str(sheet.value(code, "入力状況"))
    ]
    return codes[:n]


# --- the round trip --------------------------------------------------------------------


def test_it_imports_exactly_the_three_edited_rows_and_records_who_and_from_which_file(
    digital,
) -> None:
    client = login(digital)
    original = export(client)
    sheet = Sheet(original)
    assert [c for c in ("1", "2", "7") if c in sheet.rows] == ["1", "2", "7"]
    sheet.set(
        "1", 達成状況="達成", 実施結果="開発アプリ数 125件\n・RPA 100件", 指標1実績値="１２５件"
    )
    sheet.set("2", 達成状況=" 未確定 ", 実施結果="試行中", 確定時期="令和7年9月に確定")
    sheet.set("7", 達成状況="未達成", 実施結果="=SUM(1) ではなく文字")
    sheet.cell("7", "実施結果").value = "'=SUM(1) として入力"  # as the export writes it
    before = dump()
    untouched = {
        r.pk: r.version for r in Result.objects.exclude(initiative__code__in=["1", "2", "7"])
    }

    preview = upload(client, sheet.save(), name="デジタル課_記入済.xlsx")
    assert preview.status_code == 200
    assert '変更あり <strong id="count-changed">3</strong> 行' in preview.text
    assert 'id="count-refused">0</strong>' in preview.text
    row1 = preview_row(preview, sheet.rows["1"])
    assert "達成状況</strong>：" in row1 and "（空）</span> → <span" in row1 and ">達成<" in row1
    assert "実績値（開発アプリ数）" in row1 and ">125</span>" in row1
    assert "確定時期" in preview_row(preview, sheet.rows["2"])
    assert "変更なし" in preview_row(
        preview, sheet.rows[next(c for c in sheet.rows if c not in ("1", "2", "7"))]
    )
    assert dump() == before, "the preview must not change anything"

    done = client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    assert done.status_code == 302

    no1, no2, no7 = (result_of(c, 2024) for c in ("1", "2", "7"))
    assert (no1.status, no1.text, no1.state) == (
        "achieved",
        "開発アプリ数 125件\n・RPA 100件",
        "draft",
    )
    assert no1.actuals.get().value == Decimal("125")
    assert (no2.status, no2.text, no2.note) == ("undetermined", "試行中", "令和7年9月に確定")
    assert (no7.status, no7.text) == ("not_achieved", "=SUM(1) として入力")
    for result in (no1, no2, no7):
        record = result.history.first()
        assert record.history_user == digital
        assert record.history_change_reason == "ファイルから取り込み: デジタル課_記入済.xlsx"
        event = result.events.last()
        assert (event.action, event.actor, event.to_state) == ("save", digital, "draft")
        assert event.comment == "ファイルから取り込み: デジタル課_記入済.xlsx"
        assert result.version == 2
    actual_record = Actual.history.filter(result_id=no1.pk).first()
    assert actual_record.history_user == digital
    assert actual_record.history_change_reason.startswith("ファイルから取り込み")

    # Nothing else changed: every other Result and Actual row is as it was.
    after = dump()
    changed_pks = {no1.pk, no2.pk, no7.pk}
    assert [r for r in after[0] if r[0] not in changed_pks] == [
        r for r in before[0] if r[0] not in changed_pks
    ]
    assert [a for a in after[1] if a[1] != no1.pk] == [a for a in before[1] if a[1] != no1.pk]
    assert len(after[1]) == len(before[1]) + 1  # No.1's first actual value
    assert after[2] == before[2] + 3
    assert {
        r.pk: r.version for r in Result.objects.exclude(initiative__code__in=["1", "2", "7"])
    } == untouched

    # A new export shows the values; importing it again changes nothing.
    again = export(client)
    exported = Sheet(again)
    assert exported.value("1", "指標1実績値") == 125
    assert exported.value("7", "実施結果") == "'=SUM(1) として入力"
    assert sheet_values(again)[1:] != sheet_values(original)[1:]
    reimport = upload(client, again)
    assert 'id="nothing-notice"' in reimport.text and 'name="token"' not in reimport.text

    # The history screen lists the import.
    history = client.get(
        reverse("admin:initiatives_result_initiative_history", args=[no1.initiative_id])
    )
    assert "ファイルから取り込み: デジタル課_記入済.xlsx" in history.text


def test_it_lays_out_the_sheet_for_filling_offline(digital) -> None:
    content = export(login(digital))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["実施結果", "説明"]
    sheet = workbook["実施結果"]
    headers = [c.value for c in sheet[1]]
    assert headers[:8] == [
        "取組No.", "取組事項名", "担当課", "実施計画",
        "入力状況", "達成状況", "実施結果", "確定時期",
    ]  # fmt: skip
    assert headers[-2:] == ["年度", "版"]
    assert "指標1名" in headers and "指標1目標値" in headers and "指標1実績値" in headers
    assert sheet.protection.sheet
    assert sheet.freeze_panes == "C2"
    row = Sheet(content).rows["1"]
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert sheet.cell(row=row, column=col["取組事項名"]).protection.locked
    assert sheet.cell(row=row, column=col["指標1目標値"]).value == 120
    assert sheet.cell(row=row, column=col["実施計画"]).value == "開発アプリ数 120件"
    for header in ("達成状況", "実施結果", "確定時期", "指標1実績値"):
        assert not sheet.cell(row=row, column=col[header]).protection.locked
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"達成,未達成,未確定"'
    assert str(validation.sqref).startswith("F2:F")
    assert sheet.column_dimensions["G"].width >= 40
    codes = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    expected = list(
        Result.objects.filter(
            fiscal_year__year=2024, initiative__owners__department__name="デジタル行政戦略課"
        )
        .order_by("initiative__order")
        .values_list("initiative__code", flat=True)
    )
    assert codes == expected
    help_text = "\n".join(str(c.value) for c in workbook["説明"]["A"] if c.value)
    assert "達成状況と実施結果はセットで入力" in help_text and "5 MB" in help_text
    assert NUMBER_HELP in help_text  # the number forms in the entry screen's words


@pytest.mark.parametrize("encoding", [None, "cp932"])
def test_it_still_reads_a_file_exported_with_the_old_headings(digital, encoding) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    for header, old in ((CODE, "取組番号"), ("取組事項名", "取組名")):
        sheet.sheet.cell(row=1, column=sheet.columns[header]).value = old
    sheet.set("1", 達成状況="達成", 実施結果="古い見出しのファイル")
    content = sheet.csv(encoding) if encoding else sheet.save()
    preview = upload(client, content, name="実施結果.csv" if encoding else "実施結果.xlsx")
    assert '変更あり <strong id="count-changed">1</strong> 行' in preview.text
    assert 'id="count-refused">0</strong>' in preview.text
    assert "取り込みに使いません" not in preview.text  # no column is ignored
    client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    assert result_of("1", 2024).text == "古い見出しのファイル"


def test_it_neutralises_formula_looking_cells_on_export(digital) -> None:
    no1 = result_of("1", 2024)
    services.save_draft(
        result=no1,
        user=digital,
        version=no1.version,
        status="achieved",
        text="=SUM(1)",
        note="@cmd|' /C calc'!A0",
        actuals={},
    )
    client = login(digital)
    content = export(client)
    sheet = Sheet(content)
    for header, shown in (("実施結果", "'=SUM(1)"), ("確定時期", "'@cmd|' /C calc'!A0")):
        cell = sheet.cell("1", header)
        assert cell.data_type != "f"
        assert cell.value == shown
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and all(b"<f>" not in archive.read(n) for n in sheets)
    # …and the apostrophe is removed again on import: the round trip is exact.
    before = dump()
    response = upload(client, content)
    assert 'id="nothing-notice"' in response.text
    assert dump() == before


# --- permissions ------------------------------------------------------------------------


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


def test_it_offers_export_and_import_on_the_results_list(digital) -> None:
    client = login(digital)
    listing = client.get(reverse("admin:initiatives_result_changelist"), follow=True)
    assert "Excelに書き出す（令和6年度）" in listing.text
    assert "ファイルから取り込む" in listing.text
    page = client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    assert "5 MB" in page.text and ".xlsx" in page.text and "Shift_JIS" in page.text
    assert "全部の行を取り込むか" in page.text


def test_it_can_cancel_a_previewed_import(digital) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    sheet.set("1", 達成状況="達成", 実施結果="やめる")
    token = token_of(upload(client, sheet.save()))
    before = dump()
    cancel = client.post(reverse(CONFIRM_URL), {"token": token, "_action": "cancel"})
    assert cancel.status_code == 302
    again = client.post(reverse(CONFIRM_URL), {"token": token, "_action": "apply"}, follow=True)
    assert "有効期限が切れた" in again.text
    assert dump() == before


# --- bad input: each leaves the database unchanged ------------------------------------


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


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_it_reads_a_csv_in_shift_jis_or_utf8_with_the_japanese_intact(digital, encoding) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    text = "職員が開発したアプリ：１２５件（ＲＰＡ・kintone）～継続"
    sheet.set("1", 達成状況="達成", 実施結果=text, 指標1実績値="1,250")
    preview = upload(client, sheet.csv(encoding), name="実施結果.csv")
    assert text in preview_row(preview, 2)
    assert 'id="count-refused">0</strong>' in preview.text
    client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    no1 = result_of("1", 2024)
    assert (no1.text, no1.actuals.get().value) == (text, Decimal(1250))


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


@pytest.mark.parametrize(
    ("typed", "expected"), [(" 達成 ", "achieved"), ("\u3000未達成\u3000", "not_achieved")]
)
def test_it_accepts_a_status_with_spaces_around_it(digital, typed, expected) -> None:
    client = login(digital)
    sheet = Sheet(export(client)).set("1", 達成状況=typed, 実施結果="x")
    preview = upload(client, sheet.save())
    client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    assert result_of("1", 2024).status == expected


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("１２３", 123), ("1,234", 1234), ("98.3%", 98.3), ("1,234件", 1234), (130, 130)],
)
def test_it_reads_numbers_with_full_width_digits_separators_and_units(
    digital, typed, stored
) -> None:
    client = login(digital)
    sheet = Sheet(export(client)).set("1", 達成状況="達成", 実施結果="x", 指標1実績値=typed)
    preview = upload(client, sheet.save())
    client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    assert result_of("1", 2024).actuals.get().value == Decimal(str(stored))


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


def test_it_puts_several_indicators_of_one_initiative_side_by_side(hq) -> None:
    finance = make_user("kato", "財政課")
    client = login(finance)
    sheet = Sheet(export(client))
    names = [sheet.value("86", f"指標{k}名") for k in range(1, 6)]
    assert names == [
        "実質公債費比率",
        "実質赤字比率",
        "将来負担比率",
        "経常収支比率",
        "連結実質赤字比率",
    ]
    assert [sheet.value("86", f"指標{k}目標値") for k in range(1, 6)] == [10, 0, 100, None, 0]
    assert sheet.value("86", "指標1単位") == "%"
    others = [code for code in sheet.rows if code != "86"]
    assert all(sheet.value(code, "指標5名") is None for code in others)
    sheet.set("86", 達成状況="達成", 実施結果="健全化判断比率はいずれも基準内", 指標3実績値="95.2%")
    sheet.set("86", 指標5実績値="－")  # a dash is not a number
    refused = upload(client, sheet.save())
    assert "指標5実績値（連結実質赤字比率）: 数値で入力してください" in refused.text
    sheet.set("86", 指標5実績値=0)
    if others:
        sheet.set(others[0], 指標2実績値=5)
    preview = upload(client, sheet.save())
    if others:
        assert "この取組には指標2がありません" in preview_row(preview, sheet.rows[others[0]])
        sheet.set(others[0], 指標2実績値=None)
        preview = upload(client, sheet.save())
    client.post(reverse(CONFIRM_URL), {"token": token_of(preview), "_action": "apply"})
    no86 = result_of("86", 2024)
    values = dict(no86.actuals.values_list("indicator__name", "value"))
    assert values == {"将来負担比率": Decimal("95.2"), "連結実質赤字比率": Decimal(0)}
