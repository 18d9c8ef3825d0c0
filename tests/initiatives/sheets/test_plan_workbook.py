"""HQ's plan spreadsheet: export, edit, preview and apply a revision through the admin."""

from __future__ import annotations

import copy
import csv
import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import Initiative, InitiativeDepartment, PlanRevision, Result, YearPlan
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import dump_document
from initiatives.sheets.plan_workbook import (
    GUIDE_SHEET,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
    RevisionSpec,
    apply_plan_import,
    preview_plan_import,
)
from initiatives.vocabulary import NUMBER_HELP
from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:initiatives_initiative_plan_export"
IMPORT_URL = "admin:initiatives_initiative_plan_import"
CONFIRM_URL = "admin:initiatives_initiative_plan_import_confirm"
REVISION = {
    "revision_label": "令和7年4月 改訂版",
    "revision_date": "2025-04-01",
    "revision_code": "R7",
}
DIRECTION_1_1_1 = "1-1-1 デジタル技術を活用した働く環境の充実"


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    """Previewed files are kept under MEDIA_ROOT until confirmed; keep them out of the repo."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("planner", "", "pw-for-tests-123")
    client.force_login(user)
    client.user = user
    return client


def snapshot() -> str:
    """The whole plan, working and published results included, as the interchange export."""
    return dump_document(export_plan_document()) + dump_document(
        export_plan_document(published_only=True)
    )


def exported(client) -> bytes:
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 200
    return response.content


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def saved(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def column(sheet, header: str) -> int:
    headers = [cell.value for cell in sheet[1]]
    return headers.index(header) + 1


def row_of(sheet, code: str, name: str | None = None) -> int:
    name_column = column(sheet, "指標名") if name else None
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code and (
            name is None or sheet.cell(row=row, column=name_column).value == name
        ):
            return row
    raise AssertionError(f"no row for {code} {name or ''}")


def set_cell(sheet, code: str, header: str, value, name: str | None = None) -> None:
    sheet.cell(row=row_of(sheet, code, name), column=column(sheet, header)).value = value


def last_row(sheet) -> int:
    row = sheet.max_row
    while row > 1 and sheet.cell(row=row, column=1).value in (None, ""):
        row -= 1
    return row


def append_row(sheet, values: dict) -> None:
    row = last_row(sheet) + 1
    for header, value in values.items():
        sheet.cell(row=row, column=column(sheet, header)).value = value


def upload(client, content: bytes, name: str = "plan.xlsx", **revision):
    data = {**REVISION, **revision, "file": SimpleUploadedFile(name, content)}
    return client.post(reverse(IMPORT_URL), data)


def confirm(client, response):
    return client.post(reverse(CONFIRM_URL), {"token": response.context["pending"]["token"]})


def changed_rows(response) -> dict[tuple[str, str], object]:
    preview = response.context["preview"]
    return {(row.sheet, row.key): row for row in preview.rows if row.kind != "変更なし"}


def plan_text(code: str, year: int) -> str:
    return YearPlan.objects.get(initiative__code=code, fiscal_year__year=year).text


# --- the round trip ---------------------------------------------------------------------------


def test_it_round_trips_two_plan_texts_and_a_new_initiative(admin_client, kept_files) -> None:
    before = export_plan_document()
    old_text_1 = plan_text("1", 2025)
    old_text_r6 = plan_text("R6-11", 2026)
    book = workbook(exported(admin_client))
    sheet = book[INITIATIVE_SHEET]
    set_cell(sheet, "1", "実施計画 令和7年度", "開発アプリ数 135件")
    set_cell(sheet, "R6-11", "実施計画 令和8年度", "サイトビュー数 110,000ビュー\n・SNS連携")
    append_row(
        sheet,
        {
            "取組No.": "R7-1",
            "取組事項名": "生成AIを活用した会議録作成の全庁展開",
            "取組の方向性": DIRECTION_1_1_1,
            "担当課": "デジタル行政戦略課、人事課",
            "数値目標": "○",
            "概要": "会議録の作成に生成AIを使い、職員の負担を減らす。",
            "めざす姿": "全庁で会議録作成の時間が短くなっている。",
            "関連計画": "金沢市DXアクションプラン",
            "ヒト": "○",
            "情報": "○",
            "実施計画 令和7年度": "試行",
            "実施計画 令和8年度": "全庁展開",
        },
    )
    append_row(
        book[INDICATOR_SHEET],
        {
            "取組No.": "R7-1",
            "指標名": "利用課数",
            "単位": "課",
            "目標の種類": "以上",
            "目標値 令和7年度": "10",
            "目標値 令和8年度": "３０",  # full-width digits are read as 30
        },
    )

    response = upload(admin_client, saved(book), name="令和7年改訂.xlsx")
    assert response.status_code == 200
    rows = changed_rows(response)
    assert set(rows) == {
        (INITIATIVE_SHEET, "1"),
        (INITIATIVE_SHEET, "R6-11"),
        (INITIATIVE_SHEET, "R7-1"),
        (INDICATOR_SHEET, "R7-1 利用課数"),
    }
    no1 = rows[(INITIATIVE_SHEET, "1")]
    assert no1.kind == "変更"
    assert [(c.column, c.old, c.new) for c in no1.changes] == [
        ("実施計画 令和7年度", old_text_1, "開発アプリ数 135件")
    ]
    r6 = rows[(INITIATIVE_SHEET, "R6-11")]
    assert [(c.column, c.old, c.new) for c in r6.changes] == [
        ("実施計画 令和8年度", old_text_r6, "サイトビュー数 110,000ビュー\n・SNS連携")
    ]
    assert rows[(INITIATIVE_SHEET, "R7-1")].kind == "新規"
    assert rows[(INDICATOR_SHEET, "R7-1 利用課数")].kind == "新規"
    assert "新規" in response.text and "開発アプリ数 135件" in response.text
    assert "confirm-form" in response.text
    assert export_plan_document() == before  # the preview wrote nothing

    done = confirm(admin_client, response)
    assert done.status_code == 302
    assert not [p for p in kept_files.rglob("*") if p.is_file()]  # the kept upload is gone
    assert done["Location"] == reverse("admin:initiatives_initiative_changelist")

    expected = copy.deepcopy(before)
    expected["plan"]["revisions"].append(
        {"code": "R7", "label": "令和7年4月 改訂版", "kind": "revision", "date": "2025-04-01"}
    )
    directions = expected["policies"][0]["measures"][0]["directions"]
    for initiative in [i for d in expected["policies"] for m in d["measures"]
                       for dd in m["directions"] for i in dd["initiatives"]]:  # fmt: skip
        if initiative["code"] == "1":
            initiative["years"]["2025"]["plan"] = "開発アプリ数 135件"
        if initiative["code"] == "R6-11":
            initiative["years"]["2026"]["plan"] = "サイトビュー数 110,000ビュー\n・SNS連携"
    directions[0]["initiatives"].append(
        {
            "code": "R7-1",
            "name": "生成AIを活用した会議録作成の全庁展開",
            "numeric_target": True,
            "added_in": "R7",
            "departments": ["デジタル行政戦略課", "人事課"],
            "summary": "会議録の作成に生成AIを使い、職員の負担を減らす。",
            "target_state": "全庁で会議録作成の時間が短くなっている。",
            "related_plans": ["金沢市DXアクションプラン"],
            "resources": ["ヒト", "情報"],
            "indicators": [
                {"name": "利用課数", "unit": "課", "comparison": "at_least", "benchmark": ""}
            ],
            "years": {
                "2025": {"plan": "試行", "targets": {"利用課数": "10"}, "result": None},
                "2026": {"plan": "全庁展開", "targets": {"利用課数": "30"}, "result": None},
            },
        }
    )
    assert export_plan_document() == expected

    revision = PlanRevision.objects.get(code="R7")
    assert revision.kind == PlanRevision.Kind.REVISION
    assert Initiative.objects.get(code="R7-1").badges == ["【R7新規】", "【数値目標】"]
    entry = LogEntry.objects.get(object_id=str(revision.pk), content_type__model="planrevision")
    assert entry.user == admin_client.user
    assert entry.action_flag == ADDITION
    assert "令和7年改訂.xlsx" in entry.change_message
    assert "取組 新規1件・変更2件" in entry.change_message
    no1_log = LogEntry.objects.get(
        object_id=str(Initiative.objects.get(code="1").pk), content_type__model="initiative"
    )
    assert no1_log.action_flag == CHANGE
    assert "令和7年改訂.xlsx" in no1_log.change_message
    assert "実施計画 令和7年度" in no1_log.change_message


def test_it_round_trips_an_unedited_export_as_no_change(admin_client) -> None:
    before = snapshot()
    response = upload(admin_client, exported(admin_client))
    preview = response.context["preview"]
    assert preview.ok and not preview.has_changes
    assert preview.summary[INITIATIVE_SHEET]["変更なし"] == Initiative.objects.count()
    assert "変更はありません" in response.text
    assert "confirm-form" not in response.text
    assert snapshot() == before


def test_it_writes_a_workbook_staff_can_read(admin_client) -> None:
    response = admin_client.get(reverse(EXPORT_URL))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = workbook(response.content)
    assert book.sheetnames[:3] == [GUIDE_SHEET, INITIATIVE_SHEET, INDICATOR_SHEET]
    assert book.active.title == INITIATIVE_SHEET
    sheet = book[INITIATIVE_SHEET]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet.max_row - 1 >= Initiative.objects.count()
    row = row_of(sheet, "1")
    for cell in sheet[row]:
        assert cell.value is None or cell.data_type == "s"  # every value is text
        assert cell.number_format == "@"
    assert sheet.cell(row=row, column=column(sheet, "取組の方向性")).value == DIRECTION_1_1_1
    assert sheet.cell(row=row, column=column(sheet, "実施計画 令和5年度")).alignment.wrap_text
    guide = "\n".join(str(c.value or "") for c in book[GUIDE_SHEET]["A"])
    assert "削除" in guide and "CSV" in guide
    assert NUMBER_HELP in guide  # targets are typed as the entry screen reads numbers


def test_it_neutralises_formula_looking_text_on_export(admin_client) -> None:
    YearPlan.objects.filter(initiative__code="1", fiscal_year__year=2024).update(
        text='=HYPERLINK("http://example.com","x")'
    )
    Initiative.objects.filter(code="2").update(name="@SUM(A1)")
    YearPlan.objects.filter(initiative__code="3", fiscal_year__year=2023).update(text="-1+1")
    content = exported(admin_client)
    sheet = workbook(content)[INITIATIVE_SHEET]
    for code, header, text in (
        ("1", "実施計画 令和6年度", '=HYPERLINK("http://example.com","x")'),
        ("2", "取組事項名", "@SUM(A1)"),
        ("3", "実施計画 令和5年度", "-1+1"),
    ):
        cell = sheet.cell(row=row_of(sheet, code), column=column(sheet, header))
        assert cell.data_type == "s"
        assert cell.value == "'" + text
    # Read back, the safety apostrophe goes away again: nothing changes.
    response = upload(admin_client, content)
    assert not response.context["preview"].has_changes


# --- who may do what -------------------------------------------------------------------------


def test_it_lets_hq_export_but_not_import(client) -> None:
    hq = make_user("honbu", hq=True)
    client.force_login(hq)
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    listing = client.get(reverse("admin:initiatives_initiative_changelist"))
    assert reverse(EXPORT_URL) in listing.text
    assert reverse(IMPORT_URL) not in listing.text
    before = snapshot()
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    content = exported(client)
    book = workbook(content)
    set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え")
    assert upload(client, saved(book)).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "x"}).status_code == 403
    assert snapshot() == before


def test_it_refuses_both_to_department_staff(client, admin_client) -> None:
    content = exported(admin_client)
    client.force_login(make_user("tax", "税務課"))
    assert client.get(reverse(EXPORT_URL)).status_code == 403
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, content).status_code == 403


def test_it_sends_anonymous_users_to_the_login(client) -> None:
    for name in (EXPORT_URL, IMPORT_URL):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_it_does_not_apply_a_preview_of_another_user(client, admin_client) -> None:
    book = workbook(exported(admin_client))
    set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え")
    response = upload(admin_client, saved(book))
    token = response.context["pending"]["token"]
    other = get_user_model().objects.create_superuser("other", "", "pw-for-tests-123")
    client.force_login(other)
    before = snapshot()
    refused = client.post(reverse(CONFIRM_URL), {"token": token})
    assert refused.status_code == 302
    assert snapshot() == before


# --- bad input: a clear message, and nothing changes -----------------------------------------


def assert_refused(client, response, *messages: str, before: str) -> None:
    assert response.status_code == 200
    for message in messages:
        assert message in response.text, message
    assert "confirm-form" not in response.text
    assert response.context.get("pending") is None
    assert snapshot() == before
    assert not PlanRevision.objects.filter(code="R7").exists()


def edited(client, change) -> bytes:
    book = workbook(exported(client))
    change(book)
    return saved(book)


def test_it_refuses_a_file_that_is_not_a_spreadsheet(admin_client) -> None:
    before = snapshot()
    response = upload(admin_client, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="plan.xlsx")
    assert_refused(admin_client, response, "PDF ファイルのようです", before=before)


def test_it_refuses_a_corrupted_workbook(admin_client) -> None:
    before = snapshot()
    content = exported(admin_client)
    response = upload(admin_client, content[: len(content) // 2])
    assert_refused(admin_client, response, "壊れている", before=before)


def test_it_refuses_a_missing_column(admin_client) -> None:
    def drop_summary(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        sheet.delete_cols(column(sheet, "概要"))

    before = snapshot()
    response = upload(admin_client, edited(admin_client, drop_summary))
    assert_refused(admin_client, response, "必要な列がありません: 「概要」", before=before)


def test_it_refuses_an_unknown_column(admin_client) -> None:
    def add_column(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        sheet.cell(row=1, column=sheet.max_column + 1).value = "備考"

    before = snapshot()
    response = upload(admin_client, edited(admin_client, add_column))
    assert_refused(admin_client, response, "使えない列があります: 「備考」", before=before)


def test_it_refuses_a_workbook_without_the_initiative_sheet(admin_client) -> None:
    def rename(book) -> None:
        book[INITIATIVE_SHEET].title = "Sheet1"

    before = snapshot()
    response = upload(admin_client, edited(admin_client, rename))
    assert_refused(admin_client, response, "「取組」シートがありません", before=before)


def test_it_refuses_plan_texts_outside_the_plan_period(admin_client) -> None:
    def add_year(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        new = sheet.max_column + 1
        sheet.cell(row=1, column=new).value = "実施計画 令和9年度"
        sheet.cell(row=row_of(sheet, "1"), column=new).value = "開発アプリ数 150件"

    before = snapshot()
    response = upload(admin_client, edited(admin_client, add_year))
    assert_refused(
        admin_client,
        response,
        "「実施計画 令和9年度」はプランの推進期間（令和5年度～令和8年度）の外の年度です",
        before=before,
    )


def test_it_reads_a_shift_jis_csv_of_the_initiative_sheet(admin_client) -> None:
    sheet = workbook(exported(admin_client))[INITIATIVE_SHEET]
    headers = [cell.value for cell in sheet[1]]
    rows = [[c.value or "" for c in sheet[row_of(sheet, code)]] for code in ("1", "2", "3")]
    rows[1][headers.index("実施計画 令和8年度")] = "ＡＩ相談支援システムの全課展開（令和８年度）"
    text = io.StringIO()
    csv.writer(text).writerows([headers, *rows])
    content = text.getvalue().encode("cp932")

    before = snapshot()
    response = upload(admin_client, content, name="plan.csv")
    assert response.status_code == 200
    rows_changed = changed_rows(response)
    assert set(rows_changed) == {(INITIATIVE_SHEET, "2")}
    assert [c.new for c in rows_changed[(INITIATIVE_SHEET, "2")].changes] == [
        "ＡＩ相談支援システムの全課展開（令和８年度）"
    ]
    assert "CSV ファイルなので、取組シートだけを読みました" in response.text
    assert snapshot() == before

    assert confirm(admin_client, response).status_code == 302
    assert plan_text("2", 2026) == "ＡＩ相談支援システムの全課展開（令和８年度）"


def test_it_refuses_an_unknown_direction(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: set_cell(book[INITIATIVE_SHEET], "5", "取組の方向性", "9-9-9 ない方向性"),
    )
    response = upload(admin_client, content)
    assert_refused(
        admin_client,
        response,
        "取組の方向性: 「9-9-9 ない方向性」はプランにない方向性です",
        before=before,
    )


def test_it_refuses_an_unknown_department(admin_client) -> None:
    def new_initiative(book) -> None:
        append_row(
            book[INITIATIVE_SHEET],
            {
                "取組No.": "R7-1",
                "取組事項名": "新しい取組",
                "取組の方向性": DIRECTION_1_1_1,
                "担当課": "デジタル行政戦略課、未来創造課",
                "実施計画 令和7年度": "検討",
            },
        )

    before = snapshot()
    response = upload(admin_client, edited(admin_client, new_initiative))
    assert_refused(
        admin_client, response, "担当課: 登録されていない担当課です: 「未来創造課」", before=before
    )


def test_it_refuses_the_same_code_twice(admin_client) -> None:
    def duplicate(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        values = {sheet.cell(row=1, column=c).value: sheet.cell(row=2, column=c).value
                  for c in range(1, sheet.max_column + 1)}  # fmt: skip
        values["実施計画 令和8年度"] = "別の内容"
        append_row(sheet, values)

    before = snapshot()
    response = upload(admin_client, edited(admin_client, duplicate))
    assert_refused(admin_client, response, "取組No. 1 が 2行目にもあります", before=before)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("取組No.", "取組No.: 入力してください"),
        ("取組事項名", "取組事項名: 入力してください"),
        ("取組の方向性", "取組の方向性: 入力してください"),
        ("担当課", "担当課を1つ以上入力してください"),
    ],
)
def test_it_refuses_an_empty_required_cell(admin_client, header: str, message: str) -> None:
    before = snapshot()
    content = edited(admin_client, lambda book: set_cell(book[INITIATIVE_SHEET], "7", header, None))
    response = upload(admin_client, content)
    assert_refused(admin_client, response, message, before=before)


def test_it_refuses_to_empty_an_existing_plan_text(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和6年度", None),
    )
    response = upload(admin_client, content)
    assert_refused(admin_client, response, "既にある実施計画を空欄にはできません", before=before)


def test_it_refuses_text_where_a_target_belongs(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: set_cell(
            book[INDICATOR_SHEET], "1", "目標値 令和7年度", "たくさん", name="開発アプリ数"
        ),
    )
    response = upload(admin_client, content)
    assert_refused(admin_client, response, "数値で入力してください", before=before)


def test_it_refuses_an_indicator_of_an_unknown_initiative(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: append_row(
            book[INDICATOR_SHEET],
            {"取組No.": "R9-9", "指標名": "件数", "目標の種類": "以上", "目標値 令和7年度": "1"},
        ),
    )
    response = upload(admin_client, content)
    assert_refused(
        admin_client,
        response,
        "取組No. R9-9 は「取組」シートにもプランにもありません",
        before=before,
    )


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(admin_client, monkeypatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr("initiatives.sheets.plan_workbook.preview_plan_import", never)
    monkeypatch.setattr("initiatives.sheets.io.read_content", never)
    before = snapshot()
    content = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
    response = upload(admin_client, content)
    assert_refused(admin_client, response, "ファイルが大きすぎます", "上限 5 MB", before=before)


def test_it_refuses_a_revision_code_already_used_for_another_revision(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え"),
    )
    response = upload(admin_client, content, revision_code="R6")
    assert_refused(admin_client, response, "改訂コード R6 は既にあります", before=before)


def test_it_applies_nothing_when_the_plan_changed_after_the_preview(admin_client) -> None:
    content = edited(
        admin_client,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え"),
    )
    response = upload(admin_client, content)
    in_file = plan_text("2", 2025)
    YearPlan.objects.filter(initiative__code="2", fiscal_year__year=2025).update(
        text="別の人の変更"
    )
    before = snapshot()
    again = confirm(admin_client, response)
    assert again.status_code == 200
    assert "プレビューの後に、プランのデータが変わりました" in again.text
    assert snapshot() == before
    # The new preview shows that the file would undo the other change; confirmed, it does.
    assert set(changed_rows(again)) == {(INITIATIVE_SHEET, "1"), (INITIATIVE_SHEET, "2")}
    assert confirm(admin_client, again).status_code == 302
    assert plan_text("1", 2025) == "書き換え"
    assert plan_text("2", 2025) == in_file


def test_it_moves_an_initiative_to_another_direction_named_by_its_title(admin_client) -> None:
    before = export_plan_document()
    content = edited(
        admin_client,
        lambda book: set_cell(
            book[INITIATIVE_SHEET], "5", "取組の方向性", "スリムで機能的な組織への改編"
        ),
    )
    response = upload(admin_client, content)
    [row] = changed_rows(response).values()
    assert [(c.column, c.old, c.new) for c in row.changes] == [
        ("取組の方向性", DIRECTION_1_1_1, "1-1-2 スリムで機能的な組織への改編")
    ]
    assert confirm(admin_client, response).status_code == 302

    expected = copy.deepcopy(before)
    expected["plan"]["revisions"].append(
        {"code": "R7", "label": "令和7年4月 改訂版", "kind": "revision", "date": "2025-04-01"}
    )
    directions = expected["policies"][0]["measures"][0]["directions"]
    [moved] = [i for i in directions[0]["initiatives"] if i["code"] == "5"]
    directions[0]["initiatives"].remove(moved)
    # Where the row sits in the sheet: before the rows of 1-1-2, so first of them.
    directions[1]["initiatives"].insert(0, moved)
    assert export_plan_document() == expected


def test_it_refuses_a_direction_code_that_does_not_match_its_title(admin_client) -> None:
    before = snapshot()
    content = edited(
        admin_client,
        lambda book: set_cell(
            book[INITIATIVE_SHEET],
            "5",
            "取組の方向性",
            "1-1-2 デジタル技術を活用した働く環境の充実",
        ),
    )
    response = upload(admin_client, content)
    assert_refused(admin_client, response, "コード 1-1-2 と名称が合いません", before=before)


def test_it_gives_an_initiative_added_during_an_open_period_its_entry_row(admin_client) -> None:

    open_year(2025, hq=admin_client.user)
    book = workbook(exported(admin_client))
    append_row(
        book[INITIATIVE_SHEET],
        {
            "取組No.": "R7-1",
            "取組事項名": "生成AIを活用した会議録作成の全庁展開",
            "取組の方向性": DIRECTION_1_1_1,
            "担当課": "デジタル行政戦略課",
            "概要": "会議録の作成に生成AIを使う。",
            "めざす姿": "会議録作成の時間が短くなっている。",
            "実施計画 令和7年度": "試行",
        },
    )
    response = upload(admin_client, saved(book))
    assert confirm(admin_client, response).status_code == 302

    # The department finds the new initiative on its 令和7年度 entry list at once.
    result = result_of("R7-1", 2025)
    assert result.state == "not_started"
    assert not Initiative.objects.get(code="R7-1").results.filter(fiscal_year__year=2026).exists()


@pytest.mark.parametrize(
    ("sheet_name", "header", "value", "message"),
    [
        (INITIATIVE_SHEET, "ヒト", "△", "「○」か空欄にしてください（入力値: △）"),
        (
            INDICATOR_SHEET,
            "目標値 令和5年度",
            "10",
            "令和5年度の実施計画がないため、目標値は書けません",
        ),
        (
            INDICATOR_SHEET,
            "目標の種類",
            "基準との比較",
            "「基準との比較」のときは基準を書いてください",
        ),
    ],
)
def test_it_refuses_a_cell_the_plan_cannot_hold(
    admin_client, sheet_name, header, value, message
) -> None:
    # R6-5 was added in 令和6年度: it has no 令和5年度 plan, so no target for that year either.
    code = "R6-5" if header == "目標値 令和5年度" else "1"

    def change(book) -> None:
        set_cell(book[sheet_name], code, header, value)
        if header == "目標の種類":
            set_cell(book[sheet_name], code, "比較の基準", None)

    before = snapshot()
    response = upload(admin_client, edited(admin_client, change))
    assert_refused(admin_client, response, message, before=before)


# --- all or nothing ------------------------------------------------------------------------


def fail_on_call(monkeypatch, owner, name: str, n: int) -> list:
    """Make the n-th call of owner.name raise a database error; returns the calls made."""
    calls = []
    real = getattr(owner, name)

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise DatabaseError(f"{name} の{n}回目で失敗（テスト）")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


@pytest.mark.parametrize(
    ("failing", "name", "n"),
    [
        (Initiative, "save", 3),  # the third changed initiative, after two were written
        (LogEntry.objects, "log_actions", 3),  # the history, after every row was written
    ],
)
def test_it_writes_nothing_when_a_later_row_fails_while_applying(
    admin_client, monkeypatch, failing, name, n
) -> None:
    open_year(2025, hq=admin_client.user)
    book = workbook(exported(admin_client))
    sheet = book[INITIATIVE_SHEET]
    set_cell(sheet, "1", "実施計画 令和7年度", "1行目の書き換え")
    set_cell(sheet, "2", "担当課", "人事課")
    set_cell(sheet, "3", "実施計画 令和7年度", "3行目の書き換え")
    append_row(
        sheet,
        {
            "取組No.": "R7-1",
            "取組事項名": "新しい取組",
            "取組の方向性": DIRECTION_1_1_1,
            "担当課": "人事課",
            "実施計画 令和7年度": "試行",
        },
    )
    content = saved(book)
    preview = preview_plan_import(content)
    assert preview.can_apply and preview.summary[INITIATIVE_SHEET]["変更"] == 3
    before = snapshot()
    counts = [
        m.objects.count()
        for m in (Initiative, InitiativeDepartment, YearPlan, PlanRevision, LogEntry, Result)
    ]

    calls = fail_on_call(monkeypatch, failing, name, n)
    with pytest.raises(DatabaseError):
        apply_plan_import(
            content=content,
            filename="plan.xlsx",
            user=admin_client.user,
            revision=RevisionSpec(
                code="R7", label="令和7年4月 改訂版", date=datetime.date(2025, 4, 1)
            ),
            fingerprint=preview.fingerprint,
        )
    assert len(calls) == n  # earlier rows were written before the failure …
    monkeypatch.undo()
    # … and rolled back with it: no initiative, plan text, revision or history entry.
    assert snapshot() == before
    assert [
        m.objects.count()
        for m in (Initiative, InitiativeDepartment, YearPlan, PlanRevision, LogEntry, Result)
    ] == counts
    assert not PlanRevision.objects.filter(code="R7").exists()
