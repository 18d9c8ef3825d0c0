from __future__ import annotations

import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from initiatives.models import Initiative, Relisting, Result
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db

LABELS = {"achieved": "達成", "not_achieved": "未達成", "undetermined": "未確定"}


@pytest.fixture
def workbook(client):
    """The 令和5年度 edition's Excel tables, made as after publication and downloaded."""
    make_edition_files("xlsx")
    response = client.get("/reports/2023.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="kanazawa-plan-2023.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(sheet) -> dict[str, tuple]:
    return {
        str(row[0]): row
        for row in sheet.iter_rows(min_row=4, values_only=True)
        if row[0] is not None and row[1] is not None and row[0] != "-"
    }


def test_it_has_a_summary_sheet_and_one_sheet_per_policy(workbook) -> None:
    assert workbook.sheetnames == ["集計", "方針1", "方針2", "方針3"]


def test_it_lays_out_the_header_as_the_document(workbook) -> None:
    sheet = workbook["方針1"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A2:A3", "B2:B3", "C2:C3", "D2:G2"} <= merged
    assert [sheet.cell(2, c).value for c in (1, 2, 3, 4)] == [
        "取組No.",
        "取組事項名",
        "担当課",
        "計画達成状況",
    ]
    assert [sheet.cell(3, c).value for c in range(4, 8)] == ["R5", "R6", "R7", "R8"]
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$2:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.column_dimensions["B"].width >= 50
    assert sheet.cell(5, 1).value.startswith("①")  # a full-width direction row
    assert "A5:G5" in merged
    assert sheet.cell(6, 2).alignment.wrap_text


def test_it_shows_every_initiative_with_its_marks_and_published_status(workbook) -> None:
    rows = {}
    for name in ("方針1", "方針2", "方針3"):
        rows.update(_rows(workbook[name]))
    published = {
        r.initiative.code: r.published_status
        for r in Result.objects.filter(
            published_at__isnull=False, fiscal_year__year=2023
        ).select_related("initiative")
    }
    initiatives = Initiative.objects.select_related("added_in")
    assert set(rows) == {i.code for i in initiatives}
    for initiative in initiatives:
        row = rows[initiative.code]
        # As the document prints it: 【R6新規】 before the name, 【数値目標】 after it.
        assert row[1] == f"{initiative.name_prefix}{initiative.name}{initiative.name_suffix}"
        if initiative.numeric_target:
            assert row[1].endswith("【数値目標】")
        if initiative.added_in_id:
            assert row[1].startswith(f"【{initiative.added_in.code}新規】")
            assert row[3] == "—"
        else:
            assert row[3] == LABELS.get(published.get(initiative.code, ""), "")
        # Nothing of 令和6年度 is published yet: blank, or 「—」 where it is not in the plan.
        assert row[4] in (None, "", "—")


def test_it_shows_relisted_rows_with_a_dash_number(workbook) -> None:
    relisted = [
        row
        for name in ("方針1", "方針2", "方針3")
        for row in workbook[name].iter_rows(min_row=4, values_only=True)
        if row[0] == "-"
    ]
    assert len(relisted) == Relisting.objects.count()
    assert all(row[1].startswith("【再掲】") for row in relisted)


def test_it_counts_statuses_per_year_in_the_summary_sheet(workbook) -> None:
    sheet = workbook["集計"]
    assert [sheet.cell(2, c).value for c in range(1, 7)] == [
        "年度",
        "達成",
        "未達成",
        "未確定",
        "未報告",
        "計",
    ]
    assert sheet.cell(3, 1).value == "令和5年度"
    counts = Counter(
        Result.objects.filter(published_at__isnull=False, fiscal_year__year=2023).values_list(
            "published_status", flat=True
        )
    )
    assert sheet.cell(3, 2).value == counts["achieved"]
    assert sheet.cell(3, 3).value == counts["not_achieved"]
    assert sheet.cell(3, 4).value == counts["undetermined"]
    in_plan_2023 = Initiative.objects.filter(year_plans__fiscal_year__year=2023).count()
    assert sheet.cell(3, 6).value == in_plan_2023


def test_it_gives_long_names_rows_tall_enough_to_show_them(workbook) -> None:
    # LibreOffice keeps stored row heights, so wrapped text must get its height in the file.
    sheet = workbook["方針1"]
    heights = {
        str(row[0].value): sheet.row_dimensions[row[0].row].height
        for row in sheet.iter_rows(min_row=4)
        if row[0].value and row[1].value
    }
    assert heights["1"] < heights["R6-11"]  # a short name on one line; a long one on two
    assert heights["R6-11"] >= 2 * 16
