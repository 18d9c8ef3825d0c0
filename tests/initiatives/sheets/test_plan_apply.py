"""HQ's plan workbook: who may export, import and confirm, and a confirmed import that
is applied as a whole or not at all."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.urls import reverse

from initiatives.models import Initiative, InitiativeDepartment, PlanRevision, Result, YearPlan
from initiatives.sheets.plan_workbook import (
    INITIATIVE_SHEET,
    RevisionSpec,
    apply_plan_import,
    preview_plan_import,
)
from tests.initiatives.sheets.plan_helpers import (
    CONFIRM_URL,
    DIRECTION_1_1_1,
    EXPORT_URL,
    IMPORT_URL,
    append_row,
    changed_rows,
    confirm,
    edited,
    exported,
    plan_text,
    saved,
    set_cell,
    snapshot,
    upload,
    workbook,
)
from tests.initiatives.workflow_helpers import make_user, open_year

pytestmark = pytest.mark.django_db


# --- who may export, import and confirm ---------------------------------------------------


def test_it_lets_hq_export_but_not_import(client) -> None:
    hq = make_user("honbu", hq=True)
    client.force_login(hq)
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    listing = client.get(reverse("admin:initiatives_initiative_changelist"))
    assert reverse(EXPORT_URL) in listing.text
    assert reverse(IMPORT_URL) not in listing.text
    before = snapshot()
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    content = exported(client)
    book = workbook(content)
    set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え")
    assert upload(client, saved(book)).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "x"}).status_code == 403
    assert snapshot() == before


def test_it_refuses_both_to_department_staff(client, planner) -> None:
    content = exported(planner)
    client.force_login(make_user("tax", "税務課"))
    assert client.get(reverse(EXPORT_URL)).status_code == 403
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, content).status_code == 403


def test_it_sends_anonymous_users_to_the_login(client) -> None:
    for name in (EXPORT_URL, IMPORT_URL):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_it_does_not_apply_a_preview_of_another_user(client, planner) -> None:
    book = workbook(exported(planner))
    set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え")
    response = upload(planner, saved(book))
    token = response.context["pending"]["token"]
    other = get_user_model().objects.create_superuser("other", "", "pw-for-tests-123")
    client.force_login(other)
    before = snapshot()
    refused = client.post(reverse(CONFIRM_URL), {"token": token})
    assert refused.status_code == 302
    assert snapshot() == before


# --- all or nothing -----------------------------------------------------------------------


def test_it_applies_nothing_when_the_plan_changed_after_the_preview(planner) -> None:
    content = edited(
        planner,
        lambda book: set_cell(book[INITIATIVE_SHEET], "1", "実施計画 令和7年度", "書き換え"),
    )
    response = upload(planner, content)
    in_file = plan_text("2", 2025)
    YearPlan.objects.filter(initiative__code="2", fiscal_year__year=2025).update(
        text="別の人の変更"
    )
    before = snapshot()
    again = confirm(planner, response)
    assert again.status_code == 200
    assert "プレビューの後に、プランのデータが変わりました" in again.text
    assert snapshot() == before
    # The new preview shows that the file would undo the other change; confirmed, it does.
    assert set(changed_rows(again)) == {(INITIATIVE_SHEET, "1"), (INITIATIVE_SHEET, "2")}
    assert confirm(planner, again).status_code == 302
    assert plan_text("1", 2025) == "書き換え"
    assert plan_text("2", 2025) == in_file


def fail_on_call(monkeypatch, owner, name: str, n: int) -> list:
    """Make the n-th call of owner.name raise a database error; returns the calls made."""
    calls = []
    real = getattr(owner, name)

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise DatabaseError(f"{name} の{n}回目で失敗（テスト）")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


@pytest.mark.parametrize(
    ("failing", "name", "n"),
    [
        # The new initiative, after the three changed ones were written.
        (Initiative.objects, "bulk_create", 1),
        # The yearly plans, after the initiatives and their departments were written.
        (YearPlan.objects, "bulk_create", 1),
        # The initiatives' history, after every row and the revision's entry were written.
        (LogEntry.objects, "bulk_create", 1),
    ],
)
def test_it_writes_nothing_when_a_later_row_fails_while_applying(
    planner, monkeypatch, failing, name, n
) -> None:
    open_year(2025, hq=planner.user)
    book = workbook(exported(planner))
    sheet = book[INITIATIVE_SHEET]
    set_cell(sheet, "1", "実施計画 令和7年度", "1行目の書き換え")
    set_cell(sheet, "2", "担当課", "人事課")
    set_cell(sheet, "3", "実施計画 令和7年度", "3行目の書き換え")
    append_row(
        sheet,
        {
            "取組No.": "R7-1",
            "取組事項名": "新しい取組",
            "取組の方向性": DIRECTION_1_1_1,
            "担当課": "人事課",
            "実施計画 令和7年度": "試行",
        },
    )
    content = saved(book)
    preview = preview_plan_import(content)
    assert preview.can_apply and preview.summary[INITIATIVE_SHEET]["変更"] == 3
    before = snapshot()
    counts = [
        m.objects.count()
        for m in (Initiative, InitiativeDepartment, YearPlan, PlanRevision, LogEntry, Result)
    ]

    calls = fail_on_call(monkeypatch, failing, name, n)
    with pytest.raises(DatabaseError):
        apply_plan_import(
            content=content,
            filename="plan.xlsx",
            user=planner.user,
            revision=RevisionSpec(
                code="R7", label="令和7年4月 改訂版", date=datetime.date(2025, 4, 1)
            ),
            fingerprint=preview.fingerprint,
        )
    assert len(calls) == n  # earlier rows were written before the failure …
    monkeypatch.undo()
    # … and rolled back with it: no initiative, plan text, revision or history entry.
    assert snapshot() == before
    assert [
        m.objects.count()
        for m in (Initiative, InitiativeDepartment, YearPlan, PlanRevision, LogEntry, Result)
    ] == counts
    assert not PlanRevision.objects.filter(code="R7").exists()
