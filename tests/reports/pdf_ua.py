"""A PDF/UA-1 structure check for the reports, with pypdf (veraPDF, a Java program, is not
packaged for this machine's registries).

It checks the machine-checkable conditions of PDF/UA-1 (ISO 14289-1, Matterhorn protocol
numbers in brackets) that a renderer can get wrong: tagged and marked, the UA identifier and
title in XMP, the title shown, a language, headings that never skip a level, links and pages
tied into the structure, fonts embedded, figures with alternative text.

    .venv/bin/python -m tests.reports.pdf_ua FILE.pdf
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


@dataclass
class UaReport:
    findings: list[str] = field(default_factory=list)
    elements: Counter[str] = field(default_factory=Counter)
    headings: list[int] = field(default_factory=list)
    pages: int = 0

    @property
    def passed(self) -> bool:
        return not self.findings


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _walk(node, report: UaReport) -> None:
    node = _resolve(node)
    if isinstance(node, ArrayObject):
        for child in node:
            _walk(child, report)
        return
    if not isinstance(node, DictionaryObject) or node.get("/Type") in ("/MCR", "/OBJR"):
        return
    kind = str(node.get("/S", ""))
    if kind:
        report.elements[kind] += 1
        if re.fullmatch(r"/H[1-6]", kind):
            report.headings.append(int(kind[2]))
        if kind == "/Figure" and not node.get("/Alt") and not node.get("/ActualText"):
            report.findings.append("[13-004] Figure without /Alt")
    if "/K" in node:
        _walk(node["/K"], report)


def check(path: Path | str) -> UaReport:
    reader = PdfReader(path)
    report = UaReport(pages=len(reader.pages))
    root = reader.trailer["/Root"]
    fail = report.findings.append
    if not _resolve(root.get("/MarkInfo", {})).get("/Marked"):
        fail("[01-001] /MarkInfo /Marked is not true")
    tree = _resolve(root.get("/StructTreeRoot"))
    if tree is None or "/K" not in tree:
        fail("[01-002] no structure tree")
    else:
        _walk(tree["/K"], report)
        if "/ParentTree" not in tree:
            fail("[01-002] structure tree without /ParentTree")
    metadata = root.get("/Metadata")
    xmp = _resolve(metadata).get_data().decode("utf-8") if metadata else ""
    if not re.search(r'pdfuaid:part(="1"|>1<)', xmp):
        fail("[06-002] XMP metadata lacks pdfuaid:part = 1")
    if "<dc:title>" not in xmp:
        fail("[06-003] XMP metadata lacks dc:title")
    if "<dc:creator>" not in xmp:
        fail("XMP metadata lacks dc:creator (author)")
    if not _resolve(root.get("/ViewerPreferences", {})).get("/DisplayDocTitle"):
        fail("[07-001] /ViewerPreferences /DisplayDocTitle is not true")
    if not str(root.get("/Lang", "")).strip():
        fail("[11-001] no document /Lang")
    if not report.headings:
        fail("[14-001] no headings")
    level = 0
    for number in report.headings:
        if number > level + 1:
            fail(f"[14-003] heading level skipped: H{level} → H{number}")
            break
        level = number
    fonts: dict[str, bool] = {}
    for number, page in enumerate(reader.pages, start=1):
        annotations = [_resolve(a) for a in page.get("/Annots", [])]
        if annotations and page.get("/Tabs") != "/S":
            fail(f"[19-003] page {number} has annotations but /Tabs is not /S")
        for annotation in annotations:
            if "/StructParent" not in annotation:
                fail(f"[28-002] page {number}: annotation outside the structure tree")
        if "/StructParents" not in page:
            fail(f"[01-004] page {number} is not tied into the structure tree")
        for font in _resolve(page["/Resources"]).get("/Font", {}).values():
            font = _resolve(font)
            descendants = font.get("/DescendantFonts")
            described = _resolve(descendants[0]) if descendants else font
            descriptor = _resolve(described.get("/FontDescriptor", {}))
            fonts[str(font.get("/BaseFont"))] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    for name, embedded in fonts.items():
        if not embedded:
            fail(f"[31-001] font not embedded: {name}")
    return report


def main(argv: list[str]) -> int:
    report = check(argv[1])
    top = ", ".join(f"{name[1:]} {count}" for name, count in report.elements.most_common(12))
    print(f"{argv[1]}: {report.pages} pages; structure elements: {top}")
    levels = sorted(Counter(report.headings).items())
    print("headings: " + ", ".join(f"H{n} {count}" for n, count in levels))
    for finding in report.findings:
        print("FAIL " + finding)
    print("PDF/UA-1 structure check: " + ("passed" if report.passed else "FAILED"))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
