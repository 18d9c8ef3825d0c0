"""Report downloads: the PDF variants (cached, rendered in the background) and the Excel tables."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from initiatives.models import Department, FiscalYear
from initiatives.plan.selectors import get_plan
from initiatives.roles import is_hq
from reports.assembly import assembly_data
from reports.excel import achievement_workbook, assembly_workbook
from reports.models import RenderedReport
from reports.selectors import report_data
from reports.services import MAX_ATTEMPTS, ReportRequest, request_report, retry_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fiscal_year(year: int) -> FiscalYear:
    plan = get_plan()
    if not plan.start_year <= year <= plan.end_year:
        raise Http404("計画期間外の年度です。")
    return get_object_or_404(FiscalYear, year=year)


def _serve(request: HttpRequest, report_request: ReportRequest, filename: str) -> HttpResponse:
    report = request_report(request=report_request)
    if request.method == "POST":
        # 「もう一度作成する」 on the page of a failed report; then back to waiting.
        if report.state == RenderedReport.State.FAILED:
            retry_report(report=report)
        response = HttpResponseRedirect(request.path)
        response.status_code = 303
        return response
    if report.state == RenderedReport.State.DONE:
        response = FileResponse(
            report.file.open("rb"), content_type="application/pdf", filename=filename
        )
        response["Cache-Control"] = (
            "private, no-store" if report_request.draft else "public, max-age=300"
        )
        return response
    failed = report.state == RenderedReport.State.FAILED
    response = render(
        request,
        "reports/progress.html",
        {
            "report": report,
            "failed": failed,
            "filename": filename,
            "plan": get_plan(),
            "progress": _progress(report),
            "max_attempts": MAX_ATTEMPTS,
        },
        status=503 if failed else 202,
    )
    response["Cache-Control"] = "no-store"
    return response


def _progress(report: RenderedReport) -> str:
    """What is happening to the report, in the words of the waiting page."""
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


@require_http_methods(["GET", "HEAD", "POST"])
def full_pdf(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.FULL, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}.pdf",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def summary_pdf(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.SUMMARY, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}-summary.pdf",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def department_pdf(request: HttpRequest, year: int, department_id: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    department = get_object_or_404(Department, pk=department_id)
    return _serve(
        request,
        ReportRequest(
            kind=RenderedReport.Kind.DEPARTMENT, fiscal_year=fiscal_year, department=department
        ),
        f"kanazawa-plan-{year}-department-{department.pk}.pdf",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def draft_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """HQ only: the report from the working (unpublished) results, marked 「案」."""
    if not is_hq(request.user):
        raise PermissionDenied("案の報告書は推進本部のみ閲覧できます。")
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.DRAFT, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}-draft.pdf",
    )


@require_GET
def assembly_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The report to the assembly (議会報告): published results, opinions and revisions."""
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.ASSEMBLY, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}-assembly.pdf",
    )


@require_GET
def assembly_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    data = assembly_data(plan=get_plan(), fiscal_year=fiscal_year)
    response = HttpResponse(assembly_workbook(data=data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kanazawa-plan-{year}-assembly.xlsx"'
    return response


@require_GET
def achievement_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    data = report_data(plan=get_plan(), fiscal_year=fiscal_year)
    response = HttpResponse(achievement_workbook(data=data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kanazawa-plan-{year}.xlsx"'
    return response
