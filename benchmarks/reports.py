"""Wall time and peak memory of the PDF reports: full, summary and one department, cold and cached.

    .venv/bin/python benchmarks/reports.py [--plan fixtures/plan.json] [--year 2023]

Builds a throwaway SQLite database and media folder in a temporary directory (your database
is not touched), loads the real plan, then for each report asks for it the way the web view
does (`reports.services.request_report`, tasks run inline): once cold (HTML, key, WeasyPrint
PDF, file written) and once cached (key computed from the data, file found). Each measurement
runs in its own forked process so its peak resident memory (ru_maxrss) is its own; the
tracemalloc column is the peak of Python allocations during the call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
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


def measure(kind: str, year: int, department_name: str | None, traced: bool) -> dict:
    """Request one report in this process; returns seconds, peak RSS and Python peak (MiB)."""
    from initiatives.models import Department, FiscalYear
    from reports.models import RenderedReport
    from reports.services import ReportRequest, request_report

    department = Department.objects.get(name=department_name) if department_name else None
    request = ReportRequest(
        kind=kind, fiscal_year=FiscalYear.objects.get(year=year), department=department
    )
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    report = request_report(request=request)
    size = len(report.file.read())
    seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if traced:
        tracemalloc.stop()
    assert report.state == RenderedReport.State.DONE, report.error
    return {
        "seconds": seconds,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": python_peak,
        "pages": report.pages,
        "bytes": size,
    }


def in_child(kind: str, year: int, department: str | None, traced: bool) -> dict:
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        result = measure(kind, year, department, traced)
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "fixtures" / "plan.json"))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--department", default="デジタル行政戦略課")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from django.core.management import call_command

        from initiatives.plan.loader import import_plan

        call_command("migrate", verbosity=0)
        import_plan(data=json.loads(Path(args.plan).read_text(encoding="utf-8")))
        python = platform.python_version()
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {python}")
        header = f"{'report':<12}{'run':<8}{'wall s':>8}{'peak RSS MiB':>14}"
        print(f"{header}{'py peak MiB':>13}{'pages':>7}")
        for kind, department in (
            ("full", None),
            ("summary", None),
            ("department", args.department),
        ):
            for run in ("cold", "cached"):
                timed = in_child(kind, args.year, department, traced=False)
                print(
                    f"{kind:<12}{run:<8}{timed['seconds']:>8.2f}{timed['rss']:>14.0f}"
                    f"{'':>13}{timed['pages']:>7}"
                )
            # Python allocation peak of a cold render (tracemalloc slows it, so timed apart).
            from reports.models import RenderedReport

            RenderedReport.objects.all().delete()
            traced = in_child(kind, args.year, department, traced=True)
            print(f"{kind:<12}{'traced':<8}{'':>8}{'':>14}{traced['python']:>13.0f}")


if __name__ == "__main__":
    main()
