"""Bounded text: the limits of 実施結果, 確定時期 and comments on the screens, in the workbook
import and in the services, and the history's text difference bounded in work."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from initiatives.models import Result, WorkflowEvent
from initiatives.results import services
from initiatives.results.textdiff import MAX_WORK, TOO_LARGE, text_diff
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
def hq():
    user = make_user("honbu", hq=True)
    open_year(2024, hq=user)
    return user


@pytest.fixture
def digital(hq):
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_entry_screen_refuses_a_longer_result_and_keeps_every_character(digital) -> None:
    no1 = result_of("1", 2024)
    typed = "長" * 400 + "超えた部分"
    response = login(digital).post(change_url(no1), entry_data(no1, _action="save", text=typed))
    assert response.status_code == 200
    assert "実施結果は400字以内で入力してください（いま405字です）" in response.text
    assert typed in response.text  # nothing cut off
    assert result_of("1", 2024).text == ""


def test_a_line_break_counts_as_one_character_as_the_screen_shows_it(digital) -> None:
    no1 = result_of("1", 2024)
    typed = "\r\n".join(["行" * 39] * 10)  # 390 characters and 9 line breaks
    response = login(digital).post(change_url(no1), entry_data(no1, _action="save", text=typed))
    assert response.status_code == 302


def test_the_limits_are_settings(digital, settings) -> None:
    settings.RESULT_TEXT_MAX_CHARS = 10
    settings.NOTE_MAX_CHARS = 5
    no2 = result_of("2", 2024)
    data = entry_data(
        no2, _action="save", status="undetermined", text="十一文字の実施結果です", note="令和7年9月"
    )
    response = login(digital).post(change_url(no2), data)
    assert "実施結果は10字以内" in response.text and "確定時期は5字以内" in response.text
    assert "（10字まで）" in response.text


def test_control_characters_are_refused_with_the_text_kept(digital) -> None:
    no1 = result_of("1", 2024)
    response = login(digital).post(
        change_url(no1), entry_data(no1, _action="save", text="貼り付け\x0bた文")
    )
    assert response.status_code == 200
    assert "表示できない制御文字が含まれています" in response.text


def test_hq_comments_are_bounded_and_kept_when_refused(hq, digital) -> None:
    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="提出", **{actual_field(no1): "125"}
    )
    assert login(digital).post(change_url(no1), data).status_code == 302
    no1.refresh_from_db()
    comment = "直してください。" * 200
    response = login(hq).post(
        change_url(no1), {"version": no1.version, "_action": "return", "comment": comment}
    )
    assert response.status_code == 200
    assert "コメントは1,000字以内" in response.text and comment in response.text
    assert result_of("1", 2024).state == Result.State.SUBMITTED


def test_the_services_refuse_too_long_texts_whoever_calls_them(hq, digital) -> None:
    no1 = result_of("1", 2024)
    with pytest.raises(ValidationError) as error:
        services.save_draft(
            result=no1,
            user=digital,
            version=no1.version,
            status="achieved",
            text="x" * 401,
            note="y" * 101,
            actuals={},
        )
    assert set(error.value.error_dict) == {"text", "note"}
    indicator = no1.initiative.indicators.get()
    no1 = services.save_and_submit(
        result=result_of("1", 2024),
        user=digital,
        version=no1.version,
        status="achieved",
        text="提出",
        note="",
        actuals={indicator.pk: 125},
    )
    with pytest.raises(ValidationError, match="コメントは1,000字以内"):
        services.return_result(result=no1, user=hq, version=no1.version, comment="z" * 1001)


def test_the_workbook_import_refuses_a_too_long_result(digital, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(digital)
    exported = client.get(reverse("admin:initiatives_result_sheet_export") + "?year=2024")
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = workbook["実施結果"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "2")
    sheet.cell(row, columns["達成状況"]).value = "達成"
    sheet.cell(row, columns["実施結果"]).value = "字" * 401
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        reverse("admin:initiatives_result_sheet_import"),
        {"file": SimpleUploadedFile("実施結果.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 200
    assert "実施結果は400字以内で入力してください（いま401字です）" in response.text
    assert 'name="token"' not in response.text  # nothing can be confirmed
    assert result_of("2", 2024).text == ""


def _rebuilt(diff) -> tuple[str, str]:
    before = "".join(text for kind, text in diff.pieces if kind != "insert")
    after = "".join(text for kind, text in diff.pieces if kind != "delete")
    return before, after


def test_the_text_difference_is_exact_and_minimal_on_small_texts() -> None:
    rng = random.Random(7)
    for _ in range(500):
        a = "".join(rng.choice("あいう") for _ in range(rng.randint(0, 25)))
        b = "".join(rng.choice("あいう") for _ in range(rng.randint(0, 25)))
        diff = text_diff(a, b)
        assert not diff.too_large and _rebuilt(diff) == (a, b)
    diff = text_diff("開発アプリ数 125件", "開発アプリ数 130件（内訳）")
    assert diff.pieces == [
        ("equal", "開発アプリ数 1"),
        ("delete", "25"),
        ("insert", "30"),
        ("equal", "件"),
        ("insert", "（内訳）"),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a" * 400, "ab" * 200),  # cubic for difflib's SequenceMatcher
        ("x" * 30_000, "y" * 30_000),
        ("あい" * 15_000, "いあ" * 15_000),
        ("".join(random.Random(1).choice("abc") for _ in range(20_000)), "abc" * 7_000),
    ],
)
def test_the_text_difference_gives_up_within_its_budget(before, after) -> None:
    diff = text_diff(before, after)
    # One round past the budget at most: a round costs about 3·d steps plus its snakes.
    assert diff.work <= MAX_WORK + 3 * (len(before) + len(after)) + len(before)
    if diff.too_large:
        assert diff.pieces == [] and diff.too_large_message == TOO_LARGE
    else:
        assert _rebuilt(diff) == (before, after)


def test_the_history_page_shows_long_texts_whole_when_the_difference_is_too_large(
    hq, digital
) -> None:
    no1 = result_of("1", 2024)
    long_submitted, long_approved = "提" * 30_000, "承" * 30_000  # older data, past any limit
    for action, text in (("submit", long_submitted), ("approve", long_approved)):
        WorkflowEvent.objects.create(
            result=no1, action=action, from_state="draft", to_state="draft", text=text, actor=hq
        )
    url = reverse("admin:initiatives_result_initiative_history", args=[no1.initiative_id])
    response = login(hq).get(url)
    assert response.status_code == 200
    assert TOO_LARGE in response.text
    assert long_submitted in response.text and long_approved in response.text
