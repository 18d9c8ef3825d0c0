"""Who sees and changes what: every boundary goes through real admin requests."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import FiscalYear, Result
from tests.initiatives.workflow_helpers import (
    change_url,
    entry_data,
    make_user,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    hq = make_user("honbu", hq=True)
    digital = make_user("sato", "デジタル行政戦略課")
    tax = make_user("suzuki", "税務課")
    open_year(2024, hq=hq)
    return {"hq": hq, "digital": digital, "tax": tax}


def year_pk(year: int) -> int:
    return FiscalYear.objects.get(year=year).pk


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_only_the_departments_own_results(people) -> None:
    response = login(people["tax"]).get(
        reverse("admin:initiatives_result_changelist"), {"fiscal_year__id__exact": year_pk(2024)}
    )
    assert response.status_code == 200
    assert "No.82 市税の収入率" in response.text
    assert "課題解決アプリ" not in response.text


def test_it_refuses_another_departments_result_by_url(people) -> None:
    no1 = result_of("1", 2024)
    tax = login(people["tax"])
    assert tax.get(change_url(no1)).status_code == 404
    response = tax.post(change_url(no1), entry_data(no1, _action="save", text="税務課が書いた"))
    assert response.status_code == 404
    no1.refresh_from_db()
    assert no1.text == ""
    history = reverse("admin:initiatives_result_initiative_history", args=[no1.initiative_id])
    assert tax.get(history).status_code == 404
    assert tax.get(reverse("admin:initiatives_result_history", args=[no1.pk])).status_code == 404


def test_it_ignores_another_departments_results_in_bulk_actions(people) -> None:
    no1, no82 = result_of("1", 2024), result_of("82", 2024)
    login(people["digital"]).post(change_url(no1), entry_data(no1, _action="save", text="入力"))
    response = login(people["tax"]).post(
        reverse("admin:initiatives_result_changelist"),
        {"action": "submit_selected", "_selected_action": [no1.pk, no82.pk]},
    )
    assert response.status_code in (200, 302)
    no1.refresh_from_db()
    assert no1.state == Result.State.DRAFT
    approve = login(people["digital"]).post(
        reverse("admin:initiatives_result_changelist"),
        {"action": "approve_selected", "_selected_action": [no1.pk]},
    )
    assert approve.status_code in (200, 302)
    no1.refresh_from_db()
    assert no1.state == Result.State.DRAFT


def test_it_lets_every_owner_of_a_co_owned_initiative_edit(people) -> None:
    no2 = result_of("2", 2024)
    kodomo = make_user("takahashi", "こども相談センター")
    response = login(kodomo).post(change_url(no2), entry_data(no2, _action="save", text="導入"))
    assert response.status_code == 302
    response = login(people["digital"]).post(
        change_url(no2), entry_data(no2, _action="save", text="導入して運用した")
    )
    assert response.status_code == 302
    no2.refresh_from_db()
    assert no2.text == "導入して運用した"
    assert login(people["tax"]).get(change_url(no2)).status_code == 404


def test_it_shows_a_department_user_only_the_results_screens(people) -> None:
    client = login(people["digital"])
    home = client.get(reverse("admin:index"))
    assert home.status_code == 200
    assert reverse("admin:initiatives_result_changelist") in home.text
    assert reverse("admin:initiatives_initiative_changelist") not in home.text
    assert reverse("admin:initiatives_evaluationperiod_changelist") not in home.text
    assert client.get(reverse("admin:initiatives_initiative_changelist")).status_code == 403
    assert client.get(reverse("admin:initiatives_plan_changelist")).status_code == 403
    assert client.get(reverse("admin:initiatives_evaluationperiod_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_it_refuses_staff_the_review_screens_and_steps(people) -> None:
    no1 = result_of("1", 2024)
    client = login(people["digital"])
    assert client.get(reverse("admin:initiatives_result_overview")).status_code == 403
    assert client.get(reverse("admin:initiatives_result_publish", args=[2024])).status_code == 403
    assert client.post(reverse("admin:initiatives_result_publish", args=[2024])).status_code == 403
    for action in ("approve", "return", "reopen"):
        response = client.post(
            change_url(no1), {"_action": action, "version": no1.version, "comment": "自分で承認"}
        )
        assert response.status_code == 403
    no1.refresh_from_db()
    assert no1.state == Result.State.NOT_STARTED


def test_it_lets_hq_see_everything_but_not_change_the_structure(people) -> None:
    client = login(people["hq"])
    listing = reverse("admin:initiatives_result_changelist")
    assert "課題解決アプリ" in client.get(listing, {"q": "課題解決アプリ"}).text
    assert "No.82 市税の収入率" in client.get(listing, {"q": "市税の収入率"}).text
    assert client.get(reverse("admin:initiatives_initiative_changelist")).status_code == 200
    no1 = result_of("1", 2024)
    response = client.post(change_url(no1), entry_data(no1, _action="save", text="本部が書いた"))
    assert response.status_code == 403
    initiative = no1.initiative
    change = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    shown = client.get(change)
    assert shown.status_code == 200
    assert "デジタル行政戦略課" in shown.text
    assert initiative.year_plans.get(fiscal_year__year=2024).text in shown.text
    response = client.post(change, {"name": "書き換え"})
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.name != "書き換え"


def test_it_refuses_the_admin_to_a_user_without_role(people) -> None:
    nobody = make_user("tanaka")
    client = login(nobody)
    assert client.get(reverse("admin:initiatives_result_changelist")).status_code == 403
    assert client.get(change_url(result_of("1", 2024))).status_code in (403, 404)
