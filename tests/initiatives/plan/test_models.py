from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from initiatives.models import FiscalYear, Initiative, Result

pytestmark = pytest.mark.django_db


def test_it_rejects_a_duplicate_initiative_code() -> None:
    original = Initiative.objects.get(code="1")
    duplicate = Initiative(
        plan=original.plan, direction=original.direction, code="1", order=9999, name="重複"
    )
    with pytest.raises(ValidationError, match=r"この取組No\.は既に使われています"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_it_rejects_a_second_result_for_the_same_year() -> None:
    existing = Result.objects.get(initiative__code="1", fiscal_year__year=2023)
    second = Result(initiative=existing.initiative, fiscal_year=existing.fiscal_year)
    with pytest.raises(ValidationError, match="この取組・年度の実施結果は既にあります"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_it_rejects_an_unknown_status() -> None:
    result = Result(
        initiative=Initiative.objects.get(code="R6-1"),
        fiscal_year=FiscalYear.objects.get(year=2024),
        status="done",
    )
    with pytest.raises(ValidationError) as excinfo:
        result.full_clean()
    assert "status" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        result.save()


def test_it_rejects_a_second_plan_text_for_the_same_year() -> None:
    initiative = Initiative.objects.get(code="1")
    plan = initiative.year_plans.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        initiative.year_plans.create(fiscal_year=plan.fiscal_year, text="二つ目")


def test_it_lists_resources_in_the_document_order() -> None:
    initiative = Initiative(secures_information=True, secures_people=True)
    assert initiative.resources == ["ヒト", "情報"]
