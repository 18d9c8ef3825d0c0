"""Background work for the public side (Django's tasks framework, run by `db_worker`)."""

from __future__ import annotations

from django.tasks import task

from initiatives.models import Plan
from initiatives.public.datapackage import prepare_files


@task()
def prepare_open_data_task(plan_id: int) -> None:
    """Make the plan's open-data files for its new publication state (after a publication)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        prepare_files(plan=plan)
