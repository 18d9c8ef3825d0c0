from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def test_it_renders_one_departments_sheets_from_the_command_line(tmp_path, capsys) -> None:
    initiative = Initiative.objects.order_by("order").first()
    department = initiative.owners.first().department
    out = tmp_path / "department.pdf"
    call_command("render_report", "--year", "2023", "--department", department.name, "--out", out)
    assert "ページ" in capsys.readouterr().out
    reader = PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert f"No.{initiative.code} {initiative.name[:10]}" in text
    others = Initiative.objects.exclude(owners__department=department).exclude(
        relistings__isnull=False
    )
    assert all(f"No.{other.code} " not in text for other in others)


def test_it_refuses_an_unknown_year_or_department(tmp_path) -> None:
    with pytest.raises(CommandError):
        call_command("render_report", "--year", "2040", "--out", tmp_path / "x.pdf")
    with pytest.raises(CommandError):
        call_command(
            "render_report",
            "--year",
            "2023",
            "--department",
            "存在しない課",
            "--out",
            tmp_path / "x.pdf",
        )


def test_render_editions_queues_a_missing_file_and_renders_it_with_now(
    client, settings, capsys
) -> None:
    from reports.models import RenderedReport

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    call_command("render_editions", "--year", "2023", "--kind", "xlsx")
    assert "2023年度 第1版: 1件を作成待ちにしました。" in capsys.readouterr().out
    assert RenderedReport.objects.get().state == RenderedReport.State.PENDING
    assert client.get("/reports/2023.xlsx").status_code == 503  # the worker is stopped
    call_command("render_editions", "--year", "2023", "--kind", "xlsx", "--now")
    assert RenderedReport.objects.get().state == RenderedReport.State.DONE
    assert client.get("/reports/2023.xlsx").status_code == 200
