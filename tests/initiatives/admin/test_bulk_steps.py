"""The results list's bulk steps: a confirmation page that shows what will be approved (and
what is skipped, and why), one transaction on 「確定」, and counts that are right — also
after filtering 提出済 and selecting every row."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Result
from initiatives.results import services
from tests.initiatives.workflow_helpers import make_staff, open_year, result_of, submitted

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:initiatives_result_changelist")


@pytest.fixture
def people():
    hq = make_staff("honbu", hq=True)
    period = open_year(2024, hq=hq)
    digital = make_staff("sato", "デジタル行政戦略課")
    zero = make_staff("kimura", "ゼロカーボンシティ推進課")
    return hq, digital, zero, period


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def confirm_fields(page) -> dict:
    """The hidden fields of the confirmation page's form, as the browser sends them back."""
    form = page.text.split('<input type="hidden" name="confirm"')[0].rsplit("<form", 1)[1]
    fields: dict = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form):
        if name == "csrfmiddlewaretoken":
            continue
        fields.setdefault(name, []).append(value)
    return {**fields, "confirm": "yes"}


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_confirmation_lists_each_result_and_what_is_skipped(people) -> None:
    hq, digital, _zero, _period = people
    no1 = submitted("1", 2024, digital, text="アプリを125件開発した")
    no82 = result_of("82", 2024)  # 未入力: skipped
    page = login(hq).post(
        LIST_URL, {"action": "approve_selected", "_selected_action": [no1.pk, no82.pk]}
    )
    assert page.status_code == 200
    rows = page.text.split('id="bulk-rows"')[1].split("</table>")[0]
    assert "No.1" in rows and no1.initiative.name in rows and "デジタル行政戦略課" in rows
    assert "提出済" in rows and "アプリを125件開発した" in rows and "達成" in rows
    assert "No.82" in rows and "未入力のため対象外" in rows
    summary = re.sub(r"<[^>]+>", "", page.text.split('id="bulk-summary"')[1].split("</p>")[0])
    assert "選んだ 2件のうち、1件を承認します" in summary and "1件は対象外" in summary
    assert result_of("1", 2024).state == Result.State.SUBMITTED  # nothing applied yet


def test_the_findings_and_reason_are_on_the_confirmation(people) -> None:
    hq, digital, _zero, _period = people
    no1 = result_of("1", 2024)
    indicator = no1.initiative.indicators.order_by("order").first()
    services.save_and_submit(
        result=no1,
        user=digital,
        version=no1.version,
        status="achieved",
        text="実施した",
        note="",
        actuals={indicator.pk: 119},
        consistency_reason="1件は翌年度へ移った",
    )
    page = login(hq).post(LIST_URL, {"action": "approve_selected", "_selected_action": [no1.pk]})
    assert "目標 120件以上 に届いていません" in page.text
    assert "1件は翌年度へ移った" in page.text and "1件に確認事項" in page.text


def test_filtered_select_all_counts_are_right(people) -> None:
    hq, digital, zero, period = people
    for code, user in [("1", digital), ("15", digital), ("70", zero)]:
        submitted(code, 2024, user)
    client = login(hq)
    query = f"?fiscal_year__id__exact={period.fiscal_year_id}&state__exact=submitted"
    action = {"action": "approve_selected", "select_across": "1", "_selected_action": ["0"]}
    page = client.post(LIST_URL + query, action)
    assert page.status_code == 200
    summary = re.sub(r"<[^>]+>", "", page.text.split('id="bulk-summary"')[1].split("</p>")[0])
    assert "選んだ 3件のうち、3件を承認します" in summary and "対象外" not in summary
    done = client.post(LIST_URL + query, confirm_fields(page))
    assert done.status_code == 302 and done["Location"].endswith(query)
    messages = texts(done)
    assert messages == ["3件を承認しました。"]
    assert not any("-" in m for m in messages)
    assert Result.objects.filter(state=Result.State.APPROVED).count() == 3
    # The filtered list is now empty; the page says so without a negative count.
    listing = client.get(LIST_URL + query)
    assert listing.status_code == 200 and "3件を承認しました。" in listing.text


def test_select_all_with_skips_counts_each_kind(people) -> None:
    hq, digital, _zero, period = people
    submitted("1", 2024, digital)
    no15 = submitted("15", 2024, digital)
    services.approve_result(result=no15, user=hq, version=no15.version)
    client = login(hq)
    query = f"?fiscal_year__id__exact={period.fiscal_year_id}"
    page = client.post(
        LIST_URL + query,
        {"action": "approve_selected", "select_across": "1", "_selected_action": ["0"]},
    )
    total = Result.objects.filter(fiscal_year=period.fiscal_year).count()
    assert f"選んだ {total}件のうち、1件を承認します" in re.sub(r"<[^>]+>", "", page.text)
    done = client.post(LIST_URL + query, confirm_fields(page))
    messages = texts(done)
    assert messages[0] == "1件を承認しました。"
    assert messages[1].startswith(f"{total - 1}件は何もしていません（")
    assert "承認済のため対象外 1件" in messages[1]


def test_a_change_after_the_confirmation_applies_nothing(people) -> None:
    hq, digital, _zero, _period = people
    no1 = submitted("1", 2024, digital)
    no15 = submitted("15", 2024, digital)
    client = login(hq)
    page = client.post(
        LIST_URL, {"action": "approve_selected", "_selected_action": [no1.pk, no15.pk]}
    )
    other = make_staff("yamada", hq=True)
    services.return_result(result=no15, user=other, version=no15.version, comment="先に確認")
    response = client.post(LIST_URL, confirm_fields(page))
    assert response.status_code == 409
    assert "何もしていません" in response.text
    assert result_of("1", 2024).state == Result.State.SUBMITTED  # one transaction: none
    assert result_of("15", 2024).state == Result.State.RETURNED


def test_bulk_submit_confirms_and_reports_refused_rows(people) -> None:
    _hq, digital, _zero, _period = people
    no1, no8 = result_of("1", 2024), result_of("8", 2024)
    services.save_draft(
        result=no8, user=digital, version=no8.version, status="", text="途中", note="", actuals={}
    )
    services.save_draft(
        result=no1, user=digital, version=no1.version, status="", text="", note="", actuals={}
    )
    client = login(digital)
    page = client.post(LIST_URL, {"action": "submit_selected", "_selected_action": [no8.pk]})
    assert page.status_code == 200 and "1件を提出します" in page.text
    done = client.post(LIST_URL, confirm_fields(page))
    assert done.status_code == 302
    messages = texts(done)
    assert len(messages) == 1 and messages[0].startswith("提出できませんでした — No.8:")
    assert result_of("8", 2024).state == Result.State.DRAFT


def test_department_staff_cannot_bulk_approve(people) -> None:
    _hq, digital, _zero, _period = people
    no1 = submitted("1", 2024, digital)
    response = login(digital).post(
        LIST_URL, {"action": "approve_selected", "_selected_action": [no1.pk], "confirm": "yes"}
    )
    assert response.status_code in (200, 302)
    assert result_of("1", 2024).state == Result.State.SUBMITTED


def test_the_confirmation_page_reads_every_row_in_a_fixed_number_of_queries(people) -> None:
    hq, digital, _zero, period = people
    no1 = submitted("1", 2024, digital)
    client = login(hq)
    query = f"?fiscal_year__id__exact={period.fiscal_year_id}"

    def queries(data: dict) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.post(LIST_URL + query, data)
        assert page.status_code == 200
        return len(captured)

    one = queries({"action": "approve_selected", "_selected_action": [no1.pk]})
    every = queries({"action": "approve_selected", "select_across": "1", "_selected_action": ["0"]})
    assert Result.objects.filter(fiscal_year=period.fiscal_year).count() > 100
    assert every - one <= 2, (one, every)  # never a query per row
