"""The results import's cost: the preview checks every row without writing, in the same
number of queries for 5 rows as for the whole department, and the confirmation saves the
changed rows in one transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Result
from initiatives.sheets import results_workbook
from tests.initiatives.sheets.results_helpers import Sheet, dump, export, login

pytestmark = pytest.mark.django_db

# What a preview may cost, whatever the number of rows: the fiscal years, the user's
# departments and whether they are HQ (both then cached on the user), which results those
# departments handle (fiscal years, reorganisations, the plan's assignments: three queries
# whatever the number of reorganisations, initiatives.plan.organisation), the results named by
# the file with their initiatives' departments, indicators and actual values (prefetched),
# and which of them may be edited now; then the 確認事項 (consistency checks) of every row:
# indicators, targets and actuals, three queries for the whole file.
PREVIEW_QUERIES = 15


def filled(content: bytes, *, rows: int | None = None) -> tuple[bytes, int]:
    """The export with its first `rows` rows (all when None) filled in, the others removed."""
    sheet = Sheet(content)
    codes = list(sheet.rows)[:rows] if rows else list(sheet.rows)
    if len(codes) < len(sheet.rows):
        first_removed = sheet.rows[list(sheet.rows)[len(codes)]]
        sheet.sheet.delete_rows(first_removed, sheet.sheet.max_row)
    for code in codes:
        sheet.set(code, 達成状況="達成", 実施結果=f"No.{code} の実施結果")
        if sheet.value(code, "指標1名"):
            sheet.set(code, 指標1実績値=100)
    return sheet.save(), len(codes)


def preview_queries(user, content: bytes) -> tuple[int, results_workbook.ImportPreview]:
    with CaptureQueriesContext(connection) as queries:
        preview = results_workbook.preview_import(user=user, content=content, filename="x.xlsx")
    return len(queries), preview


def test_the_preview_costs_the_same_queries_for_5_rows_as_for_the_whole_department(
    digital, django_assert_max_num_queries
) -> None:
    exported = export(login(digital))
    small, five = filled(exported, rows=5)
    whole, everything = filled(exported)
    assert (five, everything) == (
        5,
        Result.objects.filter(
            fiscal_year__year=2024, initiative__owners__department__name="デジタル行政戦略課"
        ).count(),
    )
    assert everything >= 21
    before = dump()

    with django_assert_max_num_queries(PREVIEW_QUERIES):
        small_preview = results_workbook.preview_import(
            user=digital, content=small, filename="x.xlsx"
        )
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        whole_preview = results_workbook.preview_import(
            user=digital, content=whole, filename="x.xlsx"
        )
    assert len(small_preview.changed) == 5 and not small_preview.refused
    assert len(whole_preview.changed) == everything and not whole_preview.refused
    # Measured apart from the limit: exactly equal, not merely both under it.
    assert preview_queries(digital, small)[0] == preview_queries(digital, whole)[0]
    assert dump() == before, "the preview writes nothing"


def test_refused_rows_cost_no_extra_queries(digital, tax) -> None:
    """Another department's rows, unknown codes and bad cells are checked in memory too."""
    exported = export(login(digital))
    whole, _count = filled(exported)
    sheet = Sheet(whole)
    codes = list(sheet.rows)
    sheet.set(codes[0], **{"取組No.": "9999"})
    sheet.set(codes[1], 達成状況="達成済み")
    numbered = next(code for code in codes[2:] if sheet.value(code, "指標1名"))
    sheet.set(numbered, 指標1実績値="約120件")
    queries, preview = preview_queries(tax, sheet.save())
    assert queries <= PREVIEW_QUERIES
    assert len(preview.refused) == len(codes)


def test_the_confirmation_saves_every_changed_row_in_one_transaction(digital) -> None:
    content, count = filled(export(login(digital)), rows=5)
    applied = results_workbook.apply_import(user=digital, content=content, filename="a.xlsx")
    assert applied.applied and len(applied.changed) == count
    saved = Result.objects.filter(text__endswith="の実施結果", fiscal_year__year=2024)
    assert saved.count() == count
    assert {r.state for r in saved} == {"draft"}
    assert all(
        r.history.first().history_change_reason == "ファイルから取り込み: a.xlsx" for r in saved
    )
