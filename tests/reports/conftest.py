from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from initiatives.models import FiscalYear
from reports.models import RenderedReport
from reports.services import ReportRequest, render_pdf


@dataclass
class RenderedPdf:
    path: Path
    pages: int

    def text(self, *, layout: bool = False, raw: bool = False) -> str:
        """pdftotext's text; `raw` keeps the content stream's order (one cell after another)."""
        options = ["-layout"] if layout else ["-raw"] if raw else []
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *options, str(self.path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def page_texts(self, *, layout: bool = False, raw: bool = False) -> list[str]:
        # pdftotext separates pages with a form feed.
        return self.text(layout=layout, raw=raw).split("\f")[: self.pages]


def _render(kind: str, tmp_dir: Path, django_db_blocker) -> RenderedPdf:
    with django_db_blocker.unblock():
        pdf, pages = render_pdf(
            request=ReportRequest(kind=kind, fiscal_year=FiscalYear.objects.get(year=2023))
        )
    path = tmp_dir / f"{kind}.pdf"
    path.write_bytes(pdf)
    return RenderedPdf(path=path, pages=pages)


@pytest.fixture(scope="session")
def full_pdf(django_db_setup, django_db_blocker, tmp_path_factory) -> RenderedPdf:
    """The public full report of 令和5年度, rendered once per test session."""
    return _render(RenderedReport.Kind.FULL, tmp_path_factory.mktemp("reports"), django_db_blocker)


@pytest.fixture(scope="session")
def draft_pdf(django_db_setup, django_db_blocker, tmp_path_factory) -> RenderedPdf:
    """The HQ draft of 令和5年度, rendered once per test session."""
    return _render(RenderedReport.Kind.DRAFT, tmp_path_factory.mktemp("reports"), django_db_blocker)


@pytest.fixture(scope="session")
def summary_pdf(django_db_setup, django_db_blocker, tmp_path_factory) -> RenderedPdf:
    """The public summary of 令和5年度 (its charts are figures), rendered once per session."""
    return _render(
        RenderedReport.Kind.SUMMARY, tmp_path_factory.mktemp("reports"), django_db_blocker
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def make_edition_files(*kinds: str, year: int = 2023, department_ids: list[int] | None = None):
    """Render (inline) the named public files of the year's latest edition, as the worker
    does after a publication; returns the RenderedReport rows."""
    from initiatives.publication.selectors import latest_edition
    from reports.editions import queue_edition_files

    edition = latest_edition(FiscalYear.objects.get(year=year))
    assert edition is not None, "the year has no edition"
    queue_edition_files(edition_id=edition.pk, kinds=kinds, department_ids=department_ids)
    return list(RenderedReport.objects.filter(edition=edition, kind__in=kinds))
