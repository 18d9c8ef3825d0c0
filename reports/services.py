"""Writes for the reports: the cached report files and their rendering (in the worker).

A rendering holds a lease (`lease_until`): a queued report must be picked up by a worker
within QUEUE_WAIT, a running one renews its lease every HEARTBEAT while it renders. A
request for HQ's draft (or `render_editions`, or a publication) that finds the lease run out
(the worker was killed, the queue lost the task) starts the rendering again. Every start
counts as an attempt; after MAX_ATTEMPTS the report is FAILED and stays so until someone
asks again (`retry_report`, `render_editions`), instead of polling forever.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from initiatives.models import Department, Edition, FiscalYear, Plan
from initiatives.plan.selectors import plan_of_year
from reports.assembly import assembly_data
from reports.excel import achievement_workbook, assembly_workbook
from reports.models import RenderedReport
from reports.rendering import assembly_html, html_to_pdf, report_html
from reports.selectors import report_data

logger = logging.getLogger(__name__)

# A running rendering renews its lease this often, for this long.
HEARTBEAT = timedelta(seconds=10)
LEASE = timedelta(seconds=30)
# A queued rendering not picked up by a worker within this time is queued again.
QUEUE_WAIT = timedelta(minutes=2)
# Starts (including ones whose worker died) before a report counts as failed.
MAX_ATTEMPTS = 3


@dataclass
class ReportRequest:
    kind: str
    fiscal_year: FiscalYear
    department: Department | None = None
    edition: Edition | None = None

    @property
    def draft(self) -> bool:
        return self.kind == RenderedReport.Kind.DRAFT


def _plan_of(request: ReportRequest) -> Plan:
    """The plan the report's fiscal year belongs to (periods do not overlap)."""
    plan = plan_of_year(request.fiscal_year.year)
    if plan is None:
        raise Plan.DoesNotExist(f"{request.fiscal_year.label}を含むプランがありません。")
    return plan


def build_html(*, request: ReportRequest) -> tuple[str, str]:
    """The report's HTML and content key for the data as it is now."""
    if request.kind == RenderedReport.Kind.ASSEMBLY:
        rendered = assembly_html(
            data=assembly_data(plan=_plan_of(request), fiscal_year=request.fiscal_year),
            edition=request.edition,
        )
        return rendered.html, rendered.key
    data = report_data(
        plan=_plan_of(request),
        fiscal_year=request.fiscal_year,
        draft=request.draft,
        department=request.department,
    )
    rendered = report_html(data=data, kind=request.kind, edition=request.edition)
    return rendered.html, rendered.key


def render_xlsx(*, request: ReportRequest) -> bytes:
    """The Excel tables (取組事項一覧 or 議会報告) for the published data as it is now."""
    if request.kind == RenderedReport.Kind.ASSEMBLY_XLSX:
        return assembly_workbook(
            data=assembly_data(plan=_plan_of(request), fiscal_year=request.fiscal_year)
        )
    return achievement_workbook(
        data=report_data(plan=_plan_of(request), fiscal_year=request.fiscal_year)
    )


XLSX_KINDS = (RenderedReport.Kind.XLSX, RenderedReport.Kind.ASSEMBLY_XLSX)


def render_pdf(*, request: ReportRequest) -> tuple[bytes, int]:
    """Render a report synchronously (the command line); returns the PDF and its page count."""
    html, _key = build_html(request=request)
    return html_to_pdf(html=html)


def request_report(*, request: ReportRequest) -> RenderedReport:
    """HQ's draft: the cached file for the current data, queuing its rendering when there is
    none. The key is the hash of the draft's HTML, so any change yields a new file.

    Public files are not made here: they are rendered per edition at publication
    (reports.editions) and never on a request.
    """
    _html, key = build_html(request=request)
    report = RenderedReport.objects.filter(content_key=key).first()
    if report is not None:
        return _recover(report)
    report = RenderedReport(
        kind=request.kind,
        fiscal_year=request.fiscal_year,
        department=request.department,
        content_key=key,
    )
    report.lease_until = timezone.now() + QUEUE_WAIT
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Another request queued the same report a moment ago: use theirs.
        return RenderedReport.objects.get(content_key=key)
    return _enqueue(report)


def _enqueue(report: RenderedReport) -> RenderedReport:
    from reports.tasks import render_report_task

    render_report_task.enqueue(report.pk)
    report.refresh_from_db()
    return report


def needs_rendering(report: RenderedReport) -> bool:
    """Failed, or done but its file is gone, or queued/running past its lease."""
    if report.state == RenderedReport.State.FAILED:
        return True
    if report.state == RenderedReport.State.DONE:
        return not report.file or not report.file.storage.exists(report.file.name)
    return _lease_expired(report)


def _lease_expired(report: RenderedReport) -> bool:
    since = report.started_at or report.requested_at
    lease = report.lease_until or since + QUEUE_WAIT
    return lease < timezone.now()


def _recover(report: RenderedReport) -> RenderedReport:
    """A report as it should be served: a lost file, a lost task or a dead worker make the
    rendering start again (a dead worker's start counted as an attempt)."""
    State = RenderedReport.State
    if report.state == State.DONE:
        if report.file and report.file.storage.exists(report.file.name):
            return report
        return _requeue(report, reason="作成済みのファイルが見つかりません。", counted=False)
    if report.state == State.FAILED or not _lease_expired(report):
        return report
    if report.state == State.PENDING:
        # The queue lost the task or no worker runs: queue it again (not a failed attempt).
        return _requeue(report, reason=report.error, counted=False)
    logger.warning(
        "報告書の作成が止まりました（応答の期限切れ、%s回目）: %s", report.attempts, report
    )
    return _requeue(
        report,
        reason="作成中に処理が止まりました（応答がなくなりました）。",
        counted=True,
    )


def _requeue(report: RenderedReport, *, reason: str, counted: bool) -> RenderedReport:
    """Queue the rendering again from the state just read, or mark it failed when its
    attempts are used up. Only one request does it (the update checks the state read)."""
    State = RenderedReport.State
    used_up = counted and report.attempts >= MAX_ATTEMPTS
    changes = {"error": reason[:2000], "lease_until": timezone.now() + QUEUE_WAIT}
    if used_up:
        changes.update(state=State.FAILED, finished_at=timezone.now(), lease_until=None)
    else:
        changes.update(state=State.PENDING)
    if report.state == State.DONE:
        changes.update(attempts=0)  # a lost file: a new round
    taken = RenderedReport.objects.filter(
        pk=report.pk, state=report.state, attempts=report.attempts, lease_until=report.lease_until
    ).update(**changes)
    if not taken or used_up:
        report.refresh_from_db()
        return report
    return _enqueue(report)


def retry_report(*, report: RenderedReport) -> RenderedReport:
    """Start a failed report again with a new round of attempts (「もう一度作成する」)."""
    taken = RenderedReport.objects.filter(pk=report.pk, state=RenderedReport.State.FAILED).update(
        state=RenderedReport.State.PENDING,
        attempts=0,
        lease_until=timezone.now() + QUEUE_WAIT,
    )
    if not taken:
        report.refresh_from_db()
        return report
    return _enqueue(report)


def render_pending_report(*, report_id: int) -> None:
    """Render a queued report to its file and remove the older files of the same report.

    Takes the report only if it is waiting (or its lease ran out), renews the lease while
    rendering and stores the file only if no later attempt took the report over meanwhile.
    """
    attempt = _claim(report_id)
    if attempt is None:
        return
    report = RenderedReport.objects.select_related("fiscal_year", "department", "edition").get(
        pk=report_id
    )
    started = time.perf_counter()
    request = ReportRequest(
        kind=report.kind,
        fiscal_year=report.fiscal_year,
        department=report.department,
        edition=report.edition,
    )
    heartbeat = Heartbeat(report_id=report.pk, attempt=attempt)
    heartbeat.start()
    try:
        if report.kind in XLSX_KINDS:
            content, pages, extension = render_xlsx(request=request), None, "xlsx"
        else:
            (content, pages), extension = render_pdf(request=request), "pdf"
    except Exception as error:
        heartbeat.stop()
        _attempt_failed(report, attempt=attempt, error=error)
        raise
    heartbeat.stop()
    name = f"{report.fiscal_year.year}-{report.kind}-{report.content_key[:16]}.{extension}"
    report.file.save(name, ContentFile(content), save=False)
    finished = RenderedReport.objects.filter(
        pk=report.pk, state=RenderedReport.State.RUNNING, attempts=attempt
    ).update(
        state=RenderedReport.State.DONE,
        file=report.file.name,
        pages=pages,
        finished_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 2),
        lease_until=None,
        error="",
    )
    if not finished:
        # A later attempt took over (this one was thought dead): its file is the one kept.
        report.file.delete(save=False)
        return
    report.refresh_from_db()
    remove_stale_reports(report=report)


def _claim(report_id: int) -> int | None:
    """Take a waiting report (or one whose lease ran out) for rendering: its attempt number,
    or None when another worker has it, it is done, or its attempts are used up."""
    now = timezone.now()
    State = RenderedReport.State
    expired = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    taken = (
        RenderedReport.objects.filter(pk=report_id, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(state=State.PENDING) | (Q(state=State.RUNNING) & expired))
        .update(
            state=State.RUNNING,
            started_at=now,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )
    if not taken:
        return None
    return RenderedReport.objects.values_list("attempts", flat=True).get(pk=report_id)


def _attempt_failed(report: RenderedReport, *, attempt: int, error: Exception) -> None:
    """An error while rendering: try again while attempts are left, else FAILED."""
    reason = repr(error)[:2000]
    State = RenderedReport.State
    mine = RenderedReport.objects.filter(pk=report.pk, state=State.RUNNING, attempts=attempt)
    if attempt >= MAX_ATTEMPTS:
        mine.update(state=State.FAILED, error=reason, finished_at=timezone.now(), lease_until=None)
        return
    if mine.update(state=State.PENDING, error=reason, lease_until=timezone.now() + QUEUE_WAIT):
        _enqueue(report)


class Heartbeat:
    """Renews a running report's lease every HEARTBEAT from a thread of its own.

    Only where the rendering runs outside a transaction (the worker, or a request without
    one): inside a transaction (the tests' immediate backend) the thread's own connection
    would wait for the rows that transaction holds, and the rendering there is synchronous
    anyway."""

    def __init__(self, *, report_id: int, attempt: int) -> None:
        self.report_id, self.attempt = report_id, attempt
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if connection.in_atomic_block:
            return
        self._thread = threading.Thread(target=self._run, name="report-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT.total_seconds() + 5)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(HEARTBEAT.total_seconds()):
                beat(report_id=self.report_id, attempt=self.attempt)
        finally:
            connection.close()


def beat(*, report_id: int, attempt: int) -> bool:
    """Renew the lease of a running attempt; False when the attempt is no longer current."""
    try:
        return bool(
            RenderedReport.objects.filter(
                pk=report_id, state=RenderedReport.State.RUNNING, attempts=attempt
            ).update(lease_until=timezone.now() + LEASE)
        )
    except DatabaseError:
        logger.warning("報告書の作成の生存報告を書けませんでした: %s", report_id, exc_info=True)
        return False


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
