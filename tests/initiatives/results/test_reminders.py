"""The daily deadline reminder and the local demo accounts."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from initiatives.models import EvaluationPeriod, Result
from initiatives.results import services
from tests.initiatives.workflow_helpers import make_user, open_year, result_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq():
    return make_user("honbu", hq=True)


def only_left_unsubmitted(*codes: str) -> None:
    """Mark every 2024 result submitted except those of the given initiatives."""
    Result.objects.filter(fiscal_year__year=2024).exclude(initiative__code__in=codes).update(
        state=Result.State.SUBMITTED
    )


def run(*args: str) -> str:
    """The command; its mails are queued in the outbox and sent once its writes commit."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_deadline_reminders", *args, stdout=out)
    return out.getvalue()


def test_it_reminds_exactly_the_departments_with_unsubmitted_results(hq) -> None:
    make_user("sato", "デジタル行政戦略課")
    make_user("suzuki", "税務課")
    make_user("kato", "ゼロカーボンシティ推進課")
    open_year(2024, hq=hq, days=-1)
    only_left_unsubmitted("1", "82")
    output = run()
    assert "デジタル行政戦略課" in output and "税務課" in output
    assert "ゼロカーボンシティ推進課" not in output
    assert sorted(m.to[0] for m in mail.outbox) == ["sato@example.com", "suzuki@example.com"]
    assert "提出期限を1日過ぎています" in mail.outbox[0].body
    assert "No.1 " in mail.outbox[0].body or "No.82 " in mail.outbox[0].body


def test_it_counts_a_returned_result_as_unsubmitted(hq) -> None:
    make_user("suzuki", "税務課")
    open_year(2024, hq=hq, days=2)
    only_left_unsubmitted()
    Result.objects.filter(initiative__code="82", fiscal_year__year=2024).update(
        state=Result.State.RETURNED
    )
    assert "税務課" in run("--days", "3")
    assert [m.to for m in mail.outbox] == [["suzuki@example.com"]]
    assert "提出期限まであと2日です" in mail.outbox[0].body


def test_it_stays_quiet_while_the_deadline_is_far_or_the_period_closed(hq) -> None:
    make_user("sato", "デジタル行政戦略課")
    period = open_year(2024, hq=hq, days=10)
    assert "催促が必要な担当課はありません" in run("--days", "3")
    services.close_period(period=period, user=hq)
    today = (period.deadline + datetime.timedelta(days=5)).isoformat()
    assert "催促が必要な担当課はありません" in run("--today", today)
    assert mail.outbox == []


def test_it_uses_the_department_address_when_set(hq) -> None:
    open_year(2024, hq=hq, days=0)
    only_left_unsubmitted("82")
    result_of("82", 2024).initiative.departments.update(email="zeimu@example.com")
    run()
    assert [m.to for m in mail.outbox] == [["zeimu@example.com"]]


def test_it_creates_the_demo_accounts_idempotently_only_in_debug(settings) -> None:
    settings.DEBUG = False
    call_command("setup_local_accounts", stdout=StringIO())
    assert not get_user_model().objects.filter(username__in=["hq", "digital"]).exists()
    assert not EvaluationPeriod.objects.exists()

    settings.DEBUG = True
    call_command("setup_local_accounts", stdout=StringIO())
    call_command("setup_local_accounts", stdout=StringIO())
    users = get_user_model().objects.filter(username__in=["hq", "digital", "tax", "zerocarbon"])
    assert users.count() == 4
    period = EvaluationPeriod.objects.get()
    assert period.fiscal_year.year == 2024 and period.is_open
    assert period.deadline > timezone.localdate()

    client = Client()
    assert client.login(username="tax", password="kanazawa-demo")
    listing = client.get(reverse("admin:initiatives_result_changelist"), {"q": "市税"})
    assert "No.82 市税の収入率" in listing.text
    no1 = result_of("1", 2024)
    assert client.get(reverse("admin:initiatives_result_change", args=[no1.pk])).status_code == 404
    own_year = client.get(reverse("admin:initiatives_result_changelist"), follow=True)
    assert own_year.redirect_chain[0][0].endswith(f"fiscal_year__id__exact={period.fiscal_year_id}")
    assert "No.82 市税の収入率" in own_year.text
    assert "課題解決アプリ" not in own_year.text
