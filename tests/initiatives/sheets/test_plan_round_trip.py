"""HQ's plan workbook: export, edit, preview and apply a revision through the admin."""

from __future__ import annotations

import copy
import csv
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from initiatives.models import Initiative, PlanRevision, YearPlan
from initiatives.plan.export import export_plan_document
from initiatives.sheets.plan_workbook import (
    GUIDE_SHEET,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
)
from initiatives.vocabulary import NUMBER_HELP
from tests.initiatives.sheets.plan_helpers import (
    DIRECTION_1_1_1,
    EXPORT_URL,
    append_row,
    changed_rows,
    column,
    confirm,
    edited,
    exported,
    plan_text,
    row_of,
    saved,
    set_cell,
    snapshot,
    upload,
    workbook,
)
from tests.initiatives.workflow_helpers import open_year, result_of

pytestmark = pytest.mark.django_db


def test_it_round_trips_two_plan_texts_and_a_new_initiative(planner, kept_files) -> None:
    before = export_plan_document()
    old_text_1 = plan_text("1", 2025)
    old_text_r6 = plan_text("R6-11", 2026)
    book = workbook(exported(planner))
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

    response = upload(planner, saved(book), name="令和7年改訂.xlsx")
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

    done = confirm(planner, response)
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
    assert entry.user == planner.user
    assert entry.action_flag == ADDITION
    assert "令和7年改訂.xlsx" in entry.change_message
    assert "取組 新規1件・変更2件" in entry.change_message
    no1_log = LogEntry.objects.get(
        object_id=str(Initiative.objects.get(code="1").pk), content_type__model="initiative"
    )
    assert no1_log.action_flag == CHANGE
    assert "令和7年改訂.xlsx" in no1_log.change_message
    assert "実施計画 令和7年度" in no1_log.change_message


def test_it_round_trips_an_unedited_export_as_no_change(planner) -> None:
    before = snapshot()
    response = upload(planner, exported(planner))
    preview = response.context["preview"]
    assert preview.ok and not preview.has_changes
    assert preview.summary[INITIATIVE_SHEET]["変更なし"] == Initiative.objects.count()
    assert "変更はありません" in response.text
    assert "confirm-form" not in response.text
    assert snapshot() == before


def test_it_writes_a_workbook_staff_can_read(planner) -> None:
    response = planner.get(reverse(EXPORT_URL))
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


def test_it_neutralises_formula_looking_text_on_export(planner) -> None:
    YearPlan.objects.filter(initiative__code="1", fiscal_year__year=2024).update(
        text='=HYPERLINK("http://example.com","x")'
    )
    Initiative.objects.filter(code="2").update(name="@SUM(A1)")
    YearPlan.objects.filter(initiative__code="3", fiscal_year__year=2023).update(text="-1+1")
    content = exported(planner)
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
    response = upload(planner, content)
    assert not response.context["preview"].has_changes


def test_it_reads_a_shift_jis_csv_of_the_initiative_sheet(planner) -> None:
    sheet = workbook(exported(planner))[INITIATIVE_SHEET]
    headers = [cell.value for cell in sheet[1]]
    rows = [[c.value or "" for c in sheet[row_of(sheet, code)]] for code in ("1", "2", "3")]
    rows[1][headers.index("実施計画 令和8年度")] = "ＡＩ相談支援システムの全課展開（令和８年度）"
    text = io.StringIO()
    csv.writer(text).writerows([headers, *rows])
    content = text.getvalue().encode("cp932")

    before = snapshot()
    response = upload(planner, content, name="plan.csv")
    assert response.status_code == 200
    rows_changed = changed_rows(response)
    assert set(rows_changed) == {(INITIATIVE_SHEET, "2")}
    assert [c.new for c in rows_changed[(INITIATIVE_SHEET, "2")].changes] == [
        "ＡＩ相談支援システムの全課展開（令和８年度）"
    ]
    assert "CSV ファイルなので、取組シートだけを読みました" in response.text
    assert snapshot() == before

    assert confirm(planner, response).status_code == 302
    assert plan_text("2", 2026) == "ＡＩ相談支援システムの全課展開（令和８年度）"


def test_it_moves_an_initiative_to_another_direction_named_by_its_title(planner) -> None:
    before = export_plan_document()
    content = edited(
        planner,
        lambda book: set_cell(
            book[INITIATIVE_SHEET], "5", "取組の方向性", "スリムで機能的な組織への改編"
        ),
    )
    response = upload(planner, content)
    [row] = changed_rows(response).values()
    assert [(c.column, c.old, c.new) for c in row.changes] == [
        ("取組の方向性", DIRECTION_1_1_1, "1-1-2 スリムで機能的な組織への改編")
    ]
    assert confirm(planner, response).status_code == 302

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


def test_it_gives_an_initiative_added_during_an_open_period_its_entry_row(planner) -> None:

    open_year(2025, hq=planner.user)
    book = workbook(exported(planner))
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
    response = upload(planner, saved(book))
    assert confirm(planner, response).status_code == 302

    # The department finds the new initiative on its 令和7年度 entry list at once.
    result = result_of("R7-1", 2025)
    assert result.state == "not_started"
    assert not Initiative.objects.get(code="R7-1").results.filter(fiscal_year__year=2026).exists()
