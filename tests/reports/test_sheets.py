"""The detail sheets and plan chapters as the city prints them (金沢市行政経営プラン, 令和6年8月
改訂版): each year's 実施計画 in its own cell, merged only where the data says the document
merges; 再掲 sheets with their own wording; no text the document does not have."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import tinyhtml5

from initiatives.models import Department, FiscalYear, GlossaryTerm, Initiative, Relisting
from initiatives.plan.selectors import get_plan
from reports.rendering import report_html
from reports.selectors import report_data

pytestmark = pytest.mark.django_db


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(element) -> str:
    return "".join(element.itertext())


@dataclass
class HtmlSheet:
    title: str
    plan_cells: list[tuple[str, int]]  # (text, colspan)
    result: str


def _html_sheets(html: str) -> list[HtmlSheet]:
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    sheets = []
    for sheet in root.iter("div"):
        if "sheet" not in (sheet.get("class") or "").split():
            continue
        title = _text(next(sheet.iter("h3")))
        rows = {
            _squash(_text(row.find("th"))): row
            for row in sheet.iter("tr")
            if row.find("th") is not None
        }
        plan_row = rows["実施計画"]
        cells = [(_text(td), int(td.get("colspan", "1"))) for td in plan_row.findall("td")]
        result = next(_text(row) for key, row in rows.items() if key.startswith("実施結果"))
        sheets.append(HtmlSheet(title=title, plan_cells=cells, result=result))
    return sheets


def _sheet_initiative(title: str) -> tuple[Initiative, bool]:
    if title.startswith("【再掲】"):
        name = title.removeprefix("【再掲】")
        return Initiative.objects.get(name=name), True
    code = re.match(r"No\.(\S+) ", title).group(1)
    return Initiative.objects.get(code=code), False


@pytest.fixture
def html() -> str:
    data = report_data(plan=get_plan(), fiscal_year=FiscalYear.objects.get(year=2023))
    return report_html(data=data, kind="full").html


def test_every_sheet_prints_each_years_plan_merged_only_where_the_data_says(html) -> None:
    years = [fy.year for fy in FiscalYear.objects.filter(year__range=(2023, 2026))]
    sheets = _html_sheets(html)
    assert len(sheets) == Initiative.objects.count() + Relisting.objects.count()
    merged_sheets = 0
    for sheet in sheets:
        initiative, _relisted = _sheet_initiative(sheet.title)
        plans = {p.fiscal_year.year: p for p in initiative.year_plans.select_related("fiscal_year")}
        covered: list[tuple[int, str, bool]] = []  # year, cell text, continues a merged cell
        index = 0
        for text, span in sheet.plan_cells:
            for offset in range(span):
                covered.append((years[index], text, offset > 0))
                index += 1
        assert [year for year, _t, _m in covered] == years, sheet.title
        for year, text, continued in covered:
            plan = plans.get(year)
            expected = plan.text if plan else ""
            assert _squash(text) == _squash(expected), (sheet.title, year)
            # A cell spans years exactly where the data marks the document's merge.
            assert continued == bool(plan and plan.merged_with_previous), (sheet.title, year)
        merged_sheets += any(span > 1 for _t, span in sheet.plan_cells)
    marked = Initiative.objects.filter(year_plans__merged_with_previous=True).distinct().count()
    assert merged_sheets == marked < 30


def test_no_2_prints_its_plan_under_r6_r7_and_r8(html, full_pdf) -> None:
    sheet = next(s for s in _html_sheets(html) if s.title.startswith("No.2 "))
    cells = [("本格導入及び導入課の選定", 1), ("運用", 1), ("運用", 1), ("運用", 1)]
    assert sheet.plan_cells == cells
    text = full_pdf.text(raw=True)
    assert "実施計画 本格導入及び導入課の選定 運用 運用 運用" in text


def _pdf_sheet_chunks(full_pdf, titles: list[str]) -> dict[str, str]:
    """The PDF's text (content order) cut at each sheet title, in the sheets' order."""
    text = _squash(full_pdf.text(raw=True))
    start = text.index(_squash(titles[0]))
    positions = []
    for title in titles:
        start = text.index(_squash(title), start)
        positions.append(start)
    positions.append(len(text))
    return {title: text[positions[i] : positions[i + 1]] for i, title in enumerate(titles)}


def test_the_pdf_shows_every_years_plan_text_of_every_sheet(html, full_pdf) -> None:
    sheets = _html_sheets(html)
    chunks = _pdf_sheet_chunks(full_pdf, [s.title for s in sheets])
    for sheet in sheets:
        chunk = chunks[sheet.title]
        wanted: dict[str, int] = {}
        for text, _span in sheet.plan_cells:
            if text.strip():
                wanted[_squash(text)] = wanted.get(_squash(text), 0) + 1
        for text, cells in wanted.items():
            assert chunk.count(text) >= cells, (sheet.title, text)


def test_relisted_sheets_print_the_documents_own_wording_and_marks(html) -> None:
    sheets = {s.title: s for s in _html_sheets(html)}
    maas = sheets["【再掲】金沢MaaSの推進"]
    assert "のりまし金沢" in maas.result
    assert "のりまっし金沢" in sheets["No.51 金沢MaaSの推進"].result
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    texts = {
        _text(next(div.iter("h3"))): _squash(_text(div))
        for div in root.iter("div")
        if "sheet" in (div.get("class") or "").split()
    }
    assert "統計データを利用できる職員" in texts["【再掲】より効果的な政策立案を推進する人材の育成"]
    assert "統計データを利活用できる職員" in texts["No.75 より効果的な政策立案を推進する人材の育成"]
    # ○ marks: 再掲 MaaS has ヒト, カネ, モノ (No.51 all four); 再掲 75 ヒト only.
    assert texts["【再掲】金沢MaaSの推進"].count("○") == 3
    assert texts["No.51 金沢MaaSの推進"].count("○") == 4
    assert texts["【再掲】より効果的な政策立案を推進する人材の育成"].count("○") == 1
    # No 取組 No. on a 再掲 sheet.
    assert "No.51" not in texts["【再掲】金沢MaaSの推進"]


def test_it_adds_no_text_the_document_does_not_have(full_pdf) -> None:
    text = full_pdf.text(raw=True)
    sheet = _squash(text.split("No.74 ", 1)[1].split("No.75 ", 1)[0])
    assert "実施結果未確定" in sheet
    assert "確定時期" not in sheet and "記載なし" not in sheet
    assert "課題：" not in text
    # 【参考】 prints no figure caption without its figure.
    assert not re.search(r"^【図\d+】\S", text, re.M)


def test_r6_new_initiatives_carry_the_mark_before_the_name(full_pdf) -> None:
    text = _squash(full_pdf.text(raw=True))
    for initiative in Initiative.objects.filter(added_in__isnull=False):
        sheet_title = _squash(f"No.{initiative.code}【R6新規】{initiative.name}")
        assert sheet_title in text, initiative.code
        assert _squash(f"{initiative.code}【R6新規】{initiative.name}") in text.replace(
            sheet_title, ""
        )
        assert _squash(f"{initiative.name}【R6新規】") not in text


def test_policy_subtitles_appear_where_the_document_shows_them(full_pdf) -> None:
    pages = [_squash(page) for page in full_pdf.page_texts()]
    for policy in get_plan().policies.all():
        full = _squash(f"方針{policy.number}{policy.title}（{policy.subtitle}）")
        overview = next(p for p in pages if "1.プランの概要" in p)
        assert full in overview + pages[pages.index(overview) + 1]
        measure_pages = [p for p in pages if p.startswith(_squash(f"方針{policy.number}"))]
        assert len([p for p in measure_pages if full in p]) >= policy.measures.count()
        assert any(full in p and "取組No." in p for p in pages)  # 5. 取組事項一覧
        basic = next(p for p in pages if p.startswith("(3)基本方針"))
        assert _squash(policy.title) in basic and f"（{policy.subtitle}）" in basic


def test_the_basic_policy_page_leads_the_issues_to_each_policy_and_its_measures(full_pdf):
    page = next(p for p in full_pdf.page_texts(raw=True) if p.startswith("(3) 基本方針"))
    squashed = _squash(page)
    assert squashed.rstrip().endswith("7")  # printed p.7
    position = squashed.index("課題")
    for policy in get_plan().policies.prefetch_related("measures"):
        assert policy.issues
        for item in [*policy.issues, policy.title, *(m.title for m in policy.measures.all())]:
            found = squashed.find(_squash(item), position)
            assert found > 0, item
            position = found


def test_glossary_entries_keep_together(html, full_pdf) -> None:
    assert ".glossary .term { break-inside: avoid; }" in html
    pages = [_squash(page) for page in full_pdf.page_texts(raw=True)]
    first = next(i for i, p in enumerate(pages) if p.startswith("用語集"))
    last = next(i for i, p in enumerate(pages) if p.startswith("【参考】"))
    glossary = pages[first:last]
    assert len(glossary) == 2  # printed pp.93–94
    for term in GlossaryTerm.objects.all():
        entry = _squash(term.term + term.description)
        # The whole entry, term and explanation, on one page.
        assert sum(entry in page for page in glossary) == 1, term.term


def test_department_names_break_only_between_names(full_pdf) -> None:
    texts = full_pdf.text(raw=True) + full_pdf.text()
    for name in Department.objects.values_list("name", flat=True):
        for cut in range(1, len(name)):
            assert f"{name[:cut]}\n{name[cut:]}" not in texts, name
