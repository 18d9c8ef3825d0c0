from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from initiatives.models import Initiative, Result
from initiatives.plan.interchange import validate_document
from initiatives.public.open_data import BASE_COLUMNS, YEAR_COLUMNS

pytestmark = pytest.mark.django_db


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_documents_every_column_and_the_licence(client):
    response = client.get("/open-data/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "CC BY 4.0" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.ja"' in html
    header = csv_rows(client.get("/open-data/initiatives.csv").content)[0]
    for column in BASE_COLUMNS:
        assert f'<th scope="row">{column.name}</th>' in html
    for name, _ in YEAR_COLUMNS:
        assert f"〈年度〉 {name}" in html
        assert f"令和5年度 {name}" in header
    assert len(header) == len(BASE_COLUMNS) + 4 * len(YEAR_COLUMNS)
    for kind in ("csv", "xlsx", "json"):
        assert f'href="/open-data/initiatives.{kind}"' in html


def test_it_downloads_the_csv_with_a_bom_and_japanese_text(client):
    response = client.get("/open-data/initiatives.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="initiatives.csv"' in response["Content-Disposition"]
    rows = csv_rows(response.content)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["取組No.", "方針番号", "方針"]
    assert len(body) == Initiative.objects.count()
    first = Initiative.objects.order_by("order").first()
    assert body[0][0] == first.code
    assert body[0][header.index("取組事項名")] == first.name
    statuses = {row[header.index("令和5年度 達成状況")] for row in body}
    assert statuses <= {"達成", "未達成", "未確定", ""}
    assert "達成" in statuses


def test_it_applies_the_table_filters_to_the_csv(client):
    rows = csv_rows(
        client.get("/open-data/initiatives.csv", {"status_2023": "not_achieved"}).content
    )
    header, body = rows[0], rows[1:]
    assert len(body) == 8
    assert {row[header.index("令和5年度 達成状況")] for row in body} == {"未達成"}


def test_it_writes_the_published_copy_not_the_working_copy(client):
    result = Result.objects.filter(published_at__isnull=False).select_related("initiative").first()
    result.published_text = "公開済みの文面"
    result.text = "作業中の文面"
    result.save()
    rows = csv_rows(client.get("/open-data/initiatives.csv").content)
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == result.initiative.code)
    assert row[header.index(f"{result.fiscal_year.label} 実施結果")] == "公開済みの文面"
    assert "作業中の文面" not in json.dumps(rows, ensure_ascii=False)


def test_it_downloads_the_interchange_json_with_published_results_only(client):
    response = client.get("/open-data/initiatives.json")
    document = json.loads(response.content)
    validate_document(document)
    codes = [
        i["code"]
        for p in document["policies"]
        for m in p["measures"]
        for d in m["directions"]
        for i in d["initiatives"]
    ]
    assert len(codes) == Initiative.objects.count()
    results = [
        year["result"]
        for p in document["policies"]
        for m in p["measures"]
        for d in m["directions"]
        for i in d["initiatives"]
        for year in i["years"].values()
    ]
    assert any(r and r["status"] for r in results)


def test_it_limits_the_json_to_the_filtered_initiatives(client):
    document = json.loads(
        client.get("/open-data/initiatives.json", {"policy": "3", "numeric_target": "on"}).content
    )
    initiatives = [
        i
        for p in document["policies"]
        for m in p["measures"]
        for d in m["directions"]
        for i in d["initiatives"]
    ]
    expected = Initiative.objects.filter(
        direction__measure__policy__number=3, numeric_target=True
    ).count()
    assert len(initiatives) == expected > 0
    assert all(i["numeric_target"] for i in initiatives)


def test_it_downloads_an_excel_workbook_with_the_same_columns(client):
    response = client.get("/open-data/initiatives.xlsx", {"policy": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["取組事項一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    csv_body = csv_rows(client.get("/open-data/initiatives.csv", {"policy": "1"}).content)
    assert list(rows[0]) == csv_body[0]
    assert len(rows) == len(csv_body)
    assert {row[1] for row in rows[1:]} == {1}  # 方針番号: a number, as in the CSV's "1"
    assert "列の説明" in workbook.sheetnames


def test_the_excel_file_is_the_same_bytes_for_the_same_data(monkeypatch):
    """openpyxl stamps the save time into the file; a file re-made later for the same data
    (a new cache key, e.g. after the plan was closed) must not change size or hash."""
    import datetime as dt

    import openpyxl.writer.excel as excel

    from initiatives.plan.selectors import get_plan
    from initiatives.public.open_data import xlsx_bytes
    from initiatives.public.selectors import PublicFilter

    plan = get_plan()
    first = xlsx_bytes(plan=plan, filters=PublicFilter())

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(excel.datetime, "datetime", Later)
    assert xlsx_bytes(plan=plan, filters=PublicFilter()) == first
