"""The department results round trip through the admin: export → fill → import →
confirm, and how cells are read.

Every request is a real request to the admin URLs. "Unchanged" is checked against a dump of
every Result and Actual row (and the history and workflow-event tables) and against a fresh
export of the sheet, before and after.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from initiatives.models import Actual, Result
from initiatives.results import services
from initiatives.vocabulary import NUMBER_HELP
from tests.initiatives.sheets.results_helpers import (
    CODE,
    CONFIRM_URL,
    IMPORT_URL,
    Sheet,
    dump,
    export,
    login,
    preview_row,
    sheet_values,
    token_of,
    upload,
)
from tests.initiatives.workflow_helpers import make_user, result_of

pytestmark = pytest.mark.django_db


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
