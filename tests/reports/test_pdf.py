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


def _relisted_titles(text: str) -> int:
    """再掲 sheets are titled 「【再掲】<name>」 without a No. (as the document prints them)."""
    names = {f"【再掲】{r.initiative.name}" for r in Relisting.objects.select_related("initiative")}
    squashed = _squash(text)
    return sum(squashed.count(_squash(name)) for name in names)


def test_it_opens_as_a4_pdf_with_one_sheet_per_initiative_and_relisting(full_pdf) -> None:
    reader = PdfReader(full_pdf.path)
    assert len(reader.pages) == full_pdf.pages
    assert full_pdf.pages > 80
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = full_pdf.text()
    assert len(_sheet_codes(text)) == Initiative.objects.count()
    # Each relisted name: its 取組事項一覧 row and its own sheet.
    assert _relisted_titles(text) == 2 * Relisting.objects.count()


def test_it_lists_every_initiative_code_and_name_in_document_order(full_pdf) -> None:
    text = _squash(full_pdf.text())
    position = 0
    for initiative in initiatives_in_order(plan=get_plan()):
        needle = _squash(f"No.{initiative.code}{initiative.name_prefix}{initiative.name}")
        found = text.find(needle, position)
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
    contents = next(p for p in pages if re.search(r"取組事項一覧 *\.{3,}", p))
    numbers = [
        (title, int(number))
        for title, number in re.findall(r"^(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.M)
    ]
    # The city's contents list (金沢市行政経営プラン, 令和6年8月改訂版): chapters 1–4 without a
    # number, their parts (1)… with one; 5. 取組事項一覧, then per 方針 its 施策 with the page of
    # their detail sheets; 用語集, 【参考】. No 「取組事項詳細」 line.
    assert numbers == [
        ("(1) 社会構造の変化", 1),
        ("(2) 新たな社会的課題", 1),
        ("(3) 限られた財源・人員", 2),
        ("(1) 量の改革から質を高める改革へ", 3),
        ("(2) 行政資源の充実", 4),
        ("(3) 中長期的に取り組むべき事項", 5),
        ("(1) 基本理念", 6),
        ("(2) 取組姿勢", 6),
        ("(3) 基本方針", 7),
        ("(1) 推進期間", 17),
        ("(2) 推進体制", 17),
        ("(3) 進捗状況等の公表", 17),
        ("(4) プランの改定", 17),
        ("5. 取組事項一覧", 18),
        ("(1) 働き方のDXと機能的な組織運営", 27),
        ("(2) 行政データの活用と伝わる情報発信", 38),
        ("(3) 職員の意識改革と人材の確保", 44),
        ("(1) 多様な主体との協働の推進", 48),
        ("(2) 民間の創意工夫を活用する官民連携の推進", 61),
        ("(3) 自治体間における広域連携の推進", 68),
        ("(1) 公共施設の保有量の適正化と施設環境の充実", 72),
        ("(2) 効果的な政策立案と歳入の確保", 83),
        ("(3) 特別会計の整理合理化と経営基盤の強化", 90),
        ("用語集", 93),
        ("【参考】行財政運営の課題", 95),
    ]
    squashed_contents = _squash(contents)
    chapters = ("1.行財政運営の課題", "2.行政改革大綱から", "3.行政経営プラン", "4.取組の進め方")
    assert all(chapter in squashed_contents for chapter in chapters)
    for policy in get_plan().policies.all():
        assert _squash(f"方針{policy.number}{policy.full_title}") in squashed_contents
    assert "取組事項詳細" not in squashed_contents
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
        if "取組No." not in squashed:  # not a page of 5. 取組事項一覧 (its 【再掲】 rows)
            sheets += _relisted_titles(page)
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
