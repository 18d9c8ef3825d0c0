"""Search boxes understand Japanese input: width (NFKC) and case are folded, 「No.15」,
「15」 and 「R6-5」 name initiatives, and department names and result texts are searched,
on the public list and in the admin alike (one normaliser: initiatives.search)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative, Result
from initiatives.search import MAX_WORDS, search_words
from initiatives.vocabulary import initiative_code
from tests.initiatives.workflow_helpers import make_staff, staff


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("No.15", "15"),
        ("No15", "15"),
        ("no.15", "15"),
        ("Ｎｏ．１５", "15"),
        ("１５", "15"),
        ("15", "15"),
        ("R6-5", "R6-5"),
        ("r6－5", "R6-5"),
        ("No.R6-5", "R6-5"),
        ("DX", None),
        ("15件", None),
        ("No.", None),
    ],
)
def test_it_reads_initiative_codes_as_people_type_them(typed, code) -> None:
    assert initiative_code(typed) == code


def test_it_folds_width_and_keeps_no_and_number_together() -> None:
    assert [w.text for w in search_words("ＤＸ　推進")] == ["DX", "推進"]
    assert [(w.text, w.code) for w in search_words("No. 15")] == [("No.15", "15")]
    assert search_words("   ") == [] and search_words(None) == []
    assert len(search_words("a " * 100)) == MAX_WORDS


# --- the public list --------------------------------------------------------------------


def listed(client, keyword: str) -> list[str]:
    response = client.get("/initiatives/", {"keyword": keyword})
    assert response.status_code == 200
    return re.findall(r'<td class="col-no">([^<-][^<]*)</td>', response.content.decode())


@pytest.mark.django_db
def test_the_public_list_finds_full_width_input_as_half_width(client) -> None:
    half = listed(client, "DX")
    assert len(half) >= 5
    assert listed(client, "ＤＸ") == half
    assert listed(client, "dx") == half


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["No.15", "No15", "15", "１５", "No. 15"])
def test_the_public_list_finds_an_initiative_by_its_number(client, typed) -> None:
    assert listed(client, typed) == ["15"]


@pytest.mark.django_db
def test_the_public_list_finds_revision_codes_and_department_names(client) -> None:
    assert listed(client, "R6-5") == ["R6-5"]
    assert listed(client, "r6-5") == ["R6-5"]
    owned = Initiative.objects.filter(owners__department__name="デジタル行政戦略課").count()
    assert owned >= 5
    assert len(listed(client, "デジタル行政戦略課")) == owned


# --- the admin ----------------------------------------------------------------------------


def found(client, path: str, query: str) -> list:
    response = client.get(path, {"q": query})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.django_db
def test_the_admin_result_list_understands_numbers_departments_and_width(client) -> None:
    staff(client, make_staff("honbu", hq=True))
    path = reverse("admin:initiatives_result_changelist")
    fifteen = set(Result.objects.filter(initiative__code="15").values_list("pk", flat=True))
    assert fifteen
    for typed in ("No.15", "No15", "15", "Ｎｏ．１５"):
        assert {r.pk for r in found(client, path, typed)} == fifteen, typed
    digital = set(
        Result.objects.filter(
            initiative__owners__department__name="デジタル行政戦略課"
        ).values_list("pk", flat=True)
    )
    assert {r.pk for r in found(client, path, "デジタル行政戦略課")} == digital
    dx = {r.pk for r in found(client, path, "DX")}
    assert dx and {r.pk for r in found(client, path, "ＤＸ")} == dx
    # Result texts are searched too.
    text = Result.objects.exclude(text="").order_by("pk").first()
    word = text.text[:8]
    assert text.pk in {r.pk for r in found(client, path, word)}
    # Many words or a very long one: bounded, never an error.
    assert found(client, path, "zzq " * 300) == []
    assert found(client, path, "x" * 3000) == []


@pytest.mark.django_db
def test_a_department_searches_only_its_own_results(client) -> None:
    staff(client, make_staff("tax-staff", "税務課"))
    path = reverse("admin:initiatives_result_changelist")
    assert found(client, path, "デジタル行政戦略課") == [] or all(
        "税務課" in r.initiative.department_names for r in found(client, path, "デジタル行政戦略課")
    )


@pytest.mark.django_db
def test_the_admin_initiative_list_finds_codes_and_departments(client) -> None:
    staff(client, make_staff("honbu", hq=True))
    path = reverse("admin:initiatives_initiative_changelist")
    assert [i.code for i in found(client, path, "No.15")] == ["15"]
    assert [i.code for i in found(client, path, "R6-5")] == ["R6-5"]
    owned = Initiative.objects.filter(owners__department__name="デジタル行政戦略課").count()
    assert len(found(client, path, "デジタル行政戦略課")) == owned
