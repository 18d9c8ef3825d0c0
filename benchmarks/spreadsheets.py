"""SQL queries and wall time of the department results import: preview and confirm.

    .venv/bin/python benchmarks/spreadsheets.py [--department デジタル行政戦略課] [--year 2024]

Builds a throwaway SQLite database and media folder in a temporary directory (your database
is not touched), loads the real plan, opens the year for entry and exports the department's
results workbook the way the admin does. Then, for files holding the first 5 rows and all
rows of the department (21 for デジタル行政戦略課), each row filled in (達成状況, 実施結果,
実績値), it times `results_workbook.preview_import` (what the 「内容を確認する」 button runs)
and `apply_import` (「取り込む」, rolled back afterwards so every run starts alike) and
counts their SQL queries. The preview should cost the same number of queries however many
rows the file has; the confirmation writes each changed row through `save_draft`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    import django

    django.setup()


def prepare(*, plan_path: str, year: int, department: str):
    """The loaded plan, an open year and a member of `department`; returns that user."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from initiatives.models import Department, DepartmentMembership, FiscalYear
    from initiatives.plan.loader import import_plan
    from initiatives.results import services
    from initiatives.roles import HQ_GROUP

    call_command("migrate", verbosity=0)
    import_plan(data=json.loads(Path(plan_path).read_text(encoding="utf-8")))
    users = get_user_model().objects
    hq = users.create_user("bench-hq", "hq@example.com", "bench-password-1", is_staff=True)
    hq.groups.add(Group.objects.get(name=HQ_GROUP))
    services.open_period(
        fiscal_year=FiscalYear.objects.get(year=year),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        user=hq,
    )
    staff = users.create_user("bench-staff", "staff@example.com", "bench-password-1", is_staff=True)
    DepartmentMembership.objects.create(
        user=staff, department=Department.objects.get(name=department)
    )
    return staff


def filled_file(exported: bytes, *, rows: int | None) -> tuple[bytes, int]:
    """The exported workbook with its first `rows` rows filled in and the others removed."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = workbook["実施結果"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    last = sheet.max_row if rows is None else min(sheet.max_row, rows + 1)
    if last < sheet.max_row:
        sheet.delete_rows(last + 1, sheet.max_row - last)
    for row in range(2, last + 1):
        sheet.cell(row=row, column=headers["達成状況"]).value = "達成"
        sheet.cell(row=row, column=headers["実施結果"]).value = f"ベンチマーク {row} 行目の実施結果"
        for header, column in headers.items():
            name = f"{header[:-3]}名" if str(header).endswith("実績値") else None
            if name in headers and sheet.cell(row=row, column=headers[name]).value:
                sheet.cell(row=row, column=column).value = 100 + row
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), last - 1


def measure(call) -> tuple[float, int, object]:
    """Seconds and SQL queries of `call()`, and what it returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # loading the plan filled the log (it keeps 9,000)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - started
    return seconds, len(queries), value


def run(*, staff, year: int) -> list[tuple]:
    from django.db import transaction

    from initiatives.models import FiscalYear
    from initiatives.sheets import results_workbook

    fiscal_year = FiscalYear.objects.get(year=year)
    exported = results_workbook.export_workbook(user=staff, fiscal_year=fiscal_year)
    lines = []
    for rows in (5, None):
        content, count = filled_file(exported, rows=rows)
        # A first preview warms caches (content types, permissions) so both sizes compare alike.
        results_workbook.preview_import(user=staff, content=content, filename="bench.xlsx")
        seconds, queries, preview = measure(
            lambda c=content: results_workbook.preview_import(
                user=staff, content=c, filename="bench.xlsx"
            )
        )
        assert len(preview.changed) == count and not preview.refused, preview.refused
        lines.append(("preview", count, queries, seconds))

        def apply(c=content):
            with transaction.atomic():
                applied = results_workbook.apply_import(
                    user=staff, content=c, filename="bench.xlsx"
                )
                transaction.set_rollback(True)
            return applied

        seconds, queries, applied = measure(apply)
        assert len(applied.changed) == count
        lines.append(("confirm", count, queries, seconds))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "fixtures" / "plan.json"))
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--department", default="デジタル行政戦略課")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        staff = prepare(plan_path=args.plan, year=args.year, department=args.department)
        python = platform.python_version()
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {python}")
        print(f"department: {args.department}, year {args.year}, SQLite")
        print(f"{'step':<10}{'rows':>6}{'queries':>10}{'wall s':>9}")
        for step, rows, queries, seconds in run(staff=staff, year=args.year):
            print(f"{step:<10}{rows:>6}{queries:>10}{seconds:>9.3f}")


if __name__ == "__main__":
    main()
