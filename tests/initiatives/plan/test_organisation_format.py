"""The interchange format carries the departments' validity and the reorganisations, so a
plan round-trips with its history; documents without them still load."""

from __future__ import annotations

import datetime

import pytest

from initiatives.models import Department, Initiative, Reorganisation, ReorganisationAssignment
from initiatives.plan.export import export_plan_document
from initiatives.plan.interchange import PlanFormatError, dump_document, validate_document
from initiatives.plan.loader import import_plan
from initiatives.plan.organisation import owners_in
from initiatives.plan.reorganisation import record_reorganisation
from tests.initiatives.workflow_helpers import make_staff

pytestmark = pytest.mark.django_db

TAX, ZERO = "税務課", "ゼロカーボンシティ推進課"


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def reorganise() -> None:
    hq = make_staff("honbu", hq=True)
    record_reorganisation(
        effective_date=datetime.date(2027, 4, 1),
        kind="split",
        sources=[dept(ZERO)],
        targets=["環境共生課", "脱炭素推進課"],
        assignments={
            Initiative.objects.get(code=c).pk: (
                "環境共生課" if c in ("70", "71") else "脱炭素推進課"
            )
            for c in ("70", "71", "72", "73", "74")
        },
        move_staff=False,
        user=hq,
    )
    record_reorganisation(
        effective_date=datetime.date(2028, 4, 1),
        kind="merge",
        sources=[dept(TAX), dept("脱炭素推進課")],
        targets=["税務・環境課"],
        note="令和10年4月 組織改正",
        move_staff=False,
        user=hq,
    )


def test_a_plan_without_reorganisations_exports_as_before(plan_document) -> None:
    assert "organisation" not in export_plan_document()
    assert dump_document(export_plan_document()) == dump_document(plan_document)


def test_the_reorganisations_round_trip_through_the_document() -> None:
    reorganise()
    document = export_plan_document()
    organisation = document["organisation"]
    assert [r["kind"] for r in organisation["reorganisations"]] == ["split", "merge"]
    assert organisation["reorganisations"][0]["assignments"][0] == {
        "initiative": "70",
        "source": ZERO,
        "target": "環境共生課",
    }
    assert {"name": TAX, "valid_from": None, "valid_until": "2028-03-31"} in organisation[
        "departments"
    ]
    first = dump_document(document)
    # Forget the history, then read it back from the document alone.
    Reorganisation.objects.all().delete()
    Department.objects.filter(name__in=["環境共生課", "脱炭素推進課", "税務・環境課"]).delete()
    Department.objects.update(valid_from=None, valid_until=None)
    import_plan(data=document)
    assert dump_document(export_plan_document()) == first
    no72 = Initiative.objects.get(code="72")
    assert [d.name for d in owners_in(no72, 2027)] == ["脱炭素推進課"]
    assert [d.name for d in owners_in(no72, 2028)] == ["税務・環境課"]
    # Loading the same document again adds nothing.
    import_plan(data=document)
    assert Reorganisation.objects.count() == 2
    assert ReorganisationAssignment.objects.count() == 5


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda o: o["reorganisations"][0].update(kind="reshuffle"), "reorganisations[0].kind"),
        (
            lambda o: o["reorganisations"][0].update(effective_date="2027/04/01"),
            "reorganisations[0].effective_date",
        ),
        (
            lambda o: o["reorganisations"][0]["assignments"][0].update(initiative="999"),
            "reorganisations[0].assignments[0].initiative",
        ),
        (lambda o: o["reorganisations"][1].update(sources=[]), "reorganisations[1].sources"),
    ],
)
def test_a_broken_organisation_is_refused_with_its_path(change, path) -> None:
    reorganise()
    document = export_plan_document()
    change(document["organisation"])
    with pytest.raises(PlanFormatError) as refused:
        validate_document(document)
    assert refused.value.path == f"organisation.{path}"
