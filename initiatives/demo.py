"""Local demonstration accounts (created only when DEBUG is on, by setup_local_accounts)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from initiatives.models import Department, DepartmentMembership, EvaluationPeriod, FiscalYear
from initiatives.results import services
from initiatives.roles import HQ_GROUP

DEMO_PASSWORD = "kanazawa-demo"
DEMO_YEAR = 2024
DEMO_DEPARTMENT_USERS = {
    "digital": ("デジタル行政戦略課", "デジタル", "太郎"),
    "tax": ("税務課", "税務", "花子"),
    "zerocarbon": ("ゼロカーボンシティ推進課", "環境", "次郎"),
}


@dataclass
class DemoSetup:
    """What the demo setup made sure of."""

    users: list[str]
    period: EvaluationPeriod


@transaction.atomic
def ensure_demo_accounts(*, today: datetime.date) -> DemoSetup:
    """Create (or repair) the demo users and open 令和6年度 for entry; idempotent."""
    user_model = get_user_model()
    hq_group, _created = Group.objects.get_or_create(name=HQ_GROUP)

    def ensure_user(username: str, last_name: str, first_name: str):
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        user.last_name, user.first_name = last_name, first_name
        user.email = f"{username}@example.com"
        user.is_staff = True
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        return user

    hq = ensure_user("hq", "推進本部", "確認者")
    hq.groups.add(hq_group)
    for username, (department_name, last_name, first_name) in DEMO_DEPARTMENT_USERS.items():
        user = ensure_user(username, last_name, first_name)
        department = Department.objects.get(name=department_name)
        DepartmentMembership.objects.get_or_create(user=user, department=department)

    fiscal_year = FiscalYear.objects.get(year=DEMO_YEAR)
    period = EvaluationPeriod.objects.filter(fiscal_year=fiscal_year).first()
    if period is None:
        period = services.open_period(
            fiscal_year=fiscal_year, deadline=today + datetime.timedelta(days=30), user=hq
        )
    return DemoSetup(users=["hq", *DEMO_DEPARTMENT_USERS], period=period)
