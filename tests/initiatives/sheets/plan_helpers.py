"""Helpers of the plan workbook tests: the admin URLs, the exported workbook edited
cell by cell, uploads and confirmations, and a snapshot of the whole plan."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import PlanRevision, YearPlan
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import dump_document

EXPORT_URL = "admin:initiatives_initiative_plan_export"
IMPORT_URL = "admin:initiatives_initiative_plan_import"
CONFIRM_URL = "admin:initiatives_initiative_plan_import_confirm"
REVISION = {
    "revision_label": "令和7年4月 改訂版",
    "revision_date": "2025-04-01",
    "revision_code": "R7",
}

DIRECTION_1_1_1 = "1-1-1 デジタル技術を活用した働く環境の充実"


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
