"""The entry screen: what it shows, how it reads numbers, its rules and optimistic locking."""

from __future__ import annotations

import pytest
from django.test import Client

from initiatives.models import Result
from tests.initiatives.workflow_helpers import (
    actual_field,
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def digital():
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq, days=10)
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_plan_the_previous_result_the_target_and_the_deadline(digital) -> None:
    no1 = result_of("1", 2024)
    previous = result_of("1", 2023)
    page = login(digital).get(change_url(no1))
    assert page.status_code == 200
    text = page.text
    assert "令和6年度 実施結果の入力期間" in text and "締切まであと10日" in text
    assert no1.initiative.year_plans.get(fiscal_year__year=2024).text in text
    assert previous.published_text[:20] in text
    target = no1.initiative.indicators.get().targets.get(fiscal_year__year=2024).value
    assert f"{target.normalize():f}" in text
    assert "必須" in text
    assert 'name="version"' in text and "達成" in text and "未確定" in text


@pytest.mark.parametrize(
    ("typed", "stored"), [("１２５", 125), ("1,234", 1234), ("１，２３４．５", 1234.5)]
)
def test_it_reads_full_width_digits_and_thousands_separators(digital, typed, stored) -> None:
    no1 = result_of("1", 2024)
    response = login(digital).post(
        change_url(no1), entry_data(no1, _action="save", **{actual_field(no1): typed})
    )
    assert response.status_code == 302
    assert float(no1.actuals.get().value) == stored


def test_it_rejects_text_as_an_actual_value_next_to_the_field(digital) -> None:
    no1 = result_of("1", 2024)
    field = actual_field(no1)
    response = login(digital).post(
        change_url(no1), entry_data(no1, _action="save", text="入力した文", **{field: "約120件"})
    )
    assert response.status_code == 200
    assert "数値で入力してください" in response.text
    assert 'value="約120件"' in response.text and "入力した文" in response.text
    no1.refresh_from_db()
    assert (no1.text, no1.state, no1.actuals.count()) == ("", Result.State.NOT_STARTED, 0)


def test_it_requires_the_actual_value_when_the_year_has_a_target(digital) -> None:
    no1 = result_of("1", 2024)
    response = login(digital).post(
        change_url(no1), entry_data(no1, _action="submit", status="achieved", text="実施した")
    )
    assert response.status_code == 200
    assert "この年度は目標値があるので、実績値を入力してください。" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.NOT_STARTED and no1.text == ""


def test_it_requires_status_and_text_to_submit(digital) -> None:
    no70 = result_of("2", 2024)
    response = login(digital).post(change_url(no70), entry_data(no70, _action="submit"))
    assert response.status_code == 200
    assert "達成状況（達成・未達成・未確定）を選んでください。" in response.text
    assert "実施結果を入力してください。" in response.text


def test_it_requires_a_note_when_undetermined(digital) -> None:
    no2 = result_of("2", 2024)
    client = login(digital)
    data = entry_data(no2, _action="save", status="undetermined", text="集計中")
    response = client.post(change_url(no2), data)
    assert response.status_code == 200
    assert "未確定のときは、いつ確定するか（確定時期）を入力してください。" in response.text
    no2.refresh_from_db()
    assert no2.status == ""
    data["note"] = "令和7年9月の決算で確定"
    assert client.post(change_url(no2), data).status_code == 302
    no2.refresh_from_db()
    assert (no2.status, no2.note) == ("undetermined", "令和7年9月の決算で確定")


def test_it_refuses_a_stale_save_and_keeps_the_input(digital) -> None:
    colleague = make_user("yamada", "デジタル行政戦略課")
    no2 = result_of("2", 2024)
    first, second = login(digital), login(colleague)
    seen_by_second = entry_data(no2)
    assert (
        first.post(change_url(no2), entry_data(no2, _action="save", text="佐藤の文")).status_code
        == 302
    )
    response = second.post(
        change_url(no2), {**seen_by_second, "_action": "save", "text": "山田の文"}
    )
    assert response.status_code == 409
    assert "あなたが画面を開いた後に sato さんが更新しました" in response.text
    assert "山田の文" in response.text
    latest = response.text.split('id="latest-version"')[1].split("</div>")[0]
    assert "佐藤の文" in latest
    no2.refresh_from_db()
    assert no2.text == "佐藤の文"
    assert no2.version == int(seen_by_second["version"]) + 1


def test_it_refuses_a_stale_review(digital) -> None:
    hq = make_user("kimura", hq=True)
    no1 = result_of("1", 2024)
    client = login(digital)
    client.post(
        change_url(no1),
        entry_data(
            no1, _action="submit", status="achieved", text="文", **{actual_field(no1): "130"}
        ),
    )
    no1.refresh_from_db()
    response = login(hq).post(change_url(no1), {"_action": "approve", "version": no1.version - 1})
    assert response.status_code == 409
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED


def test_it_points_department_staff_to_the_open_year_and_its_workbook(digital) -> None:
    html = login(digital).get("/admin/").content.decode()
    assert "令和6年度：提出期限" in html
    assert "/admin/initiatives/result/spreadsheet/export/?year=2024" in html
    assert "/admin/initiatives/result/spreadsheet/import/" in html
