"""Reads for the report to the assembly (議会報告) of one fiscal year, public data only:
the achievement summary, the 未達成 and 未確定 initiatives with their published result text,
the committee's published opinions on that year with the city's published responses, and
the plan revisions made in that fiscal year or led to by those opinions.

The achievement part is the plan report's own data (`reports.selectors.report_data`), so
both reports count the same way; the committee part comes from
`governance.public.selectors`, which see published records only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from governance.public.selectors import PublicOpinion, opinions_of_year, published_opinions
from initiatives.models import FiscalYear, Initiative, Plan, PlanRevision, Result
from initiatives.vocabulary import Status, status_label
from reports.selectors import ReportData, report_data, status_counts

# The statuses whose initiatives the assembly reads one by one, with their reasons.
SHORTFALL_STATUSES = (Status.NOT_ACHIEVED, Status.UNDETERMINED)


@dataclass
class Shortfall:
    """An initiative that was not achieved (or not yet determined) in the year."""

    initiative: Initiative
    status: str
    text: str
    note: str


@dataclass
class ShortfallGroup:
    status: str
    label: str
    rows: list[Shortfall]


@dataclass
class RevisionRow:
    """A plan revision of the year, the initiatives it added and the opinions behind it."""

    revision: PlanRevision
    added: list[Initiative]
    opinions: list[tuple[PublicOpinion, str]]  # (opinion, what it led to)


@dataclass
class AssemblyData:
    """Everything the 議会報告 shows, already read from the database."""

    base: ReportData
    totals: dict[str, int]  # status code → initiatives of the year ("" = not reported)
    shortfalls: list[ShortfallGroup]
    opinions: list[PublicOpinion]
    revisions: list[RevisionRow]

    @property
    def fiscal_year(self) -> FiscalYear:
        return self.base.fiscal_year

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def meetings(self) -> list:
        seen: dict[int, object] = {}
        for item in self.opinions:
            seen.setdefault(item.meeting.pk, item.meeting)
        return list(seen.values())


def fiscal_year_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """A Japanese fiscal year runs from 1 April to 31 March."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def _shortfalls(plan: Plan, fiscal_year: FiscalYear) -> list[ShortfallGroup]:
    results = (
        Result.objects.filter(
            initiative__plan=plan,
            fiscal_year=fiscal_year,
            published_at__isnull=False,
            published_status__in=SHORTFALL_STATUSES,
        )
        .select_related("initiative")
        .prefetch_related("initiative__owners__department")
        .order_by("initiative__order")
    )
    groups = {
        s: ShortfallGroup(status=s, label=status_label(s), rows=[]) for s in SHORTFALL_STATUSES
    }
    for result in results:
        groups[result.published_status].rows.append(
            Shortfall(
                initiative=result.initiative,
                status=result.published_status,
                text=result.published_text,
                note=result.published_note,
            )
        )
    return list(groups.values())


def _revisions(plan: Plan, year: int, opinions: list[PublicOpinion]) -> list[RevisionRow]:
    first, last = fiscal_year_dates(year)
    linked = {o.revision.pk for item in opinions for o in item.outcomes}
    revisions = (
        PlanRevision.objects.filter(plan=plan, kind=PlanRevision.Kind.REVISION)
        .filter(Q(date__range=(first, last)) | Q(pk__in=linked))
        .prefetch_related("added_initiatives")
        .order_by("date", "code")
    )
    rows = []
    for revision in revisions:
        behind = [
            (item, outcome.note)
            for item in opinions
            for outcome in item.outcomes
            if outcome.revision.pk == revision.pk
        ]
        # Published opinions of other years that led to this revision are named too.
        shown = {item.opinion.pk for item, _note in behind}
        others = (
            published_opinions()
            .filter(outcomes__revision=revision)
            .exclude(pk__in=shown)
            .select_related("meeting__committee")
            .order_by("meeting__date", "order")
        )
        rows.append(
            RevisionRow(
                revision=revision,
                added=sorted(revision.added_initiatives.all(), key=lambda i: i.order),
                opinions=[*behind, *((_other(o), "") for o in others)],
            )
        )
    return rows


def _other(opinion) -> PublicOpinion:
    return PublicOpinion(
        opinion=opinion,
        meeting=opinion.meeting,
        target="",
        target_url="",
        initiatives=[],
        responses=[],
    )


def assembly_data(*, plan: Plan, fiscal_year: FiscalYear) -> AssemblyData:
    """Read the 議会報告 of `fiscal_year` (published data only)."""
    base = report_data(plan=plan, fiscal_year=fiscal_year)
    opinions = opinions_of_year(plan=plan, year=fiscal_year.year)
    return AssemblyData(
        base=base,
        totals=status_counts(data=base).get(fiscal_year.year, {}),
        shortfalls=_shortfalls(plan, fiscal_year),
        opinions=opinions,
        revisions=_revisions(plan, fiscal_year.year, opinions),
    )
