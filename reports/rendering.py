"""Reports as HTML (Django templates) and PDF (WeasyPrint)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.template.loader import render_to_string

from reports.assembly import AssemblyData
from reports.selectors import ReportData

# Bump when a template or its CSS changes, so cached files are rendered again.
TEMPLATE_VERSION = "2026-11-27.2"

KIND_TITLES = {
    "full": "",
    "summary": "概要版",
    "department": "担当課版",
    "draft": "案",
    "assembly": "議会報告",
}


@dataclass
class RenderedHtml:
    html: str
    key: str


def report_html(*, data: ReportData, kind: str) -> RenderedHtml:
    """The report as one HTML document, and the key of exactly what it contains."""
    html = render_to_string(
        "reports/report.html",
        {
            "data": data,
            "kind": kind,
            "summary": kind == "summary",
            "with_sheets": kind != "summary",
            "with_plan_chapters": kind in ("full", "draft"),
            "kind_title": KIND_TITLES[kind],
        },
    )
    department = data.department.pk if data.department else ""
    digest = hashlib.sha256(
        f"{TEMPLATE_VERSION}|{kind}|{data.fiscal_year.year}|{department}|".encode() + html.encode()
    ).hexdigest()
    return RenderedHtml(html=html, key=digest)


def assembly_html(*, data: AssemblyData) -> RenderedHtml:
    """The 議会報告 as one HTML document (the plan report's cover, look and tables), and the
    key of exactly what it contains."""
    html = render_to_string(
        "reports/assembly.html",
        {"data": data.base, "assembly": data, "kind": "assembly", "kind_title": "議会報告"},
    )
    digest = hashlib.sha256(
        f"{TEMPLATE_VERSION}|assembly|{data.fiscal_year.year}||".encode() + html.encode()
    ).hexdigest()
    return RenderedHtml(html=html, key=digest)


def html_to_pdf(*, html: str) -> tuple[bytes, int]:
    """Lay the HTML out on A4 pages; returns the PDF and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=".").render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)
