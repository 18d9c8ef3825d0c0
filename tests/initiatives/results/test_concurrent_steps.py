"""Two requests on one result at once: one succeeds, the other gets 409 with its input kept.

The request that loses a race waits for the row lock and then sees a newer version; these
tests post it after the winner, which is what it sees. The threaded test runs the race for
real where the test database allows two connections (PostgreSQL, a file SQLite database);
benchmarks/races.py runs every race hundreds of times through gunicorn on both databases.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from initiatives.models import Result, WorkflowEvent
from initiatives.plan.loader import import_plan
from initiatives.results import services
from initiatives.roles import HQ_GROUP
from tests.conftest import real_plan_document
from tests.initiatives.workflow_helpers import (
    actual_field,
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db

CONFLICT = "上書きを防ぐため保存していません"


@pytest.fixture
def hq():
    return make_user("honbu", hq=True)


@pytest.fixture
def digital(hq):
    open_year(2024, hq=hq)
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted_no1(digital) -> Result:
    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="提出した文", **{actual_field(no1): "125"}
    )
    assert login(digital).post(change_url(no1), data).status_code == 302
    no1.refresh_from_db()
    return no1


def test_a_double_clicked_submit_submits_once_and_answers_409_with_the_text(digital) -> None:
    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="二度押しの文", **{actual_field(no1): "125"}
    )
    client = login(digital)
    first, second = client.post(change_url(no1), data), client.post(change_url(no1), data)
    assert (first.status_code, second.status_code) == (302, 409)
    assert CONFLICT in second.text and "二度押しの文" in second.text
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED
    assert no1.events.filter(action=WorkflowEvent.Action.SUBMIT).count() == 1


def test_approve_against_return_keeps_the_first_and_the_second_comment(hq, digital) -> None:
    no1 = submitted_no1(digital)
    other = make_user("kimura", hq=True)
    seen = {"version": str(no1.version)}
    assert login(hq).post(change_url(no1), {**seen, "_action": "approve"}).status_code == 302
    response = login(other).post(
        change_url(no1), {**seen, "_action": "return", "comment": "内訳を直してください"}
    )
    assert response.status_code == 409
    assert CONFLICT in response.text and "内訳を直してください" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.APPROVED


def test_return_against_approve_answers_409_not_403(hq, digital) -> None:
    no1 = submitted_no1(digital)
    seen = {"version": str(no1.version)}
    returned = login(hq).post(change_url(no1), {**seen, "_action": "return", "comment": "直して"})
    assert returned.status_code == 302
    response = login(make_user("kimura", hq=True)).post(
        change_url(no1), {**seen, "_action": "approve", "comment": "良いです"}
    )
    assert response.status_code == 409 and "良いです" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.RETURNED


def test_a_save_after_a_colleague_submitted_answers_409_and_keeps_the_input(digital) -> None:
    colleague = make_user("yamada", "デジタル行政戦略課")
    no1 = result_of("1", 2024)
    seen = entry_data(no1)
    submitted_no1(digital)
    response = login(colleague).post(
        change_url(no1), {**seen, "_action": "save", "text": "山田が書いた長い文"}
    )
    assert response.status_code == 409
    assert "山田が書いた長い文" in response.text
    # The typed text stays editable (for copying) although the result is now read-only.
    form = response.text.split('id="entry-form"')[1].split("</form>")[0]
    assert "disabled" not in form.split("<fieldset")[1].split(">")[0]


def test_a_double_reopen_reopens_once(hq, digital) -> None:
    no1 = submitted_no1(digital)
    services.approve_result(result=no1, user=hq, version=no1.version)
    services.publish_year(fiscal_year=no1.fiscal_year, user=hq)
    no1.refresh_from_db()
    data = {"version": str(no1.version), "_action": "reopen", "comment": "誤記の訂正"}
    client = login(hq)
    assert [client.post(change_url(no1), data).status_code for _ in range(2)] == [302, 409]
    assert no1.events.filter(action=WorkflowEvent.Action.REOPEN).count() == 1


def test_a_bulk_approve_of_results_changed_meanwhile_is_refused_with_409(hq, digital) -> None:
    no1 = submitted_no1(digital)
    client = login(hq)
    selected = {"action": "approve_selected", "_selected_action": [no1.pk]}
    page = client.post(reverse("admin:initiatives_result_changelist"), selected)
    seen = page.text.split('name="seen" value="')[1].split('"')[0]
    # Another reviewer returns the result between the confirmation and 「確定」.
    services.return_result(result=no1, user=hq, version=no1.version, comment="先に")
    response = client.post(
        reverse("admin:initiatives_result_changelist"), {**selected, "confirm": "yes", "seen": seen}
    )
    assert response.status_code == 409
    assert "何もしていません" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.RETURNED


def test_publishing_refuses_when_the_approved_results_changed_since_confirming(hq, digital) -> None:
    no1 = submitted_no1(digital)
    services.approve_result(result=no1, user=hq, version=no1.version)
    url = reverse("admin:initiatives_result_publish", args=[2024])
    page = login(hq).get(url)
    seen = page.text.split('name="seen" value="')[1].split('"')[0]
    no1.refresh_from_db()
    services.return_result(result=no1, user=hq, version=no1.version, comment="差し戻し")
    response = login(hq).post(url, {"seen": seen})
    assert response.status_code == 409 and "何も公開していません" in response.text
    assert login(hq).post(url, {"seen": "壊れた値"}).status_code == 409
    no1.refresh_from_db()
    assert not no1.is_published


def test_the_sqlite_database_waits_for_writers_instead_of_failing(settings) -> None:
    from kanazawa_plan.settings import env_database

    config = env_database("NO_SUCH_DATABASE_URL", "sqlite:///tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_version_at_once_keep_one_and_refuse_the_other() -> None:
    # An in-memory SQLite database has one connection, which cannot race itself: there the
    # loser's save comes after the winner's commit, which is what the row lock makes of a real
    # race (PostgreSQL and file SQLite run it in two threads; benchmarks/races.py, 100 times).
    threaded = not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    # Transactional tests may start from a database another one flushed (its migrations'
    # data, the HQ group, gone too).
    import_plan(data=real_plan_document())
    Group.objects.get_or_create(name=HQ_GROUP)
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq)
    users = [make_user(name, "デジタル行政戦略課") for name in ("sato", "yamada")]
    no2 = result_of("2", 2024)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user) -> None:
        try:
            result = Result.objects.get(pk=no2.pk)
            if threaded:
                barrier.wait(timeout=10)
            services.save_draft(
                result=result,
                user=user,
                version=no2.version,
                status="achieved",
                text=f"{user.username}の文",
                note="",
                actuals={},
            )
            outcomes[user.username] = "saved"
        except services.StaleResultError:
            outcomes[user.username] = "409"
        finally:
            if threaded:
                close_old_connections()
                connection.close()

    if threaded:
        threads = [threading.Thread(target=save, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for user in users:
            save(user)
    assert sorted(outcomes.values()) == ["409", "saved"]
    no2.refresh_from_db()
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assert no2.text == f"{winner}の文" and no2.version == result_of("2", 2024).version
    assert no2.events.filter(action=WorkflowEvent.Action.SAVE).count() == 1


def test_a_step_that_lost_the_race_after_the_screen_read_the_result_gets_409(
    digital, monkeypatch
) -> None:
    """The winner commits between the loser's read of the result and its permission check."""
    from initiatives.admin.results import ResultAdmin

    no1 = result_of("1", 2024)
    data = entry_data(
        no1, _action="submit", status="achieved", text="負けた側の文", **{actual_field(no1): "3"}
    )
    read = ResultAdmin.get_object

    def read_then_lose(self, request, object_id, from_field=None):
        result = read(self, request, object_id, from_field)
        services.save_and_submit(
            result=result,
            user=digital,
            version=result.version,
            status="achieved",
            text="勝った側の文",
            note="",
            actuals={result.initiative.indicators.get().pk: 125},
        )
        return result  # as read before the winner committed

    monkeypatch.setattr(ResultAdmin, "get_object", read_then_lose)
    response = login(digital).post(change_url(no1), data)
    assert response.status_code == 409
    assert CONFLICT in response.text and "負けた側の文" in response.text
    assert result_of("1", 2024).text == "勝った側の文"
