"""The public report files of each edition: made at publication, served as they are.

A public file's key is derived from (edition, template version, kind, department) — no
report HTML is built to find it — so a download is one query and a file response. Anonymous
requests never queue a rendering: `queue_edition_files` runs after a publication commits.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Department, Edition, FiscalYear, Initiative
from ops.sql import column, fits, table
from reports.models import RenderedReport
from reports.rendering import TEMPLATE_VERSION
from reports.services import QUEUE_WAIT, needs_rendering, retry_report
from reports.services import _recover as recover_report

Kind = RenderedReport.Kind

# The files every edition has, besides one PDF per department with results that year.
YEAR_KINDS = (Kind.FULL, Kind.SUMMARY, Kind.ASSEMBLY, Kind.XLSX, Kind.ASSEMBLY_XLSX)
PUBLIC_KINDS = (*YEAR_KINDS, Kind.DEPARTMENT)
URL_NAMES = {
    Kind.FULL: "reports:full",
    Kind.SUMMARY: "reports:summary",
    Kind.ASSEMBLY: "reports:assembly",
    Kind.XLSX: "reports:xlsx",
    Kind.ASSEMBLY_XLSX: "reports:assembly_xlsx",
}


def edition_key(*, edition: Edition, kind: str, department_id: int | None = None) -> str:
    """The cache key of one public file of one edition: cheap, no report HTML involved."""
    text = f"edition|{edition.pk}|{edition.number}|{TEMPLATE_VERSION}|{kind}|{department_id or ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def edition_departments(fiscal_year: FiscalYear) -> list[Department]:
    """Departments owning an initiative with a published result in the year."""
    initiatives = Initiative.objects.filter(
        results__fiscal_year=fiscal_year, results__published_at__isnull=False
    )
    return list(
        Department.objects.filter(ownerships__initiative__in=initiatives).distinct().order_by("pk")
    )


def queue_edition_files(
    *,
    edition_id: int,
    kinds: tuple[str, ...] = PUBLIC_KINDS,
    department_ids: list[int] | None = None,
) -> list[RenderedReport]:
    """Queue the rendering of the edition's public files (each once; idempotent).

    `kinds` and `department_ids` narrow it (the tests, the render_editions command).
    """
    from reports.tasks import render_report_task

    edition = Edition.objects.select_related("fiscal_year").get(pk=edition_id)
    wanted: list[tuple[str, Department | None]] = [(k, None) for k in YEAR_KINDS if k in kinds]
    if Kind.DEPARTMENT in kinds:
        wanted += [
            (Kind.DEPARTMENT, d)
            for d in edition_departments(edition.fiscal_year)
            if department_ids is None or d.pk in department_ids
        ]
    queued = []
    again = []
    for kind, department in wanted:
        key = edition_key(edition=edition, kind=kind, department_id=department and department.pk)
        report = RenderedReport.objects.filter(content_key=key).first()
        if report is not None:
            if report.state == RenderedReport.State.FAILED:
                again.append(retry_report(report=report))  # a new round of attempts
            elif needs_rendering(report):
                again.append(recover_report(report))  # lost file, lost task, dead worker
            continue
        report = RenderedReport(
            kind=kind,
            fiscal_year=edition.fiscal_year,
            department=department,
            edition=edition,
            content_key=key,
            lease_until=timezone.now() + QUEUE_WAIT,
        )
        report.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            continue  # queued by someone else a moment ago
        queued.append(report)
    for report in queued:
        render_report_task.enqueue(report.pk)
    return queued + again


def served_file(*, year: int, kind: str, department_id: int | None = None) -> RenderedReport | None:
    """The newest finished public file of the kind: the latest edition's, else an earlier one's.

    One query of the columns a download needs; the caller checks that the file is on disk.
    Every public download runs it, so its SQL is written once rather than compiled from a
    queryset per request (compiling cost twice the rest of the download).
    """
    if not fits(FiscalYear, "year", year) or (
        department_id is not None and not fits(RenderedReport, "department", department_id)
    ):
        return None  # no row has such a number
    params: list[object] = [kind, year, RenderedReport.State.DONE.value]
    if department_id is not None:
        params.append(department_id)
    found = list(RenderedReport.objects.raw(_served_sql(department_id is not None), params))
    return found[0] if found else None


@functools.cache
def _served_sql(for_department: bool) -> str:
    r = functools.partial(column, "r", RenderedReport)
    department = f"{r('department')} = %s" if for_department else f"{r('department')} IS NULL"
    return (
        f"SELECT {r('id')}, {r('file')}, {r('content_key')}, {r('finished_at')} "
        f"FROM {table(RenderedReport)} r "
        f"JOIN {table(Edition)} e ON {column('e', Edition, 'id')} = {r('edition')} "
        f"JOIN {table(FiscalYear)} y ON {column('y', FiscalYear, 'id')} = {r('fiscal_year')} "
        f"WHERE {r('kind')} = %s AND {column('y', FiscalYear, 'year')} = %s "
        f"AND {r('state')} = %s AND {department} "
        f"ORDER BY {column('e', Edition, 'number')} DESC, {r('finished_at')} DESC LIMIT 1"
    )


@dataclass
class PublicFile:
    """One public download as a page links it: ready (with its 公表日) or being made."""

    kind: str
    url: str
    report: RenderedReport | None
    latest: Edition | None

    @property
    def ready(self) -> bool:
        return self.report is not None

    @property
    def edition(self) -> Edition | None:
        return self.report.edition if self.report else None

    @property
    def previous(self) -> bool:
        """The file is an earlier edition's while the latest one's is being made."""
        return self.ready and self.latest is not None and self.edition.pk != self.latest.pk


def public_files(
    *, fiscal_years: list[FiscalYear], editions: dict[int, Edition]
) -> dict[int, dict[str, PublicFile]]:
    """Per year, per kind (full, summary, …): what the page may link. Two queries at most."""
    done = (
        RenderedReport.objects.filter(
            Q(kind__in=YEAR_KINDS),
            fiscal_year__in=fiscal_years,
            state=RenderedReport.State.DONE,
            edition__isnull=False,
        )
        .select_related("edition")
        .order_by("-edition__number", "-finished_at")
    )
    newest: dict[tuple[int, str], RenderedReport] = {}
    for report in done:
        newest.setdefault((report.fiscal_year_id, report.kind), report)
    files: dict[int, dict[str, PublicFile]] = {}
    for fy in fiscal_years:
        files[fy.year] = {
            str(kind): PublicFile(
                kind=str(kind),
                url=reverse(URL_NAMES[kind], args=[fy.year]),
                report=newest.get((fy.pk, kind)),
                latest=editions.get(fy.year),
            )
            for kind in YEAR_KINDS
        }
    return files
