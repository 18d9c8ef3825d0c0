from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from initiatives.models import Initiative, Relisting, Result
from initiatives.plan.selectors import get_plan, initiatives_in_order

pytestmark = pytest.mark.django_db


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sheet_codes(text: str) -> list[str]:
    codes = set(Initiative.objects.values_list("code", flat=True))
    return [c for c in re.findall(r"No\.((?:R\d+-)?\d+)", _squash(text)) if c in codes]


def test_it_opens_as_a4_pdf_with_one_sheet_per_initiative_and_relisting(full_pdf) -> None:
    reader = PdfReader(full_pdf.path)
    assert len(reader.pages) == full_pdf.pages
    assert full_pdf.pages > 80
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    expected = Initiative.objects.count() + Relisting.objects.count()
    assert len(_sheet_codes(full_pdf.text())) == expected


def test_it_lists_every_initiative_code_and_name_in_document_order(full_pdf) -> None:
    text = _squash(full_pdf.text())
    position = 0
    for initiative in initiatives_in_order(plan=get_plan()):
        needle = _squash(f"No.{initiative.code}{initiative.name}")
        found = text.find(needle, position)
        while found >= 0 and text[max(0, found - 4) : found] == "【再掲】":
            found = text.find(needle, found + 1)
        assert found >= 0, f"No.{initiative.code} が順番どおりに見つかりません"
        position = found + len(needle)


def test_it_contains_every_published_narrative(full_pdf) -> None:
    text = _squash(full_pdf.text())
    published = Result.objects.filter(published_at__isnull=False, fiscal_year__year=2023)
    assert published.exists()
    for result in published:
        assert _squash(result.published_text) in text, result.initiative.code


def test_it_has_the_document_parts_and_numbered_contents(full_pdf) -> None:
    pages = full_pdf.page_texts()
    assert "金沢市行政経営プラン" in pages[0]
    assert "金沢市" in pages[0]
    assert "はじめに" in pages[1]
    text = full_pdf.text()
    for heading in ("1. プランの概要", "2. 基本方針", "目", "4. 取組の進め方", "5. 取組事項一覧"):
        assert heading in text
    assert any(page.startswith("用語集") for page in pages[-6:])
    contents = next(p for p in full_pdf.page_texts(layout=True) if "目        次" in p)
    numbers = {
        title: int(number)
        for title, number in re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.M)
    }
    # Numbered from the first chapter, as the document (its contents list starts at p.1).
    # The same page numbers as the contents list (目次) of the city's document.
    assert numbers["1. 行財政運営の課題"] == 1
    assert numbers["2. 行政改革大綱から行政経営プランへ"] == 3
    assert numbers["3. 行政経営プラン"] == 6
    assert numbers["4. 取組の進め方"] == 17
    assert numbers["5. 取組事項一覧"] == 18
    assert numbers["取組事項詳細"] == 27
    assert numbers["用語集"] == 93
    assert numbers["【参考】行財政運営の課題"] == 95
    sheet_starts = [n for title, n in numbers.items() if re.match(r"方針\d （\d）", title)]
    assert sheet_starts == [27, 38, 44, 48, 61, 68, 72, 83, 90]
    sheets_start = pages[numbers["取組事項詳細"] + full_pdf.pages - int(pages[-1].split()[-1]) - 1]
    assert "No." in sheets_start
    # The running header names 方針 and 施策 above the detail sheets.
    sheet_pages = [p for p in pages if "実施計画" in p and "めざす姿" in p]
    assert sheet_pages
    assert all(re.search(r"方針\d", p.split("\n", 2)[0] + p) for p in sheet_pages)


def test_it_embeds_noto_sans_cjk_with_a_real_bold(full_pdf) -> None:
    reader = PdfReader(full_pdf.path)
    fonts = {}
    for page in reader.pages[:30]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert any("NotoSansCJK" in n.replace("-", "") and "Bold" in n for n in fonts)
    assert any("NotoSansCJK" in n.replace("-", "") and "Bold" not in n for n in fonts)
    assert all(fonts.values())


def test_it_never_splits_a_detail_sheet_across_pages(full_pdf) -> None:
    sheets_per_page = []
    for page in full_pdf.page_texts():
        squashed = _squash(page)
        sheets = len(_sheet_codes(page))
        # A sheet that starts on a page ends there: its めざす姿 row and resources box too.
        assert squashed.count("めざす姿") == sheets
        assert squashed.count("確保する行政資源") == sheets
        if sheets:
            sheets_per_page.append(sheets)
    # Two sheets to a page, as the document lays them out.
    assert max(sheets_per_page) == 2


def test_it_marks_every_draft_page_and_no_public_page(full_pdf, draft_pdf) -> None:
    assert all("【案】" in page for page in draft_pdf.page_texts())
    assert not any("【案】" in page for page in full_pdf.page_texts())
