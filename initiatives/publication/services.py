"""Writes of the editions: recording what a publication made public."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max

from initiatives.models import FiscalYear, Result
from initiatives.publication.models import Edition


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
    """REPORTS_RENDER_ON_PUBLICATION=0 (the test suite's default) leaves it to the tests."""
    from django.conf import settings

    from reports.editions import queue_edition_files

    if settings.REPORTS_RENDER_ON_PUBLICATION:
        queue_edition_files(edition_id=edition_id)
