"""The consistency checks on the admin screens: the department's entry screen (warning box,
reason field, refused and accepted submit), HQ's list flag and filter, the review screen and
the confirmation before bulk approval."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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

MISSED = "「達成」ですが、開発アプリ数の実績 119件 は目標 120件以上 に届いていません。"
REASON = "年度末に1件が翌年度へ移ったが、計画の内容はすべて実施したため"
LIST_URL = reverse("admin:initiatives_result_changelist")


@pytest.fixture
def people():
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq, days=10)
    return hq, make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, result: Result, action: str, **fields):
    data = entry_data(
        result, _action=action, status="achieved", text="実施した", **{actual_field(result): "119"}
    )
    data.update(fields)
    return client.post(change_url(result), data)


def test_the_entry_screen_shows_the_finding_after_saving(people) -> None:
    _hq, sato = people
    client = login(sato)
    no1 = result_of("1", 2024)
    assert _post(client, no1, "save").status_code == 302
    page = client.get(change_url(no1)).text
    assert "確認事項（達成状況と実績値の照合）" in page and MISSED in page
    assert "<legend" in page
    assert 'aria-describedby="consistency-findings id_consistency_reason_helptext"' in page
    assert 'id="consistency-findings"' in page


def test_submit_is_refused_without_a_reason_and_shows_the_typed_values_findings(people) -> None:
    _hq, sato = people
    no1 = result_of("1", 2024)
    response = _post(login(sato), no1, "submit")
    assert response.status_code == 200
    assert MISSED in response.text
    assert "理由を一行で入力してください" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.NOT_STARTED  # nothing saved


def test_submit_with_a_reason_is_accepted_and_kept_in_the_history(people) -> None:
    _hq, sato = people
    client = login(sato)
    no1 = result_of("1", 2024)
    response = _post(client, no1, "submit", consistency_reason=REASON)
    assert response.status_code == 302
    no1.refresh_from_db()
    assert (no1.state, no1.consistency_reason) == (Result.State.SUBMITTED, REASON)
    assert no1.history.filter(consistency_reason=REASON).exists()
    history = client.get(
        reverse("admin:initiatives_result_initiative_history", args=[no1.initiative_id])
    )
    assert REASON in history.text


def test_hq_sees_the_flag_filters_it_and_reads_it_on_the_review_screen(people) -> None:
    hq, sato = people
    no1 = result_of("1", 2024)
    _post(login(sato), no1, "submit", consistency_reason=REASON)
    client = login(hq)
    listing = client.get(LIST_URL, {"fiscal_year__id__exact": no1.fiscal_year_id})
    assert "要確認（1件）" in listing.text and MISSED in listing.text and REASON in listing.text
    flagged = client.get(
        LIST_URL, {"fiscal_year__id__exact": no1.fiscal_year_id, "needs_check": "yes"}
    )
    assert list(flagged.context["cl"].result_list) == [no1]
    clean = client.get(
        LIST_URL, {"fiscal_year__id__exact": no1.fiscal_year_id, "needs_check": "no"}
    )
    assert no1 not in list(clean.context["cl"].result_list)
    review = client.get(change_url(no1)).text
    assert 'id="review-findings"' in review and MISSED in review
    assert f"担当課の理由：</strong>{REASON}" in review


def test_the_list_reads_findings_without_a_query_per_row(people) -> None:
    hq, _sato = people
    client = login(hq)
    no1 = result_of("1", 2023)
    query = {"fiscal_year__id__exact": no1.fiscal_year_id}
    single = {**query, "q": no1.initiative.name}
    client.get(LIST_URL, single)  # warm the caches
    with CaptureQueriesContext(connection) as one:
        few = client.get(LIST_URL, single)
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST_URL, query)
    assert len(few.context["cl"].result_list) < 5
    assert len(page.context["cl"].result_list) > 20
    assert len(many) - len(one) <= 3  # a prefetch may add a query, never one per row


def test_bulk_approval_asks_for_confirmation_when_a_selected_result_is_flagged(people) -> None:
    hq, sato = people
    no1 = result_of("1", 2024)
    _post(login(sato), no1, "submit", consistency_reason=REASON)
    client = login(hq)
    action = {"action": "approve_selected", "_selected_action": [no1.pk]}
    page = client.post(LIST_URL, action)
    assert page.status_code == 200
    assert "承認の確認" in page.text and "1件に確認事項" in page.text
    assert MISSED in page.text and REASON in page.text
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED  # not approved yet
    done = client.post(LIST_URL, {**action, "confirm": "yes", "seen": f"{no1.pk}:{no1.version}"})
    assert done.status_code == 302
    no1.refresh_from_db()
    assert no1.state == Result.State.APPROVED
