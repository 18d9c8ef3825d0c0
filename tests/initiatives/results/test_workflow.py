"""The workflow end to end through the admin: periods, submit, return, approve, publish,
corrections, history and notification mails."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from initiatives.models import FiscalYear, PublicCorrection, Result, WorkflowEvent
from initiatives.plan.export import export_plan_document
from initiatives.public.selectors import public_corrections
from initiatives.results import services
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
    return make_user("honbu", hq=True)


@pytest.fixture
def digital():
    return make_user("sato", "デジタル行政戦略課")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit_no1(client: Client, text: str = "開発アプリ数 125件") -> Result:
    no1 = result_of("1", 2024)
    response = client.post(
        change_url(no1),
        entry_data(
            no1, _action="submit", status="achieved", text=text, **{actual_field(no1): "125"}
        ),
    )
    assert response.status_code == 302, response.text
    no1.refresh_from_db()
    return no1


def test_it_refuses_changes_when_no_period_is_open(hq, digital) -> None:
    initiative = result_of("1", 2023).initiative
    no1 = Result.objects.create(
        initiative=initiative, fiscal_year=FiscalYear.objects.get(year=2025)
    )
    page = login(digital).get(change_url(no1))
    assert "入力期間はまだ開始されていません" in page.text
    response = login(digital).post(change_url(no1), entry_data(no1, _action="save", text="入力"))
    assert response.status_code == 403
    no1.refresh_from_db()
    assert (no1.text, no1.state) == ("", Result.State.NOT_STARTED)


def test_it_refuses_changes_after_the_period_is_closed(hq, digital) -> None:
    period = open_year(2024, hq=hq)
    client = login(digital)
    no1 = result_of("1", 2024)
    assert (
        client.post(change_url(no1), entry_data(no1, _action="save", text="下書き")).status_code
        == 302
    )
    login(hq).post(
        reverse("admin:initiatives_evaluationperiod_changelist"),
        {"action": "close_selected", "_selected_action": [period.pk]},
    )
    page = client.get(change_url(no1))
    assert "受付終了" in page.text and "入力期間外のため編集できません" in page.text
    response = client.post(change_url(no1), entry_data(no1, _action="save", text="期限後の変更"))
    assert response.status_code == 403
    no1.refresh_from_db()
    assert no1.text == "下書き"


def test_it_opens_a_period_with_the_missing_results_from_the_admin(hq) -> None:
    response = login(hq).post(
        reverse("admin:initiatives_evaluationperiod_add"),
        {"fiscal_year": FiscalYear.objects.get(year=2024).pk, "deadline": "2025-06-30"},
    )
    assert response.status_code == 302
    no1 = result_of("1", 2024)
    assert no1.state == Result.State.NOT_STARTED


def test_it_makes_a_result_read_only_to_staff_once_submitted(hq, digital) -> None:
    open_year(2024, hq=hq)
    client = login(digital)
    no1 = submit_no1(client)
    assert no1.state == Result.State.SUBMITTED
    page = client.get(change_url(no1))
    assert "提出済です" in page.text
    response = client.post(change_url(no1), entry_data(no1, _action="save", text="提出後の変更"))
    assert response.status_code == 403
    assert "この実施結果は今は編集できません" in response.content.decode()
    assert (
        client.post(change_url(no1), {"_action": "approve", "version": no1.version}).status_code
        == 403
    )
    no1.refresh_from_db()
    assert (no1.text, no1.state) == ("開発アプリ数 125件", Result.State.SUBMITTED)


def test_it_requires_a_comment_to_return_and_mails_the_department(
    hq, digital, django_capture_on_commit_callbacks, settings
) -> None:
    settings.SUBMISSION_DIGEST = "off"  # one mail per submission
    open_year(2024, hq=hq)
    with django_capture_on_commit_callbacks(execute=True):
        no1 = submit_no1(login(digital))
    assert [m.to for m in mail.outbox] == [["honbu@example.com"]]
    assert mail.outbox[0].subject.startswith("【提出】No.1 ")
    mail.outbox.clear()
    reviewer = login(hq)
    response = reviewer.post(
        change_url(no1), {"_action": "return", "version": no1.version, "comment": " "}
    )
    assert response.status_code == 200
    assert "差戻しの理由（コメント）を入力してください。" in response.text
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            change_url(no1),
            {"_action": "return", "version": no1.version, "comment": "内訳を書いてください"},
        )
    assert response.status_code == 302
    no1.refresh_from_db()
    assert no1.state == Result.State.RETURNED
    assert mail.outbox[0].to == ["sato@example.com"]
    assert "内訳を書いてください" in mail.outbox[0].body
    page = login(digital).get(change_url(no1))
    assert "内訳を書いてください" in page.text


def test_it_runs_the_whole_cycle_and_publishes_only_then(hq, digital) -> None:
    open_year(2024, hq=hq)
    department, reviewer = login(digital), login(hq)
    no1 = submit_no1(department, text="開発アプリ数 125件")
    reviewer.post(
        change_url(no1), {"_action": "return", "version": no1.version, "comment": "内訳も"}
    )
    no1.refresh_from_db()
    no1 = submit_no1(department, text="開発アプリ数 125件 (内訳) ・RPA : 100件")
    response = reviewer.post(change_url(no1), {"_action": "approve", "version": no1.version})
    assert response.status_code == 302
    no1.refresh_from_db()
    assert no1.state == Result.State.APPROVED
    assert not no1.is_published and no1.published_text == ""

    response = reviewer.post(reverse("admin:initiatives_result_publish", args=[2024]))
    assert response.status_code == 302
    no1.refresh_from_db()
    assert no1.state == Result.State.PUBLISHED
    assert no1.published_text == "開発アプリ数 125件 (内訳) ・RPA : 100件"
    assert no1.published_status == "achieved"
    assert no1.actuals.get().published_value == 125

    actions = list(no1.events.values_list("action", "from_state", "to_state"))
    assert [a[0] for a in actions] == [
        "save",
        "submit",
        "return",
        "save",
        "submit",
        "approve",
        "publish",
    ]
    assert actions[2][1:] == ("submitted", "returned")
    assert no1.events.get(action="return").actor.username == "honbu"
    assert no1.history.count() >= 7

    history = reviewer.get(reverse("admin:initiatives_result_history", args=[no1.pk]), follow=True)
    assert history.status_code == 200
    assert "提出時と承認時の実施結果の違い" in history.text
    assert '<ins class="wf-ins"> (内訳) ・RPA : 100件</ins>' in history.text
    assert "内訳も" in history.text
    assert "差戻し" in history.text and "公開" in history.text


def test_it_keeps_the_public_copy_during_a_correction_and_lists_it(hq, digital) -> None:
    open_year(2024, hq=hq)
    department, reviewer = login(digital), login(hq)
    no1 = submit_no1(department, text="開発アプリ数 125件")
    services.approve_result(result=no1, user=hq, version=no1.version)
    services.publish_year(fiscal_year=no1.fiscal_year, user=hq)
    no1.refresh_from_db()

    assert department.post(change_url(no1), entry_data(no1, _action="save")).status_code == 403
    response = reviewer.post(
        change_url(no1), {"_action": "reopen", "version": no1.version, "comment": "誤記"}
    )
    assert response.status_code == 302
    no1 = submit_no1(department, text="開発アプリ数 126件")
    no1.refresh_from_db()
    assert no1.published_text == "開発アプリ数 125件"
    assert public_text_of_no1_2024() == "開発アプリ数 125件"
    assert public_corrections(result=no1) == []

    services.approve_result(result=no1, user=hq, version=no1.version)
    no1.refresh_from_db()
    assert no1.published_text == "開発アプリ数 125件"
    reviewer.post(reverse("admin:initiatives_result_publish", args=[2024]))
    no1.refresh_from_db()
    assert no1.published_text == "開発アプリ数 126件"
    assert public_text_of_no1_2024() == "開発アプリ数 126件"
    corrections = public_corrections(result=no1)
    assert [(c.field, c.before, c.after) for c in corrections] == [
        ("実施結果", "開発アプリ数 125件", "開発アプリ数 126件")
    ]
    assert PublicCorrection.objects.count() == 1


def public_text_of_no1_2024() -> str | None:
    """What the public reads: the published edition of the whole plan."""
    document = export_plan_document(published_only=True)
    for policy in document["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                for initiative in direction["initiatives"]:
                    if initiative["code"] == "1":
                        result = initiative["years"]["2024"]["result"]
                        return result and result["text"]
    raise AssertionError("No.1 がありません")


def test_it_does_not_publish_results_not_yet_approved(hq, digital) -> None:
    open_year(2024, hq=hq)
    no1 = submit_no1(login(digital))
    assert public_text_of_no1_2024() is None
    login(hq).post(reverse("admin:initiatives_result_publish", args=[2024]))
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED
    assert not no1.is_published and no1.published_text == ""


def test_it_approves_in_bulk_only_submitted_results(
    hq, digital, django_capture_on_commit_callbacks
) -> None:
    open_year(2024, hq=hq)
    no1 = submit_no1(login(digital))
    no82 = result_of("82", 2024)
    reviewer = login(hq)
    selected = {"action": "approve_selected", "_selected_action": [no1.pk, no82.pk]}
    page = reviewer.post(reverse("admin:initiatives_result_changelist"), selected)
    assert page.status_code == 200 and "1件を承認します" in page.text  # confirmation first
    no1.refresh_from_db()
    assert no1.state == Result.State.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            reverse("admin:initiatives_result_changelist"),
            {**selected, "confirm": "yes", "seen": f"{no1.pk}:{no1.version}"},
        )
    assert response.status_code == 302
    no1.refresh_from_db(), no82.refresh_from_db()
    assert no1.state == Result.State.APPROVED
    assert no82.state == Result.State.NOT_STARTED
    assert WorkflowEvent.objects.filter(result=no1, action="approve", actor=hq).exists()
    assert mail.outbox[-1].to == ["sato@example.com"]


def test_it_shows_hq_the_overview_of_the_open_year(hq, digital) -> None:
    open_year(2024, hq=hq, days=-2)
    no1 = submit_no1(login(digital))
    services.return_result(result=no1, user=hq, version=no1.version, comment="再確認")
    response = login(hq).get(reverse("admin:initiatives_result_overview"))
    assert response.status_code == 200
    assert "令和6年度" in response.text
    assert "締切を2日過ぎています" in response.text
    assert "デジタル行政戦略課" in response.text and "方針1" in response.text
    returned = response.text.split('id="returned"')[1].split("</ul>")[0]
    assert change_url(no1) in returned
    overdue = response.text.split('id="overdue"')[1].split("</ul>")[0]
    assert change_url(result_of("82", 2024)) in overdue


def test_it_links_every_overview_count_to_a_working_filtered_list(hq, digital) -> None:
    open_year(2024, hq=hq)
    submit_no1(login(digital))
    reviewer = login(hq)
    page = reviewer.get(reverse("admin:initiatives_result_overview"), {"year": "2024"}).text
    links = set(re.findall(r'href="(/admin/initiatives/result/\?[^"]+)"', page))
    # 担当課 links filter by the department of that year (reorganisations followed)
    assert any("&department=" in link for link in links)
    assert any("initiative__direction__measure__policy__id__exact" in link for link in links)
    for link in links:
        response = reviewer.get(html.unescape(link))
        assert response.status_code == 200, link
    submitted = html.unescape(
        next(link for link in links if link.endswith("state__exact=submitted"))
    )
    assert "課題解決アプリ" in reviewer.get(submitted).text
