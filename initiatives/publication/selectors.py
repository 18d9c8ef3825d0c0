"""Reads of the editions: the latest one of a year, how much of the year is public, and a
plan's final achievement summary over its published years."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from initiatives.models import FiscalYear, Plan, Result
from initiatives.publication.models import Edition
from initiatives.vocabulary import STATUS_ORDER, era_label, era_label_western, status_label


def latest_edition(fiscal_year: FiscalYear) -> Edition | None:
    """The year's newest edition, or None before its first publication."""
    return Edition.objects.filter(fiscal_year=fiscal_year).order_by("-number").first()


def latest_editions(*, years: list[int] | None = None) -> dict[int, Edition]:
    """The newest edition of each fiscal year (keyed by year), in one query."""
    editions = Edition.objects.select_related("fiscal_year").order_by(
        "fiscal_year__year", "-number"
    )
    if years is not None:
        editions = editions.filter(fiscal_year__year__in=years)
    latest: dict[int, Edition] = {}
    for edition in editions:
        latest.setdefault(edition.fiscal_year.year, edition)
    return latest


def first_published_at(edition: Edition):
    """The edition's 公表日: its own date, or for a correction (訂正) the date of the
    publication it corrects (its own date is then the 訂正日)."""
    if edition.kind == Edition.Kind.PUBLICATION:
        return edition.published_at
    publication = (
        Edition.objects.filter(
            fiscal_year_id=edition.fiscal_year_id,
            number__lt=edition.number,
            kind=Edition.Kind.PUBLICATION,
        )
        .order_by("-number")
        .first()
    )
    return publication.published_at if publication else edition.published_at


@dataclass(frozen=True)
class EditionCounts:
    """How many of a year's results are public: 「124件中 40件を公表（集計中）」."""

    year: int
    published: int
    total: int
    edition: Edition | None = None

    @property
    def published_at(self):
        """公表日: the edition's date, or for a correction the publication it corrects."""
        return first_published_at(self.edition) if self.edition else None

    @property
    def corrected_at(self):
        """訂正日 of a correction edition, else None."""
        if self.edition and self.edition.kind == Edition.Kind.CORRECTION:
            return self.edition.published_at
        return None

    @property
    def partial(self) -> bool:
        return self.published < self.total

    @property
    def label(self) -> str:
        """「令和6年度（2024年度）: 124件中 40件を公表（集計中）」, or 「…: 124件すべてを公表」."""
        year = era_label_western(self.year)
        if self.partial:
            return f"{year}: {self.total}件中 {self.published}件を公表（集計中）"
        return f"{year}: {self.total}件すべてを公表"


def edition_counts(fiscal_year: FiscalYear, *, edition: Edition | None = None) -> EditionCounts:
    """Published vs total results of the year, as of its latest edition.

    A year without an edition (results marked published outside `publish_year`) is counted
    from the results themselves.
    """
    edition = edition or latest_edition(fiscal_year)
    if edition is not None:
        return EditionCounts(
            year=fiscal_year.year,
            published=edition.published_count,
            total=edition.total_count,
            edition=edition,
        )
    results = Result.objects.filter(fiscal_year=fiscal_year)
    return EditionCounts(
        year=fiscal_year.year,
        published=results.filter(published_at__isnull=False).count(),
        total=results.count(),
    )


def counts_by_year(*, years: list[FiscalYear]) -> dict[int, EditionCounts]:
    """edition_counts for several years (the public pages' headings)."""
    editions = latest_editions(years=[fy.year for fy in years])
    return {fy.year: edition_counts(fy, edition=editions.get(fy.year)) for fy in years}


def publication_status(*, years: list[FiscalYear]) -> list[EditionCounts]:
    """Each published year's completeness and edition, as every public page heads it.

    Two queries: the latest editions, and the results counted per year (for a year published
    without an edition).
    """
    editions = latest_editions(years=[fy.year for fy in years])
    rows = (
        Result.objects.filter(fiscal_year__in=years)
        .values("fiscal_year__year")
        .annotate(total=Count("pk"), published=Count("pk", filter=Q(published_at__isnull=False)))
    )
    live = {row["fiscal_year__year"]: row for row in rows}
    status = []
    for fy in years:
        edition = editions.get(fy.year)
        if edition is not None:
            status.append(edition_counts(fy, edition=edition))
        elif live.get(fy.year, {}).get("published"):
            row = live[fy.year]
            status.append(
                EditionCounts(year=fy.year, published=row["published"], total=row["total"])
            )
    return status


@dataclass(frozen=True)
class SummaryCell:
    """One status of a summary row: 「達成 80件（64.5%）」."""

    status: str
    label: str
    count: int
    rate: float  # percent of the row's published results with a status


@dataclass(frozen=True)
class SummaryRow:
    """達成 / 未達成 / 未確定 of a plan in one fiscal year (or all its years: 合計)."""

    label: str
    cells: list[SummaryCell]
    counted: int  # published results with a status
    # The year's publication (how many of how many, 集計中); None for 合計 and unpublished years.
    counts: EditionCounts | None
    partial: bool  # 集計中 (some results not public), or for 合計 any year so
    published: bool  # anything of the row is public


def _summary_row(label: str, by_status: dict[str, int], **rest) -> SummaryRow:
    counted = sum(by_status.values())
    return SummaryRow(
        label=label,
        cells=[
            SummaryCell(
                status=status,
                label=status_label(status),
                count=by_status.get(status, 0),
                rate=round(100 * by_status.get(status, 0) / counted, 1) if counted else 0.0,
            )
            for status in STATUS_ORDER
        ],
        counted=counted,
        **rest,
    )


def final_summary(*, plan: Plan) -> list[SummaryRow]:
    """The plan's achievement over its whole period, from published results only: one row per
    fiscal year and a 合計 row. A year that is not wholly public is 集計中, as on every public
    page (its rates are those of its published part); so is the total while any year is.
    Three queries whatever the number of results."""
    years = list(FiscalYear.objects.filter(year__range=(plan.start_year, plan.end_year)))
    status = {counts.year: counts for counts in publication_status(years=years)}
    counted: dict[int, Counter] = defaultdict(Counter)
    for year, published_status, n in (
        Result.objects.filter(initiative__plan=plan, published_at__isnull=False)
        .exclude(published_status="")
        .values_list("fiscal_year__year", "published_status")
        .annotate(n=Count("pk"))
    ):
        counted[year][published_status] += n
    rows = [
        _summary_row(
            era_label(fy.year),
            counted[fy.year],
            counts=status.get(fy.year),
            partial=fy.year not in status or status[fy.year].partial,
            published=fy.year in status,
        )
        for fy in years
    ]
    total = sum((counted[fy.year] for fy in years), Counter())
    rows.append(
        _summary_row(
            "合計",
            total,
            counts=None,
            partial=any(row.partial for row in rows),
            published=any(row.published for row in rows),
        )
    )
    return rows
