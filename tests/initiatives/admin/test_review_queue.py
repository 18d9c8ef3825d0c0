"""HQ's review queue (実施結果の確認): order, 前へ / 次へ, 承認 and 差戻し moving on, the
comment rule, the counts, a stale version, and who may open it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import Result, WorkflowEvent
from initiatives.results import services
from tests.initiatives.workflow_helpers import make_staff, open_year, result_of, submitted

pytestmark = pytest.mark.django_db

URL = reverse("admin:initiatives_result_review")


@pytest.fixture
def queue():
    """No.15 and No.1 (デジタル行政戦略課), then No.70 (ゼロカーボンシティ推進課) submitted."""
    hq = make_staff("honbu", hq=True)
    open_year(2024, hq=hq)
    digital = make_staff("sato", "デジタル行政戦略課")
    zero = make_staff("kimura", "ゼロカーボンシティ推進課")
    results = {
        "15": submitted("15", 2024, digital),
        "1": submitted("1", 2024, digital),
        "70": submitted("70", 2024, zero),
    }
    return hq, digital, results


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(page) -> str:
    """The initiative the page shows, as "No.x"."""
    return re.search(r'id="review-heading"[^>]*>実施結果の確認：(No\.[\w-]+) ', page.text)[1]


def walk(client: Client, order: str) -> list[str]:
    """Follow 次へ from the head of the queue to its end."""
    page = client.get(URL, {"order": order})
    seen = [shown(page)]
    while 'id="queue-next"' in page.text:
        assert 'id="queue-previous"' in page.text or len(seen) == 1
        next_url = re.search(r'href="([^"]+)" id="queue-next"', page.text)[1]
        page = client.get(next_url.replace("&amp;", "&"))
        seen.append(shown(page))
    assert 'id="queue-next"' not in page.text  # the last one has no 次へ
    return seen


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("policy", ["No.1", "No.15", "No.70"]),
        ("department", ["No.70", "No.1", "No.15"]),  # ゼロカーボン… before デジタル…
        ("deadline", ["No.15", "No.1", "No.70"]),  # same deadline: submitted first, first
    ],
)
def test_the_queue_walks_the_submitted_results_in_the_chosen_order(queue, order, expected):
    hq, _digital, _results = queue
    assert walk(login(hq), order) == expected


def test_the_first_has_no_previous_and_the_counts_are_shown(queue) -> None:
    hq, _digital, results = queue
    page = login(hq).get(URL)
    assert page.status_code == 200
    assert "<title>実施結果の確認" in page.text and "実施結果の入力" not in page.text
    assert 'id="queue-previous"' not in page.text and 'id="queue-next"' in page.text
    counts = re.sub(r"<[^>]+>", "", page.text.split('id="queue-counts"')[1].split("</p>")[0])
    assert "1件目" in counts and "残り 2件" in counts and "提出済 3件" in counts
    # Side by side: the plan, the submitted text and figures, last year, the reason.
    no1 = results["1"]
    assert "計画どおり実施した" in page.text and 'id="review-figures"' in page.text
    assert 'id="review-plan"' in page.text and 'id="review-previous"' in page.text
    assert no1.consistency_reason in page.text or "review-consistency-reason" not in page.text
    # Keyboard: real buttons and links with access keys, focus on the heading.
    assert 'accesskey="n"' in page.text and 'accesskey="a"' in page.text
    assert re.search(r'<h1 id="review-heading" tabindex="-1" autofocus', page.text)


def test_approving_moves_on_to_the_next_and_counts_down(queue, django_capture_on_commit_callbacks):
    hq, _digital, results = queue
    client = login(hq)
    no1 = results["1"]
    response = client.post(
        URL, {"id": no1.pk, "order": "policy", "_action": "approve", "version": no1.version}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"id={results['15'].pk}")
    page = client.get(response["Location"])
    assert shown(page) == "No.15" and "No.1 を承認しました" in page.text
    counts = re.sub(r"<[^>]+>", "", page.text.split('id="queue-counts"')[1].split("</p>")[0])
    assert "1件目" in counts and "残り 1件" in counts and "提出済 2件" in counts
    assert result_of("1", 2024).state == Result.State.APPROVED


def test_returning_needs_a_comment_then_moves_on(queue) -> None:
    hq, _digital, results = queue
    client = login(hq)
    no70 = results["70"]
    data = {"id": no70.pk, "order": "policy", "_action": "return", "version": no70.version}
    refused = client.post(URL, {**data, "comment": "　"})
    assert refused.status_code == 200
    assert "差戻しの理由（コメント）を入力してください。" in refused.text
    assert result_of("70", 2024).state == Result.State.SUBMITTED
    assert not WorkflowEvent.objects.filter(result=no70, action="return").exists()
    done = client.post(URL, {**data, "comment": "実績値の単位を確認してください"})
    assert done.status_code == 302
    # The last one decided: the walk goes back to the one before it.
    assert done["Location"].endswith(f"id={results['15'].pk}")
    assert result_of("70", 2024).state == Result.State.RETURNED


def test_the_last_decision_leaves_an_empty_queue(queue) -> None:
    hq, _digital, results = queue
    for result in results.values():
        services.approve_result(result=result, user=hq, version=result.version)
    page = login(hq).get(URL)
    assert page.status_code == 200 and 'id="queue-empty"' in page.text
    assert "提出済 0件" in re.sub(r"<[^>]+>", "", page.text)


def test_a_stale_version_gets_the_conflict_message_not_a_crash(queue) -> None:
    hq, _digital, results = queue
    no1 = results["1"]
    other = make_staff("yamada", hq=True)
    services.approve_result(result=no1, user=other, version=no1.version)
    response = login(hq).post(
        URL,
        {
            "id": no1.pk,
            "order": "policy",
            "_action": "return",
            "version": no1.version,
            "comment": "直してください",
        },
    )
    assert response.status_code == 409
    assert "上書きを防ぐため保存していません" in response.text
    assert "直してください" in response.text  # the typed comment is kept
    assert result_of("1", 2024).state == Result.State.APPROVED


def test_an_old_link_to_a_decided_result_goes_to_the_queue(queue) -> None:
    hq, _digital, results = queue
    no1 = results["1"]
    services.approve_result(result=no1, user=hq, version=no1.version)
    response = login(hq).get(URL, {"id": no1.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"id={results['15'].pk}")


def test_department_staff_get_403(queue) -> None:
    _hq, digital, results = queue
    client = login(digital)
    assert client.get(URL).status_code == 403
    no1 = results["1"]
    response = client.post(
        URL, {"id": no1.pk, "_action": "approve", "version": no1.version, "order": "policy"}
    )
    assert response.status_code == 403
    assert result_of("1", 2024).state == Result.State.SUBMITTED


def test_the_list_and_the_overview_link_to_the_queue(queue) -> None:
    hq, digital, _results = queue
    client = login(hq)
    listing = client.get(reverse("admin:initiatives_result_changelist"), {"state__exact": "x"})
    assert 'id="review-queue-link"' in listing.text
    overview = client.get(reverse("admin:initiatives_result_overview"))
    assert 'id="review-queue-link"' in overview.text and "（3件）" in overview.text
    mine = login(digital).get(reverse("admin:initiatives_result_changelist"), {"q": ""})
    assert 'id="review-queue-link"' not in mine.text
