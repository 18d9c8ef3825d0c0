"""Closing a plan (終了): when HQ may, what a closed plan refuses, the recorded HQ correction,
and its public pages (unchanged apart from the final summary on its home page)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from initiatives.models import (
    Edition,
    EvaluationPeriod,
    FiscalYear,
    Initiative,
    Plan,
    PublicCorrection,
    Result,
    WorkflowEvent,
)
from initiatives.plan.export import export_plan_document
from initiatives.plan.loader import import_plan
from initiatives.publication.selectors import final_summary
from initiatives.publication.services import close_plan
from initiatives.results import services
from initiatives.sheets.plan_workbook import apply_plan_import
from initiatives.sheets.plan_workbook.form import RevisionSpec
from tests.conftest import real_plan_document
from tests.initiatives.publication_helpers import publish_years
from tests.initiatives.workflow_helpers import make_staff, open_year, result_of

pytestmark = pytest.mark.django_db

CLOSED = "このプランは終了しています（令和9年3月31日 終了）。訂正は推進本部が"
# No.1 of 令和7年度 stays submitted (never published): its year is 集計中.
LEFT_OUT = ("1", 2025)


@pytest.fixture
def plan() -> Plan:
    return Plan.objects.get(slug="2023-2026")


@pytest.fixture
def hq():
    return make_staff("honbu", hq=True)


@pytest.fixture
def after_the_period(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *_args: datetime.date(2027, 5, 10))


@pytest.fixture
def published(plan) -> None:
    """令和6〜8年度 published (No.1 of 令和7年度 submitted, not yet published)."""
    publish_years(plan, [2024, 2025, 2026], leave_out={LEFT_OUT})
    Result.objects.filter(initiative__code="1", fiscal_year__year=2025).update(
        state=Result.State.SUBMITTED, status="achieved", text="提出済の実施結果"
    )


@pytest.fixture
def closed(plan, hq, after_the_period, published) -> Plan:
    return close_plan(plan=plan, user=hq)


def _refused(call, match: str = CLOSED) -> None:
    with pytest.raises(ValidationError) as refused:
        call()
    assert any(match in message for message in refused.value.messages), refused.value.messages


# --- when a plan may be closed -----------------------------------------------------------


def test_closing_is_refused_before_the_period_is_over(plan, hq, published, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *_args: datetime.date(2027, 3, 31))
    _refused(lambda: close_plan(plan=plan, user=hq), "推進期間（令和5年度～令和8年度（4カ年））が")
    plan.refresh_from_db()
    assert plan.closed_at is None and plan.status_label == "推進中"


def test_closing_is_refused_before_the_last_year_is_published(plan, hq, after_the_period):
    publish_years(plan, [2024, 2025])
    _refused(lambda: close_plan(plan=plan, user=hq), "最終年度（令和8年度）の実施結果がまだ")
    assert not Plan.objects.get(pk=plan.pk).is_closed


def test_closing_is_refused_while_a_year_is_open_for_entry(plan, hq, after_the_period, published):
    open_year(2026, hq=hq)
    _refused(lambda: close_plan(plan=plan, user=hq), "令和8年度の入力期間が受付中です")
    assert not Plan.objects.get(pk=plan.pk).is_closed


def test_only_hq_closes_a_plan(plan, after_the_period, published):
    department = make_staff("tanto", "デジタル行政戦略課")
    with pytest.raises(PermissionDenied, match="推進本部だけ"):
        close_plan(plan=plan, user=department)
    assert not Plan.objects.get(pk=plan.pk).is_closed


def test_closing_records_who_and_when_and_the_plan_says_so(plan, hq, closed):
    plan.refresh_from_db()
    assert plan.closed_by == hq and plan.closed_at is not None
    assert plan.status_label == "終了"
    _refused(lambda: close_plan(plan=plan, user=hq))


def test_hq_closes_from_the_plans_admin_page_after_a_confirmation(
    client, plan, hq, after_the_period, published
):
    client.force_login(hq)
    page = client.get(reverse("admin:initiatives_plan_change", args=[plan.pk])).content.decode()
    close_url = reverse("admin:initiatives_plan_close", args=[plan.pk])
    assert f'href="{close_url}"' in page and "プランを終了する" in page
    confirm = client.get(close_url).content.decode()
    assert "最終的な達成状況" in confirm and "<th>合計</th>" in confirm
    assert 'id="close-refused"' not in confirm
    assert Plan.objects.get(pk=plan.pk).closed_at is None  # looking changes nothing
    response = client.post(close_url)
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).closed_by == hq
    after = client.get(reverse("admin:initiatives_plan_change", args=[plan.pk])).content.decode()
    assert CLOSED in after and f'href="{close_url}"' not in after


def test_the_close_screen_explains_a_refusal_and_offers_no_button(client, plan, hq):
    client.force_login(hq)
    close_url = reverse("admin:initiatives_plan_close", args=[plan.pk])
    page = client.get(close_url).content.decode()
    assert 'id="close-refused"' in page and "推進期間（令和5年度～令和8年度（4カ年））が" in page
    assert "プランを終了する</button>" not in page
    assert client.post(close_url).status_code == 400
    assert not Plan.objects.get(pk=plan.pk).is_closed


# --- a closed plan is read-only ----------------------------------------------------------


def test_a_closed_plan_refuses_every_kind_of_write_and_changes_nothing(plan, hq, closed):
    submitted = result_of(*LEFT_OUT)
    department = make_staff(
        "tanto", *[o.department.name for o in submitted.initiative.owners.all()]
    )
    before = export_plan_document(plan=plan)
    states = dict(Result.objects.values_list("pk", "version"))
    fiscal_year = FiscalYear.objects.get(year=2026)

    _refused(lambda: open_year(2026, hq=hq))
    _refused(
        lambda: services.save_draft(
            result=submitted,
            user=department,
            version=submitted.version,
            status="achieved",
            text="書き換え",
            note="",
            actuals={},
        )
    )
    _refused(
        lambda: services.submit_result(result=submitted, user=department, version=submitted.version)
    )
    _refused(lambda: services.approve_result(result=submitted, user=hq, version=submitted.version))
    _refused(
        lambda: services.return_result(
            result=submitted, user=hq, version=submitted.version, comment="直してください"
        )
    )
    Result.objects.filter(pk=submitted.pk).update(state=Result.State.APPROVED)
    _refused(lambda: services.publish_year(fiscal_year=FiscalYear.objects.get(year=2025), user=hq))
    Result.objects.filter(pk=submitted.pk).update(state=Result.State.SUBMITTED)
    _refused(lambda: import_plan(data=real_plan_document()))
    superuser = make_staff("kanri", is_superuser=True)
    revision = RevisionSpec(code="R9", label="令和9年 改訂", date=datetime.date(2027, 5, 1))
    _refused(
        lambda: apply_plan_import(
            content=b"x", filename="plan.xlsx", user=superuser, revision=revision
        )
    )

    assert export_plan_document(plan=plan) == before
    assert dict(Result.objects.values_list("pk", "version")) == states
    assert not EvaluationPeriod.objects.filter(fiscal_year=fiscal_year).exists()
    assert not Edition.objects.filter(fiscal_year__year=2025, number__gt=1).exists()


def test_a_closed_years_deadline_cannot_be_moved(plan, hq, after_the_period, published):
    period = open_year(2026, hq=hq)
    services.close_period(period=period, user=hq)
    close_plan(plan=plan, user=hq)
    _refused(
        lambda: services.set_deadline(period=period, deadline=datetime.date(2027, 6, 1), user=hq)
    )


def test_the_import_command_refuses_a_closed_plan_in_japanese(closed, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(call_command_output("export_plan", "--plan", "2023-2026"), encoding="utf-8")
    with pytest.raises(Exception, match="このプランは終了しています"):
        call_command("import_plan", str(path), stdout=io.StringIO())


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_admin_offers_no_structure_writes_on_a_closed_plan(client, plan, closed):
    superuser = make_staff("kanri", is_superuser=True)
    client.force_login(superuser)
    initiative = Initiative.objects.get(plan=plan, code="1")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    response = client.post(url, {"name": "書き換え"})
    assert response.status_code == 403
    assert Initiative.objects.get(pk=initiative.pk).name == initiative.name
    period_page = client.post(
        reverse("admin:initiatives_evaluationperiod_add"),
        {"fiscal_year": FiscalYear.objects.get(year=2026).pk, "deadline": "2027-06-30"},
    ).content.decode()
    assert "このプランは終了しています" in period_page
    assert not EvaluationPeriod.objects.filter(fiscal_year__year=2026).exists()


# --- the recorded HQ correction ------------------------------------------------------------


def test_hq_corrects_a_published_result_of_a_closed_plan_and_it_is_recorded(client, hq, closed):
    result = result_of("2", 2024)
    department = make_staff("tanto", *[o.department.name for o in result.initiative.owners.all()])
    _refused(
        lambda: services.reopen_result(result=result, user=hq, version=result.version),
        "理由（コメント）",
    )
    result = services.reopen_result(
        result=result, user=hq, version=result.version, comment="実績の数え誤りを訂正"
    )
    event = WorkflowEvent.objects.filter(result=result, action="reopen").get()
    assert event.comment == "終了後の訂正: 実績の数え誤りを訂正" and event.actor == hq
    assert result.history.first().history_change_reason == "修正のため再開（終了後の訂正）"
    result = services.save_and_submit(
        result=result,
        user=department,
        version=result.version,
        status="achieved",
        text="訂正後の実施結果",
        note="",
        actuals={},
    )
    result = services.approve_result(result=result, user=hq, version=result.version)
    summary = services.publish_year(fiscal_year=result.fiscal_year, user=hq)
    assert summary.corrected == 1 and summary.edition.kind == Edition.Kind.CORRECTION
    assert PublicCorrection.objects.filter(result=result, after="訂正後の実施結果").exists()
    page = client.get("/plans/2023-2026/initiatives/2/").content.decode()
    assert "訂正後の実施結果" in page


# --- public pages --------------------------------------------------------------------------


def _without_final_summary(html: str) -> str:
    return re.sub(
        r'<section aria-labelledby="final-summary">.*?</section>\s*', "", html, flags=re.S
    )


def test_public_pages_of_a_closed_plan_stay_as_they_were(
    client, plan, hq, after_the_period, published
):
    urls = [
        "/plans/2023-2026/",
        "/plans/2023-2026/initiatives/",
        "/plans/2023-2026/initiatives/1/",
        "/plans/2023-2026/policies/1/",
        "/plans/2023-2026/open-data/",
        "/plans/2023-2026/open-data/initiatives.csv",
        "/plans/2023-2026/open-data/initiatives.json",
    ]
    before = {url: client.get(url) for url in urls}
    close_plan(plan=plan, user=hq)
    for url in urls:
        after = client.get(url)
        assert after.status_code == before[url].status_code == 200, url
        old, new = before[url].content.decode(), after.content.decode()
        if url == "/plans/2023-2026/":
            assert "推進期間の最終的な達成状況" in new and "推進期間の最終的な達成状況" not in old
            new = _without_final_summary(new)
        assert new == old, url
    assert "終了" in client.get("/plans/").content.decode()


def test_the_final_summary_counts_all_four_years_and_respects_partial_years(client, plan, closed):
    rows = final_summary(plan=plan)
    assert [row.label for row in rows] == [
        "令和5年度",
        "令和6年度",
        "令和7年度",
        "令和8年度",
        "合計",
    ]
    published = Result.objects.filter(initiative__plan=plan, published_at__isnull=False)
    for row, year in zip(rows, [2023, 2024, 2025, 2026], strict=False):
        of_year = published.filter(fiscal_year__year=year).exclude(published_status="")
        assert row.counted == of_year.count()
        for cell in row.cells:
            count = of_year.filter(published_status=cell.status).count()
            assert cell.count == count
            assert cell.rate == round(100 * count / row.counted, 1)
    assert [row.partial for row in rows] == [False, False, True, False, True]
    assert rows[-1].counted == sum(row.counted for row in rows[:-1])
    page = client.get("/plans/2023-2026/").content.decode()
    section = page[page.index('id="final-summary"') :]
    assert "集計中（124件中 123件を公表）" in section
    assert f"{rows[-1].cells[0].count}件（{rows[-1].cells[0].rate}%）" in section


def test_the_entry_screen_of_a_closed_plan_offers_no_step_and_says_why(client, hq, closed):
    submitted = result_of(*LEFT_OUT)
    client.force_login(hq)
    url = reverse("admin:initiatives_result_change", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert CLOSED in page
    assert 'value="approve"' not in page and 'value="return"' not in page
    response = client.post(url, {"_action": "approve", "version": submitted.version})
    assert CLOSED in response.content.decode()
    assert Result.objects.get(pk=submitted.pk).state == Result.State.SUBMITTED
