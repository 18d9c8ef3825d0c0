"""Draft data the public must never see, for the never-leaks tests."""

from __future__ import annotations

from django.utils import timezone

from initiatives.models import (
    Actual,
    FiscalYear,
    Initiative,
    InitiativeDepartment,
    Relisting,
    Result,
    Target,
    YearPlan,
)

MARKER = "下書きマーカー7Q3X"


def add_draft_data() -> list[Initiative]:
    """A working copy changed on a published result, and an unpublished result with text.

    Returns the initiatives touched, whose pages the tests must visit.
    """
    published = (
        Result.objects.filter(published_at__isnull=False, fiscal_year__year=2023)
        .select_related("initiative")
        .order_by("initiative__order")
    )
    first = published.first()
    first.text = f"{MARKER} 修正中の実施結果"
    first.note = f"{MARKER} 修正中の確定時期"
    first.status = Result.Status.NOT_ACHIEVED
    first.state = Result.State.DRAFT
    first.save()
    for actual in Actual.objects.filter(result__in=published):
        actual.value = 987654321
        actual.save()
    year_2024 = FiscalYear.objects.get(year=2024)
    touched = [first.initiative]
    for initiative in Initiative.objects.filter(year_plans__fiscal_year=year_2024).order_by(
        "order"
    )[:3]:
        Result.objects.update_or_create(
            initiative=initiative,
            fiscal_year=year_2024,
            defaults={
                "status": Result.Status.ACHIEVED,
                "text": f"{MARKER} 未公開の令和6年度の実施結果",
                "note": MARKER,
                "state": Result.State.SUBMITTED,
                "published_at": None,
                "published_status": "",
                "published_text": "",
            },
        )
        touched.append(initiative)
    return touched


def add_initiatives(count: int) -> None:
    """Copies of existing initiatives (owners, plans, indicators, published results, 再掲)."""
    sources = [
        *Initiative.objects.filter(numeric_target=True).order_by("order")[:2],
        *Initiative.objects.filter(relistings__isnull=False).order_by("order")[:1],
    ]
    already = Initiative.objects.filter(code__startswith="X-").count()
    top = Initiative.objects.order_by("-order").first().order
    for n in range(count):
        source = sources[n % len(sources)]
        copy = Initiative.objects.get(pk=source.pk)
        copy.pk = None
        copy.code = f"X-{already + n + 1}"
        copy.order = top + n + 1
        copy.save()
        for owner in source.owners.all():
            InitiativeDepartment.objects.create(
                initiative=copy, department=owner.department, order=owner.order
            )
        for year_plan in source.year_plans.all():
            YearPlan.objects.create(
                initiative=copy, fiscal_year=year_plan.fiscal_year, text=year_plan.text
            )
        indicators = {}
        for indicator in source.indicators.all():
            old = indicator.pk
            indicator.pk = None
            indicator.initiative = copy
            indicator.save()
            indicators[old] = indicator
            for target in Target.objects.filter(indicator_id=old):
                Target.objects.create(
                    indicator=indicator, fiscal_year=target.fiscal_year, value=target.value
                )
        for result in source.results.all():
            new = Result.objects.create(
                initiative=copy,
                fiscal_year=result.fiscal_year,
                status=result.status,
                text=result.text,
                published_status=result.published_status or "achieved",
                published_text=result.published_text,
                published_at=timezone.now(),
            )
            for actual in result.actuals.all():
                Actual.objects.create(
                    result=new,
                    indicator=indicators[actual.indicator_id],
                    value=actual.value,
                    published_value=actual.published_value,
                )
        for relisting in source.relistings.all():
            Relisting.objects.create(
                direction=relisting.direction, initiative=copy, position=relisting.position
            )
