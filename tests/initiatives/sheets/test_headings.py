"""One heading per field: the workbooks, the open data and the reports name it alike."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from initiatives.models import FiscalYear
from initiatives.sheets import plan_workbook, results_workbook
from initiatives.vocabulary import (
    CODE_HEADING,
    DEPARTMENTS_HEADING,
    DIRECTION_HEADING,
    NAME_HEADING,
    NOTE_HEADING,
    NUMERIC_TARGET_HEADING,
    PLAN_TEXT_HEADING,
    RELATED_PLANS_HEADING,
    RESULT_TEXT_HEADING,
    STATUS_HEADING,
    SUMMARY_HEADING,
    TARGET_STATE_HEADING,
)
from tests.reports.conftest import make_edition_files

pytestmark = pytest.mark.django_db


def first_row(content: bytes, sheet: str) -> list[str]:
    return [cell.value for cell in load_workbook(io.BytesIO(content))[sheet][1]]


@pytest.fixture
def headings(client, digital, settings, tmp_path) -> dict[str, list[str]]:
    """The column headings of every table the system hands out, by where they appear."""
    fiscal_year = FiscalYear.objects.get(year=2024)
    results = results_workbook.export_workbook(user=digital, fiscal_year=fiscal_year)
    open_data = client.get("/open-data/initiatives.csv").content.decode("utf-8-sig")
    settings.MEDIA_ROOT = tmp_path
    make_edition_files("xlsx")  # the edition's Excel tables, as the worker makes them
    response = client.get("/reports/2023.xlsx")
    report = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["方針1"]
    return {
        "results workbook": first_row(results, "実施結果"),
        "plan workbook": first_row(plan_workbook.export_plan_workbook(), "取組"),
        # Year columns of the open data are 「令和6年度 達成状況」: the heading after the year.
        "open data": [h.split(" ")[-1] for h in next(csv.reader(io.StringIO(open_data)))],
        "report": [report.cell(2, column).value for column in (1, 2, 3)],
    }


def test_every_table_names_a_field_alike(headings) -> None:
    for where, found in headings.items():
        for heading in (CODE_HEADING, NAME_HEADING, DEPARTMENTS_HEADING):
            assert heading in found, (where, heading)
    # What a result says: in the department's workbook and in the open data.
    for heading in (PLAN_TEXT_HEADING, STATUS_HEADING, RESULT_TEXT_HEADING, NOTE_HEADING):
        assert heading in headings["results workbook"], heading
        assert heading in headings["open data"], heading
    # What the plan says: in HQ's workbook and in the open data.
    for heading in (
        DIRECTION_HEADING,
        NUMERIC_TARGET_HEADING,
        RELATED_PLANS_HEADING,
        SUMMARY_HEADING,
        TARGET_STATE_HEADING,
    ):
        assert heading in headings["plan workbook"], heading
        assert heading in headings["open data"], heading
