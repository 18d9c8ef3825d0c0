"""Who is who and who may do what, asked of `initiatives.roles` and
`initiatives.results.permissions` directly: every role against every action, every model
the results screens restrict, and the users a role must not reach (inactive, not staff).

The screens' side of the same rules is in test_permissions.py (real admin requests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.models import (
    Actual,
    Department,
    EvaluationPeriod,
    FiscalYear,
    Indicator,
    Initiative,
    Plan,
    PublicCorrection,
    Result,
    WorkflowEvent,
)
from initiatives.results import services
from initiatives.results.permissions import Action, allowed, check, restrict
from initiatives.roles import department_ids, is_hq, is_superuser, uses_results
from initiatives.vocabulary import State
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict:
    return {
        "sato": make_staff("sato", "デジタル行政戦略課"),
        "suzuki": make_staff("suzuki", "税務課"),
        "honbu": make_staff("honbu", hq=True),
        "tanaka": make_staff("tanaka"),
        "admin": make_staff("admin", is_superuser=True),
        # Left the 推進本部 or the department, but still in the groups and memberships:
        "retired_hq": make_staff("kimura", hq=True, is_active=False),
        "retired_member": make_staff("yamada", "デジタル行政戦略課", is_active=False),
        "retired_admin": make_staff("ito", is_superuser=True, is_active=False),
        # Never given the admin at all (is_staff off), though grouped or a member:
        "outside_hq": make_staff("kato", hq=True, is_staff=False),
        "outside_member": make_staff("watanabe", "税務課", is_staff=False),
        "anonymous": AnonymousUser(),
        # In a group of its own, which is not the 推進本部:
        "grouped": _in_group(make_staff("kobayashi"), "推進本部事務局（閲覧）"),
    }


def _in_group(user, name: str):
    user.groups.add(Group.objects.create(name=name))
    return user


# Expected answers of allowed(user, None, action), written per person.
HQ_ACTIONS = (
    Action.REVIEW,
    Action.PUBLISH,
    Action.REOPEN,
    Action.MANAGE_PERIODS,
    Action.VIEW_STRUCTURE,
    Action.CLOSE_PLAN,
    Action.REORGANISE,
)
DEPARTMENT_ACTIONS = (Action.VIEW, Action.EDIT, Action.REPORT_DECISION)
MAY = {
    "sato": set(DEPARTMENT_ACTIONS),
    "suzuki": set(DEPARTMENT_ACTIONS),
    "honbu": {Action.VIEW, *HQ_ACTIONS},
    "tanaka": set(),
    "admin": {Action.VIEW, *HQ_ACTIONS, Action.CHANGE_STRUCTURE},
    "retired_hq": set(),
    "retired_member": set(),
    "retired_admin": set(),
    "outside_hq": set(),
    "outside_member": set(),
    "anonymous": set(),
    "grouped": set(),
}


@pytest.mark.parametrize("person", list(MAY))
def test_it_answers_each_role_for_each_action(people, person) -> None:
    user = people[person]
    assert {action for action in Action if allowed(user, None, action)} == MAY[person]
    for action in Action:
        if action in MAY[person]:
            check(user, None, action)
        else:
            with pytest.raises(PermissionDenied):
                check(user, None, action)


def test_it_tells_the_roles_apart(people) -> None:
    assert [p for p in MAY if is_hq(people[p])] == ["honbu", "admin"]
    assert [p for p in MAY if is_superuser(people[p])] == ["admin"]
    assert [p for p in MAY if uses_results(people[p])] == ["sato", "suzuki", "honbu", "admin"]
    digital = Department.objects.get(name="デジタル行政戦略課")
    assert department_ids(people["sato"]) == [digital.pk]
    assert department_ids(people["retired_member"]) == []
    assert department_ids(people["outside_member"]) == []
    assert department_ids(people["honbu"]) == []


def test_it_asks_the_database_once_per_user_for_its_roles(people) -> None:
    # List screens ask for every row; the answer is kept on the user of the request.
    sato, honbu = people["sato"], people["honbu"]
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            is_hq(honbu), department_ids(sato), is_hq(sato), department_ids(honbu)
    assert len(queries.captured_queries) == 4


# --- what each role sees: results and what hangs off them ----------------------------------


@pytest.fixture
def r5_rows() -> dict:
    """No.1 (デジタル行政戦略課) and No.82 (税務課) of 令和5年度, each with a recorded step,
    a correction and an actual value."""
    rows = {}
    for code in ("1", "82"):
        result = Result.objects.get(initiative__code=code, fiscal_year__year=2023)
        WorkflowEvent.objects.create(
            result=result, action="publish", from_state="approved", to_state="published"
        )
        PublicCorrection.objects.create(
            result=result, corrected_at=timezone.now(), field="実施結果", before="前", after="後"
        )
        rows[code] = result
    return rows


def owned_codes(department: str) -> set[str]:
    return set(
        Initiative.objects.filter(departments__name=department).values_list("code", flat=True)
    )


@pytest.mark.parametrize("model", [Result, WorkflowEvent, PublicCorrection, Actual])
def test_it_shows_each_department_only_its_own_results(people, r5_rows, model) -> None:
    code_of = "initiative__code" if model is Result else "result__initiative__code"
    year_of = "fiscal_year__year" if model is Result else "result__fiscal_year__year"
    rows = model.objects.filter(**{year_of: 2023})
    assert rows.filter(**{f"{code_of}__in": ["1", "82"]}).count() >= 2

    def seen(person: str) -> set[str]:
        return set(restrict(rows, people[person], Action.VIEW).values_list(code_of, flat=True))

    every = set(rows.values_list(code_of, flat=True))
    assert seen("sato") == every & owned_codes("デジタル行政戦略課")
    assert seen("suzuki") == every & owned_codes("税務課") == {"82"}
    assert seen("honbu") == seen("admin") == every
    for person in ("tanaka", "retired_member", "outside_member", "retired_hq"):
        assert seen(person) == set()
    no1 = rows.filter(**{code_of: "1"}).first()
    assert allowed(people["sato"], no1, Action.VIEW)
    assert not allowed(people["suzuki"], no1, Action.VIEW)


@pytest.mark.parametrize(
    "action", [Action.PUBLISH, Action.MANAGE_PERIODS, Action.VIEW_STRUCTURE, "change_structure"]
)
def test_it_lets_no_one_take_a_year_or_structure_action_on_one_result(people, action) -> None:
    results = Result.objects.filter(fiscal_year__year=2023)
    expected = results.count() if action == Action.PUBLISH else 0
    assert restrict(results, people["honbu"], action).count() == expected
    assert restrict(results, people["admin"], action).count() == expected
    assert restrict(results, people["sato"], action).count() == 0


def test_it_shows_entry_periods_to_both_roles_and_lets_only_hq_manage_them(people) -> None:
    period = EvaluationPeriod.objects.create(
        fiscal_year=FiscalYear.objects.get(year=2024),
        opened_at=timezone.now(),
        deadline=timezone.localdate(),
    )
    periods = EvaluationPeriod.objects.all()
    for person in ("sato", "honbu", "admin"):
        assert list(restrict(periods, people[person], Action.VIEW)) == [period]
    assert not restrict(periods, people["tanaka"], Action.VIEW).exists()
    assert list(restrict(periods, people["honbu"], Action.MANAGE_PERIODS)) == [period]
    assert not restrict(periods, people["sato"], Action.MANAGE_PERIODS).exists()
    assert not restrict(periods, people["honbu"], Action.EDIT).exists()


def test_it_shows_a_department_its_initiatives_once_each(people) -> None:
    # No.2 is owned by both of this user's departments.
    both = make_staff("takahashi", "デジタル行政戦略課", "こども相談センター")
    initiatives = Initiative.objects.all()
    seen = list(restrict(initiatives, both, Action.VIEW).values_list("code", flat=True))
    assert len(seen) == len(set(seen))
    assert set(seen) == owned_codes("デジタル行政戦略課") | owned_codes("こども相談センター")
    assert restrict(initiatives, people["honbu"], Action.VIEW).count() == initiatives.count()
    assert not restrict(initiatives, people["tanaka"], Action.VIEW).exists()


def test_it_shows_the_structure_to_hq_and_lets_only_superusers_change_it(people) -> None:
    plans = Plan.objects.all()
    for action in (Action.VIEW, Action.VIEW_STRUCTURE):
        assert restrict(plans, people["honbu"], action).count() == 1
        assert not restrict(plans, people["sato"], action).exists()
    assert restrict(plans, people["admin"], Action.CHANGE_STRUCTURE).count() == 1
    assert not restrict(plans, people["honbu"], Action.CHANGE_STRUCTURE).exists()
    assert not restrict(plans, people["retired_admin"], Action.CHANGE_STRUCTURE).exists()
    for action in (Action.EDIT, Action.REVIEW, Action.PUBLISH):
        assert not restrict(plans, people["admin"], action).exists()


# --- editing: own department, editable state, open for entry --------------------------------


def no1_2024(state: State = State.DRAFT, *, published: bool = False) -> Result:
    result = Result.objects.create(
        initiative=Initiative.objects.get(code="1"),
        fiscal_year=FiscalYear.objects.get(year=2024),
        state=state,
        status="achieved",
        text="開発アプリ数 125件",
        published_status="achieved" if published else "",
        published_text="開発アプリ数 125件" if published else "",
        published_at=timezone.now() if published else None,
    )
    Actual.objects.create(
        result=result,
        indicator=Indicator.objects.get(initiative__code="1"),
        value=Decimal(125),
    )
    return result


def save(result: Result, user) -> Result:
    return services.save_draft(
        result=result,
        user=user,
        version=result.version,
        status="achieved",
        text="開発アプリ数 130件",
        note="",
        actuals={},
    )


def open_2024(*, closed: bool) -> EvaluationPeriod:
    opened = timezone.now() - datetime.timedelta(days=10)
    return EvaluationPeriod.objects.create(
        fiscal_year=FiscalYear.objects.get(year=2024),
        opened_at=opened,
        deadline=timezone.localdate(),
        closed_at=timezone.now() if closed else None,
    )


@pytest.mark.parametrize("state", list(State), ids=lambda state: state.value)
def test_it_lets_a_department_edit_only_until_it_submits(people, state) -> None:
    open_2024(closed=False)
    result = no1_2024(state, published=state is State.PUBLISHED)
    editable = state in (State.NOT_STARTED, State.DRAFT, State.RETURNED)
    assert allowed(people["sato"], result, Action.EDIT) is editable
    results = Result.objects.filter(pk=result.pk)
    assert restrict(results, people["sato"], "edit").exists() is editable
    actuals = Actual.objects.filter(result=result)
    assert restrict(actuals, people["sato"], Action.EDIT).count() == (1 if editable else 0)


def test_it_refuses_every_edit_before_the_year_is_opened(people) -> None:
    result = no1_2024()
    assert not allowed(people["sato"], result, Action.EDIT)
    with pytest.raises(PermissionDenied):
        save(result, people["sato"])


def test_it_refuses_every_edit_once_the_period_is_closed(people) -> None:
    open_2024(closed=True)
    result = no1_2024()
    with pytest.raises(PermissionDenied):
        save(result, people["sato"])
    with pytest.raises(PermissionDenied):
        services.submit_result(result=result, user=people["sato"], version=result.version)
    result.refresh_from_db()
    assert (result.state, result.version, result.text) == (State.DRAFT, 1, "開発アプリ数 125件")


def test_it_lets_a_reopened_published_result_be_corrected_after_the_period(people) -> None:
    # HQ reopens one published result for correction long after its year's entry closed.
    open_2024(closed=True)
    result = no1_2024(State.DRAFT, published=True)
    saved = save(result, people["sato"])
    assert (saved.state, saved.text) == (State.DRAFT, "開発アプリ数 130件")
    submitted = services.submit_result(result=saved, user=people["sato"], version=saved.version)
    assert submitted.state == State.SUBMITTED


@pytest.mark.parametrize("person", ["suzuki", "honbu", "admin", "retired_member", "tanaka"])
def test_it_refuses_to_save_or_submit_another_departments_result(people, person) -> None:
    open_2024(closed=False)
    result = no1_2024()
    assert not allowed(people[person], result, Action.EDIT)
    with pytest.raises(PermissionDenied):
        save(result, people[person])
    with pytest.raises(PermissionDenied):
        services.submit_result(result=result, user=people[person], version=result.version)
    result.refresh_from_db()
    assert (result.state, result.version, result.events.count()) == (State.DRAFT, 1, 0)


def test_it_lets_every_owner_of_a_co_owned_initiative_save(people) -> None:
    open_2024(closed=False)
    kodomo = make_staff("takahashi", "こども相談センター")
    no2 = Result.objects.create(
        initiative=Initiative.objects.get(code="2"), fiscal_year=FiscalYear.objects.get(year=2024)
    )
    for user in (kodomo, people["sato"]):
        no2 = services.save_draft(
            result=no2,
            user=user,
            version=no2.version,
            status="",
            text=user.username,
            note="",
            actuals={},
        )
    assert (no2.text, no2.version) == ("sato", 3)
    with pytest.raises(PermissionDenied):
        save(no2, people["suzuki"])


@pytest.mark.parametrize("person", ["admin"])
def test_it_lets_a_superuser_review_publish_and_reopen_without_the_group(people, person) -> None:
    user = people[person]
    result = no1_2024(State.SUBMITTED)
    result = services.approve_result(result=result, user=user, version=result.version)
    assert services.publish_year(fiscal_year=result.fiscal_year, user=user).published == 1
    result.refresh_from_db()
    result = services.reopen_result(result=result, user=user, version=result.version)
    assert result.state == State.DRAFT


@pytest.mark.parametrize("person", ["retired_hq", "outside_hq", "retired_admin"])
def test_it_refuses_review_to_hq_members_who_left(people, person) -> None:
    result = no1_2024(State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.approve_result(result=result, user=people[person], version=result.version)
    with pytest.raises(PermissionDenied):
        services.publish_year(fiscal_year=result.fiscal_year, user=people[person])
    result.refresh_from_db()
    assert (result.state, result.version) == (State.SUBMITTED, 1)


def test_it_refuses_a_stale_version_and_an_unknown_indicator(people) -> None:
    open_2024(closed=False)
    result = no1_2024()
    with pytest.raises(services.StaleResultError):
        services.submit_result(result=result, user=people["sato"], version=result.version - 1)
    other_indicator = Indicator.objects.exclude(initiative__code="1").first()
    with pytest.raises(ValidationError):
        services.save_draft(
            result=result,
            user=people["sato"],
            version=result.version,
            status="",
            text="",
            note="",
            actuals={other_indicator.pk: Decimal(1)},
        )
    result.refresh_from_db()
    assert (result.state, result.version) == (State.DRAFT, 1)
