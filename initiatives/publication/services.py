"""Writes of the editions: recording what a publication made public, and closing a plan
(終了) once its period is over and its last year is published."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from initiatives.models import EvaluationPeriod, FiscalYear, Plan, Result
from initiatives.plan.archive import closed_message
from initiatives.publication.models import Edition
from initiatives.results.permissions import Action, check
from initiatives.vocabulary import era_date, era_label


@transaction.atomic
def record_edition(
    *,
    fiscal_year: FiscalYear,
    published_at: datetime.datetime,
    user=None,
    added: int,
    corrected: int,
) -> Edition:
    """The next edition of the year, counted from the results as they are now public.

    Called inside the publishing transaction, so the edition and the public copy it
    describes commit together. After commit, the year's public files are queued.
    """
    results = Result.objects.filter(fiscal_year=fiscal_year)
    last = Edition.objects.filter(fiscal_year=fiscal_year).aggregate(n=Max("number"))["n"] or 0
    edition = Edition(
        fiscal_year=fiscal_year,
        number=last + 1,
        kind=Edition.Kind.CORRECTION if last and not added else Edition.Kind.PUBLICATION,
        published_at=published_at,
        published_by=user,
        published_count=results.filter(published_at__isnull=False).count(),
        total_count=results.count(),
        added_count=added,
        corrected_count=corrected,
    )
    edition.full_clean()
    edition.save()
    transaction.on_commit(lambda: _queue_files(edition.pk))
    return edition


def _queue_files(edition_id: int) -> None:
    """The edition's report files and the plan's open-data files, made by the worker.
    REPORTS_RENDER_ON_PUBLICATION=0 (the test suite's default) leaves it to the tests."""
    from django.conf import settings

    from initiatives.plan.selectors import plan_of_year
    from initiatives.public.tasks import prepare_open_data_task
    from reports.editions import queue_edition_files

    if settings.REPORTS_RENDER_ON_PUBLICATION:
        queue_edition_files(edition_id=edition_id)
        year = Edition.objects.values_list("fiscal_year__year", flat=True).get(pk=edition_id)
        plan = plan_of_year(year)
        if plan is not None:
            prepare_open_data_task.enqueue(plan.pk)


def closing_refusals(plan: Plan) -> list[str]:
    """Why the plan cannot be closed now, in the words HQ reads (none: it can)."""
    if plan.is_closed:
        return [closed_message(plan)]
    refusals = []
    if not plan.is_over:
        refusals.append(
            f"推進期間（{plan.period_label}）が終わるまで終了できません"
            f"（{era_date(plan.period_end)}まで）。"
        )
    if not Edition.objects.filter(fiscal_year__year=plan.end_year).exists():
        refusals.append(
            f"最終年度（{era_label(plan.end_year)}）の実施結果がまだ公表されていません。"
            "年度を公開してから終了してください。"
        )
    still_open = list(
        EvaluationPeriod.objects.filter(
            fiscal_year__year__range=(plan.start_year, plan.end_year), closed_at__isnull=True
        )
        .select_related("fiscal_year")
        .order_by("fiscal_year__year")
    )
    if still_open:
        years = "・".join(era_label(p.fiscal_year.year) for p in still_open)
        refusals.append(f"{years}の入力期間が受付中です。先に受付を終了してください。")
    return refusals


@transaction.atomic
def close_plan(*, plan: Plan, user) -> Plan:
    """HQ closes a plan (終了): from now on it is read-only (`plan.archive`), except for a
    recorded HQ correction of a published result. Refused, changing nothing, before its
    period is over, before its last year is published, or while a year is open for entry."""
    check(user, None, Action.CLOSE_PLAN)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    refusals = closing_refusals(plan)
    if refusals:
        raise ValidationError(refusals)
    plan.closed_at = timezone.now()
    plan.closed_by = user
    plan.full_clean()
    plan.save(update_fields=["closed_at", "closed_by"])
    return plan
