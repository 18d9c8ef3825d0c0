"""Report downloads: each edition's public files (made at publication, served as files) and
HQ's draft (rendered on request). Nothing public is rendered or queued by a request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from initiatives.models import Department, Edition, FiscalYear, Plan
from initiatives.plan.selectors import plan_of_year
from initiatives.public.plans import plan_scoped
from initiatives.roles import is_hq
from reports.editions import served_file
from reports.models import RenderedReport
from reports.services import MAX_ATTEMPTS, ReportRequest, request_report, retry_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fiscal_year(request: HttpRequest, year: int) -> FiscalYear:
    """The year asked for, within the plan of the URL: under /plans/<slug>/ that plan's
    period; unprefixed, any plan's (a year belongs to one plan, so links published while an
    earlier plan was current keep answering)."""
    if getattr(request, "plan_prefixed", False):
        inside = request.plan.contains_year(year)
    else:
        inside = plan_of_year(year) is not None
    if not inside:
        raise Http404("計画期間外の年度です。")
    return get_object_or_404(FiscalYear, year=year)


RETRY_AFTER_SECONDS = 60
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX}


def _not_ready(
    request: HttpRequest, *, year: int, kind: str, report: RenderedReport | None = None
) -> HttpResponse:
    """503 with Retry-After and a short page: never an HTML page saved under a .pdf name,
    never a self-refresh (the reader reloads when they choose). For HQ's draft (`report`)
    it says what the rendering is doing and, once it failed, offers 「もう一度作成する」."""
    fiscal_year = _fiscal_year(request, year)
    failed = report is not None and report.state == RenderedReport.State.FAILED
    response = render(
        request,
        "reports/progress.html",
        {
            "fiscal_year": fiscal_year,
            "kind_label": RenderedReport.Kind(kind).label,
            "failed": failed,
            "plan": plan_of_year(fiscal_year.year),
            "again": request.get_full_path(),
            "report": report,
            "progress": _progress(report) if report is not None else "",
            "max_attempts": MAX_ATTEMPTS,
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _file_response(report: RenderedReport, *, filename: str, private: bool) -> HttpResponse:
    extension = filename.rsplit(".", 1)[-1]
    response = FileResponse(
        report.file.open("rb"), content_type=CONTENT_TYPES[extension], filename=filename
    )
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


def _serve_public(
    request: HttpRequest, *, year: int, kind: str, filename: str, department_id: int | None = None
) -> HttpResponse:
    """The newest finished file of the year's latest edition (else of an earlier edition).

    One query and a file response; nothing is rendered or queued here — public files are
    made at publication. Until one exists the answer is 503 with Retry-After.
    """
    _fiscal_year(request, year)
    report = served_file(year=year, kind=kind, department_id=department_id)
    if report is not None and report.file and report.file.storage.exists(report.file.name):
        return _file_response(report, filename=filename, private=False)
    if department_id is not None:
        get_object_or_404(Department, pk=department_id)
    if not Edition.objects.filter(fiscal_year__year=year).exists():
        raise Http404("この年度の実施結果はまだ公表されていません。")
    return _not_ready(request, year=year, kind=kind)


def _serve_draft(
    request: HttpRequest, report_request: ReportRequest, filename: str
) -> HttpResponse:
    """HQ's draft renders on request (in the worker); until it is done, the 503 page."""
    report = request_report(request=report_request)
    if request.method == "POST":
        # 「もう一度作成する」 on the page of a failed draft; then back to waiting.
        if report.state == RenderedReport.State.FAILED:
            retry_report(report=report)
        response = HttpResponseRedirect(request.path)
        response.status_code = 303
        return response
    if report.state == RenderedReport.State.DONE:
        return _file_response(report, filename=filename, private=True)
    return _not_ready(
        request, year=report_request.fiscal_year.year, kind=report_request.kind, report=report
    )


def _progress(report: RenderedReport) -> str:
    """What is happening to the draft, in the words of the waiting page."""
    now = timezone.now()
    if report.state == RenderedReport.State.RUNNING:
        started = timezone.localtime(report.started_at).strftime("%H時%M分%S秒")
        return f"作成しています（{started}開始、{report.attempts}回目）。"
    if report.attempts:
        return (
            f"前回の作成が途中で止まったため、作り直しています"
            f"（次が{report.attempts + 1}回目、最大{MAX_ATTEMPTS}回）。"
        )
    waited = int((now - report.requested_at).total_seconds())
    if waited >= 60:
        return (
            f"作成の順番を待っています（{waited // 60}分経過）。混み合っているか、作成する処理が"
            "止まっている可能性があります。このまま待つと、自動でやり直します。"
        )
    return "作成の順番を待っています。"


@require_GET
@plan_scoped
def full_pdf(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    return _serve_public(
        request, year=year, kind=RenderedReport.Kind.FULL, filename=f"kanazawa-plan-{year}.pdf"
    )


@require_GET
@plan_scoped
def summary_pdf(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    return _serve_public(
        request,
        year=year,
        kind=RenderedReport.Kind.SUMMARY,
        filename=f"kanazawa-plan-{year}-summary.pdf",
    )


@require_GET
@plan_scoped
def department_pdf(request: HttpRequest, year: int, department_id: int, plan: Plan) -> HttpResponse:
    return _serve_public(
        request,
        year=year,
        kind=RenderedReport.Kind.DEPARTMENT,
        department_id=department_id,
        filename=f"kanazawa-plan-{year}-department-{department_id}.pdf",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@plan_scoped
def draft_pdf(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    """HQ only: the report from the working (unpublished) results, marked 「案」."""
    if not is_hq(request.user):
        raise PermissionDenied("案の報告書は推進本部のみ閲覧できます。")
    fiscal_year = _fiscal_year(request, year)
    return _serve_draft(
        request,
        ReportRequest(kind=RenderedReport.Kind.DRAFT, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}-draft.pdf",
    )


@require_GET
@plan_scoped
def assembly_pdf(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    """The report to the assembly (議会報告): published results, opinions and revisions."""
    return _serve_public(
        request,
        year=year,
        kind=RenderedReport.Kind.ASSEMBLY,
        filename=f"kanazawa-plan-{year}-assembly.pdf",
    )


@require_GET
@plan_scoped
def assembly_xlsx(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    return _serve_public(
        request,
        year=year,
        kind=RenderedReport.Kind.ASSEMBLY_XLSX,
        filename=f"kanazawa-plan-{year}-assembly.xlsx",
    )


@require_GET
@plan_scoped
def achievement_xlsx(request: HttpRequest, year: int, plan: Plan) -> HttpResponse:
    return _serve_public(
        request, year=year, kind=RenderedReport.Kind.XLSX, filename=f"kanazawa-plan-{year}.xlsx"
    )
