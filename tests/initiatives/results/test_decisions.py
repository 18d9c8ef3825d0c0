"""未確定 follow-up end to end: the 確定予定月, the reminder when it comes, the decision
through the workflow, the public 「未確定 → 達成（令和N年M月確定）」 and the statistics."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from initiatives.models import FiscalYear, PublicCorrection, Result
from initiatives.public.selectors import achievement_tallies
from initiatives.results import services
from initiatives.results.decisions import decision_month_of, send_decision_reminders, wareki_month
from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("note", "month"),
    [
        ("令和7年9月の決算で確定", datetime.date(2025, 9, 1)),
        ("Ｒ７年１０月頃", datetime.date(2025, 10, 1)),
        ("令和元年5月", datetime.date(2019, 5, 1)),
        ("2026年3月末", datetime.date(2026, 3, 1)),
        ("決算の確定後", None),
        ("令和7年13月", None),
    ],
)
def test_it_reads_the_expected_month_from_the_decision_note(note, month) -> None:
    assert decision_month_of(note) == month


def _enter(result: Result, user, *, status: str, note: str = "") -> Result:
    indicator = result.initiative.indicators.get()
    saved = services.save_draft(
        result=result,
        user=user,
        version=result.version,
        status=status,
        text="実施した",
        note=note,
        actuals={indicator.pk: Decimal(125)},
    )
    return services.submit_result(result=saved, user=user, version=saved.version)


def _approve_and_publish(result: Result, hq) -> None:
    result.refresh_from_db()
    services.approve_result(result=result, user=hq, version=result.version)
    services.publish_year(fiscal_year=result.fiscal_year, user=hq)


def _achieved_2024() -> int:
    (year,) = [t for t in achievement_tallies(plan=_plan()) if t.fiscal_year.year == 2024]
    return sum(c.count for t in year.policies for c in t.counts if c.status == "achieved")


def _plan():
    return FiscalYear.objects.get(year=2024).results.first().initiative.plan


def test_an_undetermined_result_is_reminded_decided_and_shown_as_decided() -> None:
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq)
    sato = make_user("sato", "デジタル行政戦略課")
    no1 = _enter(result_of("1", 2024), sato, status="undetermined", note="令和7年9月の決算で確定")
    assert no1.expected_decision_month == datetime.date(2025, 9, 1)
    _approve_and_publish(no1, hq)
    achieved_before = _achieved_2024()

    # The reminder: on the 1st of a month from the expected month on, not before.
    mail.outbox.clear()
    assert send_decision_reminders(today=datetime.date(2025, 8, 1)) == []
    assert send_decision_reminders(today=datetime.date(2025, 9, 2)) == []
    with TestCase.captureOnCommitCallbacks(execute=True):  # mails leave once queued and committed
        sent = send_decision_reminders(today=datetime.date(2025, 9, 1))
    assert sent == ["デジタル行政戦略課"]
    (message,) = mail.outbox
    assert message.to == ["sato@example.com"]
    assert "確定予定の月を迎えました" in message.body and "No.1" in message.body
    out = StringIO()
    call_command("send_deadline_reminders", "--today", "2025-10-01", stdout=out)
    assert "確定時期のお知らせを送った担当課（1）: デジタル行政戦略課" in out.getvalue()

    # The decision: HQ reopens, the department enters the final status, HQ approves.
    no1.refresh_from_db()
    services.reopen_result(result=no1, user=hq, version=no1.version, comment="確定のため")
    no1.refresh_from_db()
    assert send_decision_reminders(today=datetime.date(2025, 10, 1)) == []  # in hand
    no1 = _enter(no1, sato, status="achieved")
    assert no1.expected_decision_month is None
    _approve_and_publish(no1, hq)

    correction = PublicCorrection.objects.get(result=no1, field="達成状況")
    assert (correction.before, correction.after) == ("未確定", "達成")
    assert _achieved_2024() == achieved_before + 1
    assert send_decision_reminders(today=datetime.date(2025, 11, 1)) == []
    page = Client().get(reverse("public:initiative_detail", args=["1"])).text
    when = wareki_month(timezone.localdate())
    assert "未確定 → " in page and f"（{when}確定）" in page
    assert "訂正" in page


def test_the_public_page_shows_the_citys_reason_beside_an_inconsistent_status() -> None:
    page = Client().get(reverse("public:initiative_detail", args=["9"])).text
    assert "市の判断：めざす姿は「おおむね100%」" in page
    assert "電子決裁率の実績 99.45% は目標 100%以上 に届いていません" in page
    other = Client().get(reverse("public:initiative_detail", args=["1"])).text
    assert "市の判断" not in other


def test_the_achievement_table_marks_a_status_with_a_reason() -> None:
    page = Client().get(reverse("public:initiative_list")).text
    assert page.count('class="status-note"') == 1
    assert "注あり（市の判断: めざす姿は「おおむね100%」" in page
    assert 'href="/initiatives/9/#year-2023"' in page or "/9/#year-2023" in page


def test_the_department_itself_reports_the_decision_of_a_published_undetermined_result() -> None:
    hq = make_user("honbu", hq=True)
    open_year(2024, hq=hq)
    sato = make_user("sato", "デジタル行政戦略課")
    no1 = _enter(result_of("1", 2024), sato, status="undetermined", note="令和7年9月の決算で確定")
    _approve_and_publish(no1, hq)
    no1.refresh_from_db()
    department = Client()
    department.force_login(sato)
    url = reverse("admin:initiatives_result_change", args=[no1.pk])
    page = department.get(url)
    assert 'id="report-decision-form"' in page.text and "確定結果を報告する" in page.text
    # HQ may not take the department's step; the button is the department's.
    reviewer = Client()
    reviewer.force_login(hq)
    assert 'id="report-decision-form"' not in reviewer.get(url).text
    data = {"_action": "report_decision", "version": no1.version}
    assert reviewer.post(url, data).status_code == 403
    response = department.post(url, data)
    assert response.status_code == 302
    no1.refresh_from_db()
    assert no1.state == Result.State.DRAFT
    assert no1.published_status == "undetermined"  # the public keeps its copy meanwhile
    assert no1.events.last().action == "report_decision"
    # Then 提出 → 承認 → 公開 as usual; the public reads 未確定 → 達成.
    no1 = _enter(no1, sato, status="achieved")
    _approve_and_publish(no1, hq)
    correction = PublicCorrection.objects.get(result=no1, field="達成状況")
    assert (correction.before, correction.after) == ("未確定", "達成")
    # A published result that is not 未確定 stays closed to the department.
    no1.refresh_from_db()
    assert 'id="report-decision-form"' not in department.get(url).text
    assert department.post(url, {**data, "version": no1.version}).status_code == 403
    assert Result.objects.get(pk=no1.pk).state == Result.State.PUBLISHED
