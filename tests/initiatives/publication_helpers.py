"""Bulk publication for tests and benchmarks: every planned result of some years, published
at once with its edition, as if HQ had published each year (set-up, not the workflow)."""

from __future__ import annotations

import itertools

from django.utils import timezone

from initiatives.models import FiscalYear, Plan, Result, YearPlan
from initiatives.publication.services import record_edition
from initiatives.vocabulary import STATUS_ORDER

STATUSES = tuple(STATUS_ORDER)


def publish_years(plan: Plan, years: list[int], *, leave_out: set[tuple[str, int]] = ()) -> None:
    """Publish a result (達成, 未達成, 未確定 in turn) for every initiative planned in `years`;
    the (code, year) pairs in `leave_out` stay unpublished (their year is then 集計中)."""
    now = timezone.now()
    statuses = itertools.cycle(STATUSES)
    for year in years:
        fiscal_year = FiscalYear.objects.get(year=year)
        existing = set(
            Result.objects.filter(fiscal_year=fiscal_year, initiative__plan=plan).values_list(
                "initiative_id", flat=True
            )
        )
        rows = []
        added = 0
        planned = YearPlan.objects.filter(initiative__plan=plan, fiscal_year=fiscal_year)
        for year_plan in planned.select_related("initiative").order_by("initiative__order"):
            initiative = year_plan.initiative
            if initiative.pk in existing:
                continue
            if (initiative.code, year) in leave_out:
                rows.append(Result(initiative=initiative, fiscal_year=fiscal_year))
                continue
            status = next(statuses)
            note = "令和10年3月に確定します。" if status == "undetermined" else ""
            text = f"{year}年度の実施結果（No.{initiative.code}）"
            rows.append(
                Result(
                    initiative=initiative,
                    fiscal_year=fiscal_year,
                    state=Result.State.PUBLISHED,
                    status=status,
                    text=text,
                    note=note,
                    published_status=status,
                    published_text=text,
                    published_note=note,
                    published_at=now,
                )
            )
            added += 1
        Result.objects.bulk_create(rows)
        if added:
            record_edition(fiscal_year=fiscal_year, published_at=now, added=added, corrected=0)
