"""Reading the consistency checks (`results.checks`) of stored results.

Builds each result's Figures (the indicators' comparison, the year's target, the working or
published actual) in a fixed number of queries — one result or a whole list alike — and
validates the one-line reason with which a warning is accepted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError

from initiatives.models import Actual, Indicator, Result, Target
from initiatives.results.checks import Figure, Finding, Severity, findings

REASON_MAX = 200


def figures_for(results: Iterable[Result], *, published: bool = False) -> dict[int, list[Figure]]:
    """Result id → its Figures, in three queries whatever the number of results."""
    results = list(results)
    if not results:
        return {}
    initiative_ids = {r.initiative_id for r in results}
    year_ids = {r.fiscal_year_id for r in results}
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.filter(initiative__in=initiative_ids).order_by("order"):
        indicators[indicator.initiative_id].append(indicator)
    targets = {
        (indicator_id, year_id): value
        for indicator_id, year_id, value in Target.objects.filter(
            indicator__initiative__in=initiative_ids, fiscal_year__in=year_ids
        ).values_list("indicator_id", "fiscal_year_id", "value")
    }
    field = "published_value" if published else "value"
    actuals = {
        (result_id, indicator_id): value
        for result_id, indicator_id, value in Actual.objects.filter(
            result__in=[r.pk for r in results]
        ).values_list("result_id", "indicator_id", field)
    }
    return {
        result.pk: [
            Figure(
                name=indicator.name,
                unit=indicator.unit,
                comparison=indicator.comparison,
                target=targets.get((indicator.pk, result.fiscal_year_id)),
                actual=actuals.get((result.pk, indicator.pk)),
            )
            for indicator in indicators[result.initiative_id]
        ]
        for result in results
    }


def _findings(result: Result, figures: list[Figure], *, published: bool) -> list[Finding]:
    if published:
        return findings(status=result.published_status, note=result.published_note, figures=figures)
    if not result.status:
        return []
    return findings(status=result.status, note=result.note, figures=figures)


def findings_for(results: Iterable[Result], *, published: bool = False) -> dict[int, list[Finding]]:
    """Result id → its findings (working copy, or the published copy), without N+1 queries."""
    results = list(results)
    figures = figures_for(results, published=published)
    return {r.pk: _findings(r, figures[r.pk], published=published) for r in results}


def result_findings(result: Result, *, published: bool = False) -> list[Finding]:
    """The findings of one result."""
    return findings_for([result], published=published)[result.pk]


def entry_findings(
    result: Result, *, status: str, note: str, actuals: dict[int, Decimal | None]
) -> list[Finding]:
    """The findings of values being entered (not saved yet) for `result`'s year."""
    if not status:
        return []
    targets = dict(
        Target.objects.filter(
            indicator__initiative=result.initiative_id, fiscal_year=result.fiscal_year_id
        ).values_list("indicator_id", "value")
    )
    figures = [
        Figure(
            name=indicator.name,
            unit=indicator.unit,
            comparison=indicator.comparison,
            target=targets.get(indicator.pk),
            actual=actuals.get(indicator.pk),
        )
        for indicator in Indicator.objects.filter(initiative=result.initiative_id).order_by("order")
    ]
    return findings(status=status, note=note, figures=figures)


def sheet_findings(rows: list[tuple[Result, str, str, dict]]) -> list[str]:
    """The 「確認事項」 of spreadsheet rows about to be imported, in one line each ("" when
    consistent): each row is (its result, status, 確定時期, the row's actuals by indicator id),
    judged over the saved actuals it leaves out. Three queries for the whole file."""
    figures = figures_for([row[0] for row in rows])
    texts = []
    for result, status, note, actuals in rows:
        names = {i.pk: i.name for i in result.initiative.indicators.all()} if actuals else {}
        typed = {names[pk]: value for pk, value in actuals.items() if pk in names}
        merged = [
            replace(f, actual=typed[f.name]) if f.name in typed else f for f in figures[result.pk]
        ]
        found = findings(status=status, note=note, figures=merged) if status else []
        texts.append(findings_text(found))
    return texts


def findings_text(found: list[Finding]) -> str:
    """Findings in one line, for a spreadsheet preview's 「確認事項」 column ("" when none)."""
    return " / ".join(
        f"{'要修正' if f.severity is Severity.ERROR else '要理由'}: {f.message}" for f in found
    )


def clean_reason(reason: str) -> str:
    """The one-line reason for accepting warnings: stripped, no line breaks, bounded."""
    reason = (reason or "").strip()
    if "\n" in reason or "\r" in reason:
        raise ValidationError({"consistency_reason": "理由は改行なしの一行で書いてください。"})
    if len(reason) > REASON_MAX:
        message = f"理由は{REASON_MAX}字以内で書いてください（今は{len(reason)}字）。"
        raise ValidationError({"consistency_reason": message})
    return reason


def month_start(value: datetime.date | None) -> datetime.date | None:
    """The first day of `value`'s month (the 確定予定月 is stored so)."""
    return value.replace(day=1) if value else None
