"""Report downloads: the PDF variants (cached, rendered in the background) and the Excel tables."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from initiatives.models import Department, FiscalYear
from initiatives.plan.selectors import get_plan
from initiatives.roles import is_hq
from reports.assembly import assembly_data
from reports.excel import achievement_workbook, assembly_workbook
from reports.models import RenderedReport
from reports.selectors import report_data
from reports.services import ReportRequest, request_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fiscal_year(year: int) -> FiscalYear:
    plan = get_plan()
    if not plan.start_year <= year <= plan.end_year:
        raise Http404("計画期間外の年度です。")
    return get_object_or_404(FiscalYear, year=year)


def _serve(request: HttpRequest, report_request: ReportRequest, filename: str) -> HttpResponse:
    report = request_report(request=report_request)
    if report.state == RenderedReport.State.DONE:
        response = FileResponse(
            report.file.open("rb"), content_type="application/pdf", filename=filename
        )
        response["Cache-Control"] = (
            "private, no-store" if report_request.draft else "public, max-age=300"
        )
        return response
    status = 500 if report.state == RenderedReport.State.FAILED else 202
    response = render(
        request,
        "reports/progress.html",
        {"report": report, "failed": status == 500, "filename": filename, "plan": get_plan()},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def full_pdf(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.FULL, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}.pdf",
    )


@require_GET
def summary_pdf(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _fiscal_year(year)
    return _serve(
        request,
        ReportRequest(kind=RenderedReport.Kind.SUMMARY, fiscal_year=fiscal_year),
        f"kanazawa-plan-{year}-summary.pdf",
    )


@require_GET
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


@require_GET
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
