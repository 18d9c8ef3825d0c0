"""組織改正 through real requests: what a merged department's staff see and enter, the HQ
screen (form → preview → confirm) and its refusals, and the query count of the results list
whatever the number of reorganisations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import (
    Department,
    FiscalYear,
    Initiative,
    Reorganisation,
    Result,
)
from initiatives.plan.reorganisation import record_reorganisation
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import overview, unsubmitted_by_department
from tests.initiatives.workflow_helpers import (
    change_url,
    entry_data,
    make_staff,
    open_year,
    result_of,
)

pytestmark = pytest.mark.django_db

APRIL_2027 = datetime.date(2027, 4, 1)
TAX, ZERO, DIGITAL = "税務課", "ゼロカーボンシティ推進課", "デジタル行政戦略課"
MERGED = "税務・環境課"
RECORD = "admin:initiatives_reorganisation_record"
CHANGELIST = "admin:initiatives_result_changelist"


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def merge(hq) -> Reorganisation:
    return record_reorganisation(
        effective_date=APRIL_2027,
        kind="merge",
        sources=[dept(TAX), dept(ZERO)],
        targets=[MERGED],
        move_staff=False,
        user=hq,
    )


@pytest.fixture
def world():
    """FY2027 open for entry with results of a few initiatives; 税務課 and ゼロカーボン merged
    into 税務・環境課 as of 2027-04-01; one member each of the old and the new departments."""
    hq = make_staff("honbu", hq=True)
    fy2027 = FiscalYear.objects.create(year=2027)
    for code in ("1", "70", "71", "82"):
        Result.objects.create(initiative=Initiative.objects.get(code=code), fiscal_year=fy2027)
    open_year(2026, hq=hq)
    open_year(2027, hq=hq)
    merge(hq)
    return {
        "hq": hq,
        "merged": make_staff("kankyo", MERGED),
        "tax": make_staff("suzuki", TAX),
        "digital": make_staff("sato", DIGITAL),
    }


def listed(client: Client, year: int) -> str:
    pk = FiscalYear.objects.get(year=year).pk
    response = client.get(reverse(CHANGELIST), {"fiscal_year__id__exact": pk})
    assert response.status_code == 200
    return response.text


def test_merged_staff_enter_both_predecessors_initiatives_of_fy2027(world) -> None:
    merged = login(world["merged"])
    page = listed(merged, 2027)
    assert "No.82 市税の収入率" in page
    assert "No.70 " in page and "No.71 " in page
    assert "No.1 " not in page
    for code in ("82", "70"):
        result = result_of(code, 2027)
        response = merged.post(
            change_url(result), entry_data(result, _action="save", text="統合後")
        )
        assert response.status_code == 302, response.text[:500]
        result.refresh_from_db()
        assert result.text == "統合後"
        assert result.reported_by_department == dept(MERGED)


def test_merged_staff_reach_no_other_result(world) -> None:
    merged = login(world["merged"])
    no1 = result_of("1", 2027)
    assert merged.get(change_url(no1)).status_code == 404
    response = merged.post(change_url(no1), entry_data(no1, _action="save", text="越権"))
    assert response.status_code == 404
    no1.refresh_from_db()
    assert no1.text == ""
    with pytest.raises(PermissionDenied):
        check(world["merged"], no1, Action.EDIT)


def test_fy2026_stays_with_the_old_departments(world) -> None:
    assert "No.82 " not in listed(login(world["merged"]), 2026)
    old = result_of("82", 2026)
    assert login(world["merged"]).get(change_url(old)).status_code == 404
    tax = login(world["tax"])
    assert "No.82 市税の収入率" in listed(tax, 2026)
    response = tax.post(change_url(old), entry_data(old, _action="save", text="令和8年度分"))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.reported_by_department == dept(TAX)
    # …and the old department has no business with the new year.
    assert tax.get(change_url(result_of("82", 2027))).status_code == 404
    # HQ's overview counts each year under the department that owned it then.
    assert TAX in [row.label for row in overview(fiscal_year=old.fiscal_year).departments]
    fy2027 = FiscalYear.objects.get(year=2027)
    labels = [row.label for row in overview(fiscal_year=fy2027).departments]
    assert MERGED in labels and TAX not in labels and ZERO not in labels


def test_once_the_old_department_ended_its_unfinished_year_passes_to_the_successor(
    world, monkeypatch
) -> None:
    monkeypatch.setattr(
        "initiatives.plan.organisation.timezone.localdate", lambda: datetime.date(2027, 5, 1)
    )
    old = result_of("82", 2026)
    response = login(world["merged"]).post(
        change_url(old), entry_data(old, _action="save", text="後継課が仕上げた")
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.text == "後継課が仕上げた"
    assert old.reported_by_department == dept(MERGED)
    # Reminders of the unfinished year go to the successor.
    period = old.fiscal_year.evaluation_period
    assert MERGED in [d.name for d, _results in unsubmitted_by_department(period=period)]
    assert TAX not in [d.name for d, _results in unsubmitted_by_department(period=period)]


def test_hq_sees_each_years_department_by_the_name_it_had(world) -> None:
    hq = login(world["hq"])
    page = listed(hq, 2026)
    assert TAX in page
    page = listed(hq, 2027)
    assert MERGED in page
    detail = hq.get(
        reverse("admin:initiatives_initiative_change", args=[Initiative.objects.get(code="82").pk])
    )
    assert detail.status_code == 200
    assert f"令和8年度: {TAX}" in detail.text


def test_the_department_filter_follows_the_years_owner(world) -> None:
    hq = login(world["hq"])
    response = hq.get(reverse(CHANGELIST), {"department": dept(MERGED).pk})
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert {(r.initiative.code, r.fiscal_year.year) for r in rows} == {
        ("70", 2027),
        ("71", 2027),
        ("82", 2027),
    }


def test_the_list_costs_the_same_queries_for_one_or_many_reorganisations(
    world, django_assert_num_queries
) -> None:
    merged = login(world["merged"])
    url = reverse(CHANGELIST)
    query = {"fiscal_year__id__exact": FiscalYear.objects.get(year=2027).pk}
    merged.get(url, query)  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        assert merged.get(url, query).status_code == 200
    hq = world["hq"]
    for year, name in ((2028, "税務環境課A"), (2029, "税務環境課B"), (2030, "税務環境課C")):
        source = Department.objects.get(valid_until__isnull=True, name__startswith="税務")
        record_reorganisation(
            effective_date=datetime.date(year, 4, 1),
            kind="rename",
            sources=[source],
            targets=[name],
            user=hq,
        )
    record_reorganisation(
        effective_date=datetime.date(2027, 4, 1),
        kind="rename",
        sources=[dept("人事課")],
        targets=["職員課"],
        user=hq,
    )
    assert Reorganisation.objects.count() == 5
    with django_assert_num_queries(len(one)):
        response = merged.get(url, query)
    assert "No.82 市税の収入率" in response.text


# --- the HQ screen --------------------------------------------------------------------


def screen_post(client: Client, **fields) -> object:
    data = {"effective_date": "2028-04-01", "kind": "merge", "note": "", "move_staff": "on"}
    data |= fields
    return client.post(reverse(RECORD), data)


def test_only_hq_opens_the_screen(world) -> None:
    assert login(world["merged"]).get(reverse(RECORD)).status_code == 403
    assert login(world["digital"]).post(reverse(RECORD), {}).status_code == 403
    response = login(world["hq"]).get(reverse(RECORD))
    assert response.status_code == 200
    assert "組織改正を登録する" in response.text
    listing = login(world["hq"]).get(reverse("admin:initiatives_reorganisation_changelist"))
    assert "組織改正を登録する" in listing.text and MERGED in listing.text


def test_hq_previews_then_confirms_a_merge(world) -> None:
    hq = login(world["hq"])
    sources = [dept(DIGITAL).pk, dept("人事課").pk]
    preview = screen_post(hq, sources=sources, new_names="DX人事課")
    assert preview.status_code == 200
    assert "確認（まだ登録していません）" in preview.text
    assert "No.1 " in preview.text and "No.11 " in preview.text
    assert "sato（デジタル行政戦略課）" in preview.text
    assert Reorganisation.objects.count() == 1  # the preview wrote nothing
    done = screen_post(hq, sources=sources, new_names="DX人事課", confirm="1")
    assert done.status_code == 302
    assert Reorganisation.objects.count() == 2
    assert dept("DX人事課").valid_from == datetime.date(2028, 4, 1)
    assert set(
        world["digital"].department_memberships.values_list("department__name", flat=True)
    ) == {
        DIGITAL,
        "DX人事課",
    }


def test_a_split_on_the_screen_gives_each_initiative_to_the_chosen_successor(world) -> None:
    hq = login(world["hq"])
    fields = {
        "kind": "split",
        "sources": [dept(DIGITAL).pk],
        "new_names": "行政DX課\n情報システム課",
    }
    preview = screen_post(hq, **fields)
    owned = [m for m in preview.context["preview"].moves]
    assert len(owned) == 21
    choices = {f"assign_{m.initiative.pk}": "行政DX課" for m in owned}
    choices[f"assign_{Initiative.objects.get(code='1').pk}"] = "情報システム課"
    refused = screen_post(hq, **fields, confirm="1")  # nothing chosen
    assert "各取組の引継ぎ先を選んでください" in refused.text
    assert not Department.objects.filter(name="行政DX課").exists()
    assert screen_post(hq, **fields, **choices, confirm="1").status_code == 302
    from initiatives.plan.organisation import owners_in

    no1, no8 = Initiative.objects.get(code="1"), Initiative.objects.get(code="8")
    assert [d.name for d in owners_in(no1, 2028)] == ["情報システム課"]
    assert [d.name for d in owners_in(no8, 2028)] == ["行政DX課"]
    assert [d.name for d in owners_in(no8, 2027)] == [DIGITAL]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sources": ["TAXONLY"], "new_names": "X課"}, "統合には改正前の担当課が2つ以上必要です"),
        ({"effective_date": "1990-04-01", "new_names": "X課"}, "施行日は2000年1月1日から"),
        ({"effective_date": "2028-13-01", "new_names": "X課"}, "施行日は 2027-04-01 の形"),
        ({"kind": "split", "sources": ["DIGITAL"], "new_names": "X課"}, "分割先が2つ以上"),
        ({"sources": [], "new_names": "X課"}, "改正前の担当課を選んでください"),
    ],
)
def test_the_screen_refuses_bad_input_in_japanese(world, fields, message) -> None:
    ids = {"TAXONLY": dept(DIGITAL).pk, "DIGITAL": dept(DIGITAL).pk}
    if "sources" in fields:
        fields = {**fields, "sources": [ids[s] for s in fields["sources"]]}
    else:
        fields = {**fields, "sources": [dept(DIGITAL).pk, dept("人事課").pk]}
    count = Department.objects.count()
    response = screen_post(login(world["hq"]), **fields, confirm="1")
    assert response.status_code == 200
    assert message in response.text
    assert Reorganisation.objects.count() == 1
    assert Department.objects.count() == count
