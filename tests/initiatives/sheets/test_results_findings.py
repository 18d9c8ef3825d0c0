"""The results import preview shows each row's 確認事項 (the consistency checks)."""

from __future__ import annotations

import pytest

from tests.initiatives.sheets.results_helpers import Sheet, export, login, preview_row, upload

pytestmark = pytest.mark.django_db


def test_the_preview_shows_the_findings_of_each_row(digital) -> None:
    client = login(digital)
    sheet = Sheet(export(client))
    sheet.set("1", 達成状況="達成", 実施結果="実施した", 指標1実績値="119")
    response = upload(client, sheet.save())
    assert response.status_code == 200
    assert "<th" in response.text and "確認事項</th>" in response.text
    row = preview_row(response, sheet.rows["1"])
    assert "要理由: 「達成」ですが、開発アプリ数の実績 119件 は目標 120件以上" in row

    sheet.set("1", 指標1実績値="125")
    row = preview_row(upload(client, sheet.save()), sheet.rows["1"])
    assert "要理由" not in row and "要修正" not in row
