"""The PDFs are accessible: tagged PDF/UA-1 with metadata, an outline of every part and every
detail sheet, and page labels equal to the printed page numbers."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from initiatives.models import Initiative, Relisting
from initiatives.plan.selectors import get_plan
from reports.rendering import add_page_labels
from tests.reports.pdf_ua import check

pytestmark = pytest.mark.django_db


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every bookmark, in order."""
    entries: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return entries


def test_pdfinfo_says_tagged_with_title_and_author(full_pdf) -> None:
    info = subprocess.run(
        ["pdfinfo", str(full_pdf.path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Author:\s+金沢市$", info, re.M)
    assert re.search(r"^Title:\s+金沢市行政経営プラン 令和5年度$", info, re.M)
    assert re.search(r"^PDF version:\s+1\.7$", info, re.M)


def test_it_passes_the_pdf_ua_structure_check(full_pdf, draft_pdf, summary_pdf) -> None:
    for pdf in (full_pdf, draft_pdf):
        report = check(pdf.path)
        assert report.findings == []
        assert report.elements["/Table"] and report.elements["/TH"] and report.elements["/Link"]
        # One heading per part and per detail sheet.
        assert len(report.headings) > Initiative.objects.count() + Relisting.objects.count()
    summary = check(summary_pdf.path)
    assert summary.findings == []
    assert summary.elements["/Figure"] == get_plan().policies.count()  # charts, with /Alt
    reader = PdfReader(full_pdf.path)
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]) == "ja"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert "<rdf:li>金沢市</rdf:li>" in xmp  # dc:creator
    assert "金沢市行政経営プラン 令和5年度</rdf:li>" in xmp  # dc:title


def test_the_outline_lists_every_part_and_every_sheet_on_its_page(full_pdf) -> None:
    reader = PdfReader(full_pdf.path)
    outline = _outline(reader)
    titles = [title for _level, title, _page in outline]
    parts = ("はじめに", "概要", "目　次", "5. 取組事項一覧", "用語集", "【参考】行財政運営の課題")
    assert all(part in titles for part in parts)
    sheets = [
        (title, page)
        for level, title, page in outline
        if level == 3 and title.startswith(("No.", "【再掲】"))
    ]
    expected = [
        f"No.{i.code} {i.name_prefix}{i.name}{i.name_suffix}" for i in Initiative.objects.all()
    ] + [f"【再掲】{r.initiative.name}" for r in Relisting.objects.select_related("initiative")]
    sheet_titles = [title for title, _page in sheets]
    assert sorted(sheet_titles) == sorted(expected)
    assert sheet_titles[0] == "No.1 職員による課題解決アプリの実践数（累計）【数値目標】"
    pages = full_pdf.page_texts(raw=True)
    for title, page in sheets:
        assert re.sub(r"\s", "", title) in re.sub(r"\s", "", pages[page]), title
    # 方針 → 施策 → sheets, between 5. 取組事項一覧 and 用語集.
    levels = [level for level, title, _page in outline if title.startswith("方針1 行政組織")]
    assert levels == [1]


def test_page_labels_are_the_printed_page_numbers(full_pdf) -> None:
    reader = PdfReader(full_pdf.path)
    labels = reader.page_labels
    pages = full_pdf.page_texts(raw=True)
    first = labels.index("1")
    assert labels[:first] == ["i", "ii", "iii", "iv", "v"][:first] and first == 5
    for index in range(first, len(pages)):
        printed = pages[index].strip().splitlines()[-1].strip()
        assert labels[index] == printed, index
    # "Go to page 27" opens the printed p.27: the first detail sheet.
    assert "No.1 職員による" in pages[labels.index("27")]
    assert pages[labels.index("93")].startswith("用語集")


def test_page_labels_start_at_the_first_numbered_page() -> None:
    import pydyf

    pdf = pydyf.PDF()
    add_page_labels(pdf, first_numbered=0)
    assert pdf.catalog["PageLabels"]["Nums"][0] == 0
    add_page_labels(pdf, first_numbered=3)
    nums = pdf.catalog["PageLabels"]["Nums"]
    assert nums[0] == 0 and nums[1]["S"] == "/r" and nums[2] == 3 and nums[3]["St"] == 1


def test_cached_page_references_give_the_same_pdf() -> None:
    import pydyf
    from weasyprint import HTML

    from reports import rendering

    html = "<html lang=ja><title>t</title><h1>一</h1><p><a href='#b'>b</a></p>" + (
        "<h2 id=b style='break-before: page'>二</h2><table><tr><th>x</th><td>y</td></tr></table>"
    )

    def uncached(pdf: pydyf.PDF) -> tuple[bytes, ...]:  # pydyf 0.13's own definition
        return tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])

    saved = pydyf.PDF.page_references
    try:
        pydyf.PDF.page_references = property(uncached)
        plain = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
        rendering._cache_page_references()
        assert pydyf.PDF.page_references.fget is not uncached
        cached = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        pydyf.PDF.page_references = saved
    assert cached == plain
