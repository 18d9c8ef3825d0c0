"""Reports as HTML (Django templates) and PDF (WeasyPrint).

The PDF is tagged PDF/UA-1 (structure tree, /Lang, XMP metadata with title and author, the
outline from the headings) and its page labels are the printed page numbers: the front
matter (cover, はじめに, 概要, 目次) i, ii, iii …, then 1, 2, 3 … from the first numbered page
(the element with id `page-1`), so a viewer's "page 27" is the printed p.27.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from initiatives.models import Edition
from reports.assembly import AssemblyData
from reports.selectors import ReportData

if TYPE_CHECKING:
    import pydyf
    from weasyprint.document import Document

# Bump when a template or its CSS changes, so cached files are rendered again.
TEMPLATE_VERSION = "2026-12-02.1"
PDF_VARIANT = "pdf/ua-1"
# The element that starts the printed page numbering (p.1).
FIRST_NUMBERED_ANCHOR = "page-1"

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


def report_html(*, data: ReportData, kind: str, edition: Edition | None = None) -> RenderedHtml:
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
            **edition_context(edition),
        },
    )
    department = data.department.pk if data.department else ""
    digest = hashlib.sha256(
        f"{TEMPLATE_VERSION}|{kind}|{data.fiscal_year.year}|{department}|".encode() + html.encode()
    ).hexdigest()
    return RenderedHtml(html=html, key=digest)


def assembly_html(*, data: AssemblyData, edition: Edition | None = None) -> RenderedHtml:
    """The 議会報告 as one HTML document (the plan report's cover, look and tables), and the
    key of exactly what it contains."""
    html = render_to_string(
        "reports/assembly.html",
        {
            "data": data.base,
            "assembly": data,
            "kind": "assembly",
            "kind_title": "議会報告",
            **edition_context(edition),
        },
    )
    digest = hashlib.sha256(
        f"{TEMPLATE_VERSION}|assembly|{data.fiscal_year.year}||".encode() + html.encode()
    ).hexdigest()
    return RenderedHtml(html=html, key=digest)


def edition_context(edition: Edition | None) -> dict:
    """The cover's 公表日/訂正日 and completeness (「124件中 40件を公表（集計中）」)."""
    if edition is None:
        return {"edition": None, "edition_counts": None}
    from initiatives.publication.selectors import edition_counts, first_published_at

    return {
        "edition": edition,
        "edition_counts": edition_counts(edition.fiscal_year, edition=edition),
        "first_published_at": first_published_at(edition),
    }


def html_to_pdf(*, html: str) -> tuple[bytes, int]:
    """Lay the HTML out on A4 pages as tagged PDF/UA-1 with page labels; returns the PDF and
    its number of pages."""
    from weasyprint import HTML

    _cache_page_references()
    document = HTML(string=html, base_url=".").render(pdf_variant=PDF_VARIANT)
    first_numbered = first_numbered_page(document)

    def finish(_document: Document, pdf: pydyf.PDF) -> None:
        add_page_labels(pdf, first_numbered=first_numbered)

    buffer = io.BytesIO()
    document.write_pdf(buffer, pdf_variant=PDF_VARIANT, finisher=finish)
    return buffer.getvalue(), len(document.pages)


def _cache_page_references() -> None:
    """Make pydyf's `PDF.page_references` computed once per page count, not per access.

    pydyf 0.13 rebuilds the tuple of all page references on every access, and WeasyPrint's
    tagger reads it once per structure element (~15,000 times for the full report): about
    a quarter of the cost of tagging. The cached tuple is the same value while no page is
    added (pages are all added before tags and links are written).
    """
    import pydyf

    if getattr(pydyf.PDF.page_references.fget, "cached_per_page_count", False):
        return

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_page_references")
        if cached is None or cached[0] != len(kids):
            references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
            cached = pdf.__dict__["_page_references"] = (len(kids), references)
        return cached[1]

    page_references.cached_per_page_count = True
    pydyf.PDF.page_references = property(page_references)


def first_numbered_page(document: Document) -> int:
    """Index of the page printed as p.1 (0 when the whole report is numbered)."""
    for index, page in enumerate(document.pages):
        if FIRST_NUMBERED_ANCHOR in page.anchors:
            return index
    return 0


def add_page_labels(pdf: pydyf.PDF, *, first_numbered: int) -> None:
    """/PageLabels: lower-case roman numerals before p.1, decimal numbers from it."""
    import pydyf

    numbers = pydyf.Array()
    if first_numbered > 0:
        numbers.extend([0, pydyf.Dictionary({"S": "/r"})])
    numbers.extend([first_numbered, pydyf.Dictionary({"S": "/D", "St": 1})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})
