"""HQ's plan workbook: every kind of bad file or cell is refused with a clear message,
and nothing changes."""

from __future__ import annotations

import pytest

from initiatives.sheets.plan_workbook import (
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
)
from tests.initiatives.sheets.plan_helpers import (
    DIRECTION_1_1_1,
    append_row,
    assert_refused,
    column,
    edited,
    exported,
    row_of,
    set_cell,
    snapshot,
    upload,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_file_that_is_not_a_spreadsheet(planner) -> None:
    before = snapshot()
    response = upload(planner, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="plan.xlsx")
    assert_refused(planner, response, "PDF ファイルのようです", before=before)


def test_it_refuses_a_corrupted_workbook(planner) -> None:
    before = snapshot()
    content = exported(planner)
    response = upload(planner, content[: len(content) // 2])
    assert_refused(planner, response, "壊れている", before=before)


def test_it_refuses_a_missing_column(planner) -> None:
    def drop_summary(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        sheet.delete_cols(column(sheet, "概要"))

    before = snapshot()
    response = upload(planner, edited(planner, drop_summary))
    assert_refused(planner, response, "必要な列がありません: 「概要」", before=before)


def test_it_refuses_an_unknown_column(planner) -> None:
    def add_column(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        sheet.cell(row=1, column=sheet.max_column + 1).value = "備考"

    before = snapshot()
    response = upload(planner, edited(planner, add_column))
    assert_refused(planner, response, "使えない列があります: 「備考」", before=before)


def test_it_refuses_a_workbook_without_the_initiative_sheet(planner) -> None:
    def rename(book) -> None:
        book[INITIATIVE_SHEET].title = "Sheet1"

    before = snapshot()
    response = upload(planner, edited(planner, rename))
    assert_refused(planner, response, "「取組」シートがありません", before=before)


def test_it_refuses_plan_texts_outside_the_plan_period(planner) -> None:
    def add_year(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        new = sheet.max_column + 1
        sheet.cell(row=1, column=new).value = "実施計画 令和9年度"
        sheet.cell(row=row_of(sheet, "1"), column=new).value = "開発アプリ数 150件"

    before = snapshot()
    response = upload(planner, edited(planner, add_year))
    assert_refused(
        planner,
        response,
        "「実施計画 令和9年度」はプランの推進期間（令和5年度～令和8年度）の外の年度です",
        before=before,
    )


def test_it_refuses_an_unknown_direction(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: set_cell(book[INITIATIVE_SHEET], "5", "取組の方向性", "9-9-9 ない方向性"),
    )
    response = upload(planner, content)
    assert_refused(
        planner,
        response,
        "取組の方向性: 「9-9-9 ない方向性」はプランにない方向性です",
        before=before,
    )


def test_it_refuses_an_unknown_department(planner) -> None:
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
    response = upload(planner, edited(planner, new_initiative))
    assert_refused(
        planner, response, "担当課: 登録されていない担当課です: 「未来創造課」", before=before
    )


def test_it_refuses_the_same_code_twice(planner) -> None:
    def duplicate(book) -> None:
        sheet = book[INITIATIVE_SHEET]
        values = {sheet.cell(row=1, column=c).value: sheet.cell(row=2, column=c).value
                  for c in range(1, sheet.max_column + 1)}  # fmt: skip
        values["実施計画 令和8年度"] = "別の内容"
        append_row(sheet, values)

    before = snapshot()
    response = upload(planner, edited(planner, duplicate))
    assert_refused(planner, response, "取組No. 1 が 2行目にもあります", before=before)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("取組No.", "取組No.: 入力してください"),
        ("取組事項名", "取組事項名: 入力してください"),
        ("取組の方向性", "取組の方向性: 入力してください"),
        ("担当課", "担当課を1つ以上入力してください"),
    ],
)
def test_it_refuses_an_empty_required_cell(planner, header: str, message: str) -> None:
    before = snapshot()
    content = edited(planner, lambda book: set_cell(book[INITIATIVE_SHEET], "7", header, None))
    response = upload(planner, content)
    assert_refused(planner, response, message, before=before)


def test_it_refuses_to_empty_an_existing_plan_text(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和6年度", None),
    )
    response = upload(planner, content)
    assert_refused(planner, response, "既にある実施計画を空欄にはできません", before=before)


def test_it_refuses_text_where_a_target_belongs(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: set_cell(
            book[INDICATOR_SHEET], "1", "目標値 令和7年度", "たくさん", name="開発アプリ数"
        ),
    )
    response = upload(planner, content)
    assert_refused(planner, response, "数値で入力してください", before=before)


def test_it_refuses_an_indicator_of_an_unknown_initiative(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: append_row(
            book[INDICATOR_SHEET],
            {"取組No.": "R9-9", "指標名": "件数", "目標の種類": "以上", "目標値 令和7年度": "1"},
        ),
    )
    response = upload(planner, content)
    assert_refused(
        planner,
        response,
        "取組No. R9-9 は「取組」シートにもプランにもありません",
        before=before,
    )


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(planner, monkeypatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr("initiatives.sheets.plan_workbook.preview_plan_import", never)
    monkeypatch.setattr("initiatives.sheets.io.read_content", never)
    before = snapshot()
    content = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
    response = upload(planner, content)
    assert_refused(planner, response, "ファイルが大きすぎます", "上限 5 MB", before=before)


def test_it_refuses_a_revision_code_already_used_for_another_revision(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え"),
    )
    response = upload(planner, content, revision_code="R6")
    assert_refused(planner, response, "改訂コード R6 は既にあります", before=before)


def test_it_refuses_a_direction_code_that_does_not_match_its_title(planner) -> None:
    before = snapshot()
    content = edited(
        planner,
        lambda book: set_cell(
            book[INITIATIVE_SHEET],
            "5",
            "取組の方向性",
            "1-1-2 デジタル技術を活用した働く環境の充実",
        ),
    )
    response = upload(planner, content)
    assert_refused(planner, response, "コード 1-1-2 と名称が合いません", before=before)


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
    planner, sheet_name, header, value, message
) -> None:
    # R6-5 was added in 令和6年度: it has no 令和5年度 plan, so no target for that year either.
    code = "R6-5" if header == "目標値 令和5年度" else "1"

    def change(book) -> None:
        set_cell(book[sheet_name], code, header, value)
        if header == "目標の種類":
            set_cell(book[sheet_name], code, "比較の基準", None)

    before = snapshot()
    response = upload(planner, edited(planner, change))
    assert_refused(planner, response, message, before=before)
