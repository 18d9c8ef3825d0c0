"""Departments over time: the succession selector (who owns initiative X in fiscal year Y)
and the one write that records a reorganisation, with the input it must refuse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import (
    Department,
    DepartmentMembership,
    FiscalYear,
    Initiative,
    Reorganisation,
    ReorganisationAssignment,
)
from initiatives.plan.organisation import (
    Succession,
    handled_groups,
    owners_in,
    ownership_history,
)
from initiatives.plan.reorganisation import preview_reorganisation, record_reorganisation
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db

APRIL_2027 = datetime.date(2027, 4, 1)
TAX, ZERO, DIGITAL = "税務課", "ゼロカーボンシティ推進課", "デジタル行政戦略課"
MERGED = "税務・環境課"


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def initiative(code: str) -> Initiative:
    return Initiative.objects.get(code=code)


def names(code: str, year: int) -> list[str]:
    return [d.name for d in owners_in(initiative(code), year)]


def merge(hq, *, date: datetime.date = APRIL_2027) -> Reorganisation:
    return record_reorganisation(
        effective_date=date,
        kind="merge",
        sources=[dept(TAX), dept(ZERO)],
        targets=[MERGED],
        user=hq,
    )


@pytest.fixture
def hq():
    FiscalYear.objects.create(year=2027)  # the next plan's first year
    return make_staff("honbu", hq=True)


def test_a_merge_hands_both_departments_initiatives_to_the_new_one_from_its_year(hq) -> None:
    member = make_staff("suzuki", TAX)
    merge(hq)
    assert names("82", 2026) == [TAX]
    assert names("70", 2026) == [ZERO]
    assert names("82", 2027) == [MERGED]
    assert names("70", 2027) == [MERGED]
    assert names("1", 2027) == [DIGITAL]
    assert dept(TAX).valid_until == datetime.date(2027, 3, 31)
    assert dept(ZERO).valid_until == datetime.date(2027, 3, 31)
    assert dept(MERGED).valid_from == APRIL_2027
    assert dept(MERGED).valid_until is None
    # The assignments of the plan are not rewritten: the years are derived.
    assert list(initiative("82").owners.values_list("department__name", flat=True)) == [TAX]
    # The staff of a merged department also belong to the successor (and keep the old one).
    assert set(
        DepartmentMembership.objects.filter(user=member).values_list("department__name", flat=True)
    ) == {TAX, MERGED}


def test_a_merge_into_one_of_its_sources_keeps_that_department(hq) -> None:
    record_reorganisation(
        effective_date=APRIL_2027,
        kind="merge",
        sources=[dept(TAX), dept(ZERO)],
        targets=[TAX],
        user=hq,
    )
    assert names("70", 2027) == [TAX]
    assert dept(TAX).valid_until is None
    assert dept(ZERO).valid_until == datetime.date(2027, 3, 31)


def test_a_rename_is_a_new_department_and_the_old_years_keep_the_old_name(hq) -> None:
    record_reorganisation(
        effective_date=datetime.date(2025, 4, 1),
        kind="rename",
        sources=[dept(DIGITAL)],
        targets=["デジタル推進課"],
        user=hq,
    )
    assert names("1", 2024) == [DIGITAL]
    assert names("1", 2025) == ["デジタル推進課"]
    # An initiative shared with another department keeps the other one in place.
    assert names("2", 2025) == ["こども相談センター", "デジタル推進課"]
    history = dict(ownership_history(initiative("1")))
    assert [d.name for d in history[2023]] == [DIGITAL]
    assert [d.name for d in history[2026]] == ["デジタル推進課"]


def test_a_split_gives_each_initiative_to_the_successor_hq_chose(hq) -> None:
    chosen = {initiative(code).pk: "環境共生課" for code in ("70", "71")}
    chosen |= {initiative(code).pk: "脱炭素推進課" for code in ("72", "73", "74")}
    record_reorganisation(
        effective_date=APRIL_2027,
        kind="split",
        sources=[dept(ZERO)],
        targets=["環境共生課", "脱炭素推進課"],
        assignments=chosen,
        user=hq,
    )
    assert names("70", 2027) == ["環境共生課"]
    assert names("71", 2027) == ["環境共生課"]
    assert names("74", 2027) == ["脱炭素推進課"]
    assert names("74", 2026) == [ZERO]
    assert ReorganisationAssignment.objects.count() == 5


def test_a_hand_over_moves_only_the_chosen_initiatives(hq) -> None:
    record_reorganisation(
        effective_date=APRIL_2027,
        kind="transfer",
        sources=[dept(ZERO)],
        targets=[TAX],
        assignments={initiative("70").pk: TAX},
        user=hq,
    )
    assert names("70", 2027) == [TAX]
    assert names("71", 2027) == [ZERO]
    assert dept(ZERO).valid_until is None


def test_reorganisations_chain_through_the_years(hq) -> None:
    merge(hq)
    record_reorganisation(
        effective_date=datetime.date(2028, 4, 1),
        kind="rename",
        sources=[dept(MERGED)],
        targets=["税務環境局"],
        user=hq,
    )
    assert names("82", 2026) == [TAX]
    assert names("82", 2027) == [MERGED]
    assert names("82", 2028) == ["税務環境局"]
    succession = Succession.load()
    assert succession.predecessors([dept("税務環境局").pk]) == {
        dept(n).pk for n in ("税務環境局", MERGED, TAX, ZERO)
    }


def test_the_preview_lists_the_initiatives_that_move_and_the_staff(hq) -> None:
    make_staff("suzuki", TAX)
    make_staff("kankyo", ZERO)
    make_staff("sato", DIGITAL)
    preview = preview_reorganisation(
        effective_date=APRIL_2027, kind="merge", sources=[dept(TAX), dept(ZERO)], targets=[MERGED]
    )
    assert [(m.initiative.code, m.source.name, m.target) for m in preview.moves] == [
        ("70", ZERO, MERGED),
        ("71", ZERO, MERGED),
        ("72", ZERO, MERGED),
        ("73", ZERO, MERGED),
        ("74", ZERO, MERGED),
        ("82", TAX, MERGED),
    ]
    assert preview.staff == [("kankyo", ZERO), ("suzuki", TAX)]
    assert preview.new_names == [MERGED]
    assert [d.name for d in preview.ending] == [TAX, ZERO]
    assert not Reorganisation.objects.exists()  # a preview writes nothing


BAD = [
    ("1999-04-01", "merge", [TAX, ZERO], [MERGED], "施行日は2000年1月1日から"),
    ("2040-04-01", "merge", [TAX, ZERO], [MERGED], "施行日は2000年1月1日から"),
    ("2027-04-01", "merge", [TAX], [TAX], "自分自身に統合することはできません"),
    ("2027-04-01", "merge", [TAX], [MERGED], "統合には改正前の担当課が2つ以上必要です"),
    ("2027-04-01", "merge", [TAX, ZERO], [], "改正後の担当課を選ぶか"),
    ("2027-04-01", "split", [ZERO], ["環境共生課"], "分割には分割先が2つ以上必要です"),
    ("2027-04-01", "split", [ZERO], [ZERO, "環境共生課"], "分割元と同じ担当課は指定できません"),
    ("2027-04-01", "rename", [TAX], [DIGITAL], "既にある（またはあった）担当課の名称です"),
    ("2027-04-01", "rename", [TAX], [TAX], "新しい名称が今の名称と同じです"),
    ("2027-04-01", "rename", [TAX, ZERO], ["新課"], "名称変更では改正前の担当課を1つだけ"),
    ("2027-04-01", "transfer", [TAX], [TAX], "移管先に移管元と同じ担当課は指定できません"),
    ("2027-04-01", "bogus", [TAX], ["新課"], "種類は 名称変更・統合・分割・移管"),
    ("2027-04-01", "rename", [TAX], ["課" * 101], "100文字以内"),
]


@pytest.mark.parametrize(("date", "kind", "sources", "targets", "message"), BAD)
def test_bad_input_is_refused_in_japanese_and_changes_nothing(
    hq, date, kind, sources, targets, message
) -> None:
    before = list(Department.objects.values_list("name", "valid_from", "valid_until"))
    with pytest.raises(ValidationError) as refused:
        record_reorganisation(
            effective_date=datetime.date.fromisoformat(date),
            kind=kind,
            sources=[dept(n) for n in sources],
            targets=targets,
            user=hq,
        )
    assert message in " ".join(m for ms in refused.value.message_dict.values() for m in ms)
    assert list(Department.objects.values_list("name", "valid_from", "valid_until")) == before
    assert not Reorganisation.objects.exists()


def test_an_ended_department_cannot_be_reorganised_after_its_end(hq) -> None:
    merge(hq)
    with pytest.raises(ValidationError, match="2027年3月31日で廃止されています"):
        record_reorganisation(
            effective_date=datetime.date(2028, 4, 1),
            kind="rename",
            sources=[dept(TAX)],
            targets=["税務部"],
            user=hq,
        )
    assert Reorganisation.objects.count() == 1


def test_nothing_can_be_slipped_in_before_a_later_reorganisation(hq) -> None:
    merge(hq)
    with pytest.raises(ValidationError, match="2027年4月1日の組織改正が既に登録されています"):
        record_reorganisation(
            effective_date=datetime.date(2026, 10, 1),
            kind="rename",
            sources=[dept(TAX)],
            targets=["税務部"],
            user=hq,
        )
    assert not Department.objects.filter(name="税務部").exists()


def test_a_split_without_a_successor_for_every_initiative_changes_nothing(hq) -> None:
    with pytest.raises(ValidationError, match="各取組の引継ぎ先を選んでください"):
        record_reorganisation(
            effective_date=APRIL_2027,
            kind="split",
            sources=[dept(ZERO)],
            targets=["環境共生課", "脱炭素推進課"],
            assignments={initiative("70").pk: "環境共生課"},
            user=hq,
        )
    assert not Department.objects.filter(name="環境共生課").exists()
    assert dept(ZERO).valid_until is None
    assert not Reorganisation.objects.exists()


def test_reading_who_handles_what_costs_the_same_for_one_or_many_reorganisations(hq) -> None:
    merge(hq)
    target = [dept(MERGED).pk]
    with CaptureQueriesContext(connection) as one:
        first = handled_groups(target)
    for year, name in ((2028, "税務環境課A"), (2029, "税務環境課B"), (2030, "税務環境課C")):
        source = Department.objects.filter(valid_until__isnull=True, name__startswith="税務").get()
        record_reorganisation(
            effective_date=datetime.date(year, 4, 1),
            kind="rename",
            sources=[source],
            targets=[name],
            user=hq,
        )
    with CaptureQueriesContext(connection) as four:
        handled_groups(target)
    assert len(four) == len(one)
    assert {i for _years, ids in first for i in ids} == {
        initiative(c).pk for c in ("70", "71", "72", "73", "74", "82")
    }
