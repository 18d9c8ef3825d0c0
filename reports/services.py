"""Writes for the reports: the cached report files and their rendering."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from initiatives.models import Department, FiscalYear
from initiatives.plan.selectors import get_plan
from reports.assembly import assembly_data
from reports.models import RenderedReport
from reports.rendering import assembly_html, html_to_pdf, report_html
from reports.selectors import report_data

# A report queued or rendering for longer than this is queued again (its worker stopped).
STALE_AFTER = timedelta(minutes=10)


@dataclass
class ReportRequest:
    kind: str
    fiscal_year: FiscalYear
    department: Department | None = None

    @property
    def draft(self) -> bool:
        return self.kind == RenderedReport.Kind.DRAFT


def build_html(*, request: ReportRequest) -> tuple[str, str]:
    """The report's HTML and content key for the data as it is now."""
    if request.kind == RenderedReport.Kind.ASSEMBLY:
        rendered = assembly_html(
            data=assembly_data(plan=get_plan(), fiscal_year=request.fiscal_year)
        )
        return rendered.html, rendered.key
    data = report_data(
        plan=get_plan(),
        fiscal_year=request.fiscal_year,
        draft=request.draft,
        department=request.department,
    )
    rendered = report_html(data=data, kind=request.kind)
    return rendered.html, rendered.key


def render_pdf(*, request: ReportRequest) -> tuple[bytes, int]:
    """Render a report synchronously (the command line); returns the PDF and its page count."""
    html, _key = build_html(request=request)
    return html_to_pdf(html=html)


def request_report(*, request: ReportRequest) -> RenderedReport:
    """The cached report for the current data, queuing its rendering when there is none.

    The key is computed from the data that goes into the report, so publishing (or any change
    to what the report shows) yields a new key and therefore a new file.
    """
    from reports.tasks import render_report_task

    _html, key = build_html(request=request)
    report = RenderedReport.objects.filter(content_key=key).first()
    if report is not None and not _needs_rendering(report):
        return report
    if report is None:
        report = RenderedReport(
            kind=request.kind,
            fiscal_year=request.fiscal_year,
            department=request.department,
            content_key=key,
        )
    report.state = RenderedReport.State.PENDING
    report.error = ""
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Another request queued the same report a moment ago: use theirs.
        return RenderedReport.objects.get(content_key=key)
    render_report_task.enqueue(report.pk)
    report.refresh_from_db()
    return report


def _needs_rendering(report: RenderedReport) -> bool:
    """Failed, or queued/running for so long that its worker must have stopped."""
    if report.state == RenderedReport.State.FAILED:
        return True
    if report.state == RenderedReport.State.DONE:
        return not report.file or not report.file.storage.exists(report.file.name)
    since = report.started_at or report.requested_at
    return timezone.now() - since > STALE_AFTER


def render_pending_report(*, report_id: int) -> None:
    """Render a queued report to its file and remove the older files of the same report."""
    report = RenderedReport.objects.select_related("fiscal_year", "department").get(pk=report_id)
    if report.state == RenderedReport.State.DONE:
        return
    report.state = RenderedReport.State.RUNNING
    report.started_at = timezone.now()
    report.save(update_fields=["state", "started_at"])
    started = time.perf_counter()
    try:
        pdf, pages = render_pdf(
            request=ReportRequest(
                kind=report.kind, fiscal_year=report.fiscal_year, department=report.department
            )
        )
    except Exception as error:
        report.state = RenderedReport.State.FAILED
        report.error = repr(error)
        report.finished_at = timezone.now()
        report.save(update_fields=["state", "error", "finished_at"])
        raise
    name = f"{report.fiscal_year.year}-{report.kind}-{report.content_key[:16]}.pdf"
    report.file.save(name, ContentFile(pdf), save=False)
    report.pages = pages
    report.state = RenderedReport.State.DONE
    report.finished_at = timezone.now()
    report.seconds = round(time.perf_counter() - started, 2)
    report.full_clean()
    report.save()
    remove_stale_reports(report=report)


@transaction.atomic
def remove_stale_reports(*, report: RenderedReport) -> int:
    """Delete the older renderings (and files) of the same report once a newer one is done."""
    stale = RenderedReport.objects.filter(
        kind=report.kind,
        fiscal_year=report.fiscal_year,
        department=report.department,
        requested_at__lte=report.requested_at,
    ).exclude(pk=report.pk)
    count = 0
    for old in stale:
        if old.file:
            old.file.delete(save=False)
        old.delete()
        count += 1
    return count
