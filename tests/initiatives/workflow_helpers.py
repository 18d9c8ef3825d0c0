"""Shared set-up for the workflow tests: named users, an open period, admin URLs."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from initiatives.models import (
    Department,
    DepartmentMembership,
    EvaluationPeriod,
    FiscalYear,
    Result,
)
from initiatives.results import services
from initiatives.roles import HQ_GROUP

PASSWORD = "pw-for-tests-123"


def make_user(username: str, *departments: str, hq: bool = False):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", PASSWORD, is_staff=True
    )
    for name in departments:
        DepartmentMembership.objects.create(user=user, department=Department.objects.get(name=name))
    if hq:
        user.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
    return user


def make_staff(username: str, *departments: str, hq: bool = False, **fields):
    """A staff user without a password, for tests that call services and never log in:
    hashing a password costs more than most of those tests."""
    user = get_user_model().objects.create(
        username=username, email=f"{username}@example.com", **{"is_staff": True, **fields}
    )
    for name in departments:
        DepartmentMembership.objects.create(user=user, department=Department.objects.get(name=name))
    if hq:
        user.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
    return user


def open_year(year: int, *, hq, days: int = 30) -> EvaluationPeriod:
    return services.open_period(
        fiscal_year=FiscalYear.objects.get(year=year),
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        user=hq,
    )


def result_of(code: str, year: int) -> Result:
    return Result.objects.select_related("initiative", "fiscal_year").get(
        initiative__code=code, fiscal_year__year=year
    )


def change_url(result: Result) -> str:
    return reverse("admin:initiatives_result_change", args=[result.pk])


def entry_data(result: Result, **fields) -> dict:
    """The entry form as a browser posts it, from the result's current state."""
    result.refresh_from_db()
    data = {
        "version": str(result.version),
        "status": result.status,
        "text": result.text,
        "note": result.note,
    }
    for actual in result.actuals.all():
        data[f"actual_{actual.indicator_id}"] = "" if actual.value is None else str(actual.value)
    data.update(fields)
    return data


def actual_field(result: Result) -> str:
    """The form field of the initiative's (first) indicator."""
    indicator = result.initiative.indicators.order_by("order").first()
    return f"actual_{indicator.pk}"


def staff(client, user):
    client.force_login(user)
    return client


def submitted(code: str, year: int, user, *, text: str = "計画どおり実施した") -> Result:
    """Submit a result through the services, its actuals at the year's targets (a finding the
    target's comparison raises is explained by a reason)."""
    result = result_of(code, year)
    targets = services.targets_for(result)
    services.save_and_submit(
        result=result,
        user=user,
        version=result.version,
        status="achieved",
        text=text,
        note="",
        actuals={pk: value for pk, value in targets.items() if value is not None},
        consistency_reason="目標の比較のとおり",
    )
    return result_of(code, year)
