"""Wall time and SQL queries of loading a plan: `import_plan` and HQ's plan workbook import.

    .venv/bin/python benchmarks/import_plan.py [--copies 10]

Builds a throwaway SQLite database in a temporary directory (your database is not
touched). The plans: the real one (124 initiatives) and a large one made by replicating
every initiative of the real plan `--copies` times under new codes (1,240 by default),
in the same directions. For each it prints, side by side with a bare baseline (parsing and
validating the JSON document, which any load must do):

- `import_plan` into an empty database, and again over itself (nothing changes);
- the plan workbook (取組 and 指標 sheets) exported, then previewed and applied
  (`preview_plan_import` + `apply_plan_import`) into the plan emptied of its
  initiatives (every row new), and again with every 取組事項名 changed.

Targets: under 2 s for the real plan and under 20 s for the large one.
"""

from __future__ import annotations

import argparse
import copy
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
    # Loading records the first editions; their report files are not what is measured.
    os.environ["REPORTS_RENDER_ON_PUBLICATION"] = "0"
    # Production's settings: with DEBUG on, Django would log (and format) every query.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-5d1c9a7e3b2f4a6c8e0d")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    import django

    django.setup()


def scaled(document: dict, copies: int) -> dict:
    """The document with each initiative repeated `copies` times (codes No.x, No.x-2, …)."""
    big = copy.deepcopy(document)
    for policy in big["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                originals = direction["initiatives"]
                direction["initiatives"] = list(originals)
                for k in range(2, copies + 1):
                    for initiative in originals:
                        clone = copy.deepcopy(initiative)
                        clone["code"] = f"{initiative['code'].strip()}-{k}"
                        direction["initiatives"].append(clone)
    return big


def without_initiatives(document: dict) -> dict:
    """The document's structure (policies, measures, directions) with no initiative."""
    empty = copy.deepcopy(document)
    for policy in empty["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                direction["initiatives"] = []
                direction["relisted"] = []
    return empty


def count_initiatives(document: dict) -> int:
    return sum(
        len(d["initiatives"])
        for p in document["policies"]
        for m in p["measures"]
        for d in m["directions"]
    )


def measure(call) -> tuple[float, int, object]:
    """Seconds and SQL queries of `call()`, and what it returned (queries are counted, not
    logged: formatting thousands of logged parameters would be measured too)."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - started
    return seconds, count[0], value


def renamed(content: bytes) -> bytes:
    """The exported workbook with every 取組事項名 changed."""
    import openpyxl

    from initiatives.sheets.plan_workbook import INITIATIVE_SHEET

    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[INITIATIVE_SHEET]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("取組事項名") + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column)
        if cell.value:
            cell.value = f"{cell.value}（改）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(document: dict, raw: bytes, hq) -> list[tuple[str, float, int]]:
    import datetime

    from django.db import connection

    from initiatives.plan.interchange import parse_document, validate_document
    from initiatives.plan.loader import import_plan
    from initiatives.sheets import plan_workbook

    lines = []
    seconds, queries, _ = measure(lambda: validate_document(parse_document(raw)))
    lines.append(("baseline: JSON parse + validate", seconds, queries))
    seconds, queries, _ = measure(lambda: import_plan(data=document))
    lines.append(("import_plan, empty database", seconds, queries))
    seconds, queries, _ = measure(lambda: import_plan(data=document))
    lines.append(("import_plan, again (no change)", seconds, queries))

    exported = plan_workbook.export_plan_workbook()
    import_plan(data=without_initiatives(document), overwrite_results=True)
    revision = plan_workbook.RevisionSpec(
        code="R9", label="ベンチマーク", date=datetime.date(2025, 4, 1)
    )

    for label, content in (("all new", exported), ("all renamed", None)):
        content = content or renamed(exported)
        seconds, queries, preview = measure(lambda c=content: plan_workbook.preview_plan_import(c))
        assert preview.ok, (preview.file_problems, preview.problem_rows[:3])
        lines.append((f"workbook preview, {label}", seconds, queries))
        seconds, queries, _ = measure(
            lambda c=content: plan_workbook.apply_plan_import(
                content=c, filename="bench.xlsx", user=hq, revision=revision
            )
        )
        lines.append((f"workbook apply (preview again + write), {label}", seconds, queries))
    connection.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "fixtures" / "plan.json"))
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    raw = Path(args.plan).read_bytes()
    real = json.loads(raw)
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {python}")
    print("database: SQLite (throwaway)")
    print(f"{'plan':<18}{'step':<46}{'queries':>9}{'wall s':>9}")
    for label, document in (("real", real), (f"x{args.copies}", scaled(real, args.copies))):
        with tempfile.TemporaryDirectory() as tmp:
            if "django" not in sys.modules:
                setup_django(Path(tmp))
            else:  # one process, a fresh database per plan
                from django.db import connection

                connection.close()
                connection.settings_dict["NAME"] = str(Path(tmp) / "bench.sqlite3")
            hq = prepare()
            name = f"{label} ({count_initiatives(document):,})"
            body = json.dumps(document, ensure_ascii=False).encode()
            for step, seconds, queries in run(document, body, hq):
                print(f"{name:<18}{step:<46}{queries:>9}{seconds:>9.3f}")


def prepare():
    """A migrated database and a superuser (the plan workbook import is for administrators)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return get_user_model().objects.create_superuser("bench-admin", "a@example.com", "bench-pw-1")


if __name__ == "__main__":
    main()
