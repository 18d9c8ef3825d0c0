"""Helpers of the results workbook tests: the admin URLs, the exported sheet edited by
initiative code and header, uploads, the preview's rows and a dump of every result."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from initiatives.models import Actual, Result, WorkflowEvent

EXPORT_URL = "admin:initiatives_result_sheet_export"
IMPORT_URL = "admin:initiatives_result_sheet_import"
CONFIRM_URL = "admin:initiatives_result_sheet_confirm"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODE = "取組No."


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dump() -> tuple:
    """Every Result and Actual row, and the sizes of the history and event tables."""
    return (
        list(Result.objects.order_by("pk").values_list()),
        list(Actual.objects.order_by("pk").values_list()),
        WorkflowEvent.objects.count(),
        Result.history.count(),
        Actual.history.count(),
    )


def export(client: Client, year: int = 2024) -> bytes:
    response = client.get(reverse(EXPORT_URL) + f"?year={year}")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return response.content


def sheet_values(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content))["実施結果"].iter_rows(values_only=True))


class Sheet:
    """An exported workbook opened for editing, addressed by initiative code and header."""

    def __init__(self, content: bytes) -> None:
        self.workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.sheet = self.workbook["実施結果"]
        self.columns = {cell.value: cell.column for cell in self.sheet[1]}
        self.rows = {
            self.sheet.cell(row=r, column=1).value: r for r in range(2, self.sheet.max_row + 1)
        }

    def cell(self, code: str, header: str):
        return self.sheet.cell(row=self.rows[code], column=self.columns[header])

    def set(self, code: str, **values) -> Sheet:
        for header, value in values.items():
            self.cell(code, header).value = value
        return self

    def value(self, code: str, header: str):
        return self.cell(code, header).value

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

    def csv(self, encoding: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in self.sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
        return out.getvalue().encode(encoding)


def upload(client: Client, content: bytes, name: str = "実施結果.xlsx"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.text)
    assert match, "the preview offers no confirmation"
    return match.group(1)


def upload_error(response) -> str:
    match = re.search(r'id="upload-errors">(.*?)</div>', response.text, re.S)
    assert match, "no file error shown"
    return match.group(1)


def preview_row(response, line: int) -> str:
    match = re.search(rf'<tr class="[^"]*" id="line-{line}">(.*?)</tr>', response.text, re.S)
    assert match, f"line {line} is not in the preview"
    return match.group(1)


def editable_codes(sheet: Sheet, n: int) -> list[str]:
    codes = [
        code for code in sheet.rows if "変更できません" not in str(sheet.value(code, "入力状況"))
    ]
    return codes[:n]
