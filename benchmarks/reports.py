"""Wall time and peak memory of the PDF reports: full, summary and one department, cold and cached.

    .venv/bin/python benchmarks/reports.py [--plan fixtures/plan.json] [--year 2023] [--repeat 3]

Builds a throwaway SQLite database and media folder in a temporary directory (your database
is not touched), loads the real plan, then for each report asks for it the way the web view
does (`reports.services.request_report`, tasks run inline): once cold (HTML, key, WeasyPrint
PDF, file written) and once cached (key computed from the data, file found). Each measurement
runs in its own forked process so its peak resident memory (ru_maxrss) is its own; the
tracemalloc column is the peak of Python allocations during the call.

Then the cost of the report's own work over WeasyPrint: the cold full report (tagged
PDF/UA-1, page labels, data, HTML, file) against a bare WeasyPrint render of the same HTML
(`HTML(string=...).write_pdf()`, no tagging), each `--repeat` times alternately in fresh
processes; medians, their ratio and the peak RSS of each are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
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
    started, cpu = time.perf_counter(), time.process_time()
    report = request_report(request=request)
    size = len(report.file.read())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if traced:
        tracemalloc.stop()
    assert report.state == RenderedReport.State.DONE, report.error
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": python_peak,
        "pages": report.pages,
        "bytes": size,
    }


def measure_bare(year: int) -> dict:
    """A bare WeasyPrint render (no tagging, no page labels) of the full report's HTML."""
    from weasyprint import HTML

    from initiatives.models import FiscalYear
    from reports.services import ReportRequest, build_html

    html, _key = build_html(
        request=ReportRequest(kind="full", fiscal_year=FiscalYear.objects.get(year=year))
    )
    started, cpu = time.perf_counter(), time.process_time()
    document = HTML(string=html, base_url=".").render()
    pdf = document.write_pdf()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": 0.0,
        "pages": len(document.pages),
        "bytes": len(pdf),
    }


def in_child(
    kind: str, year: int, department: str | None, traced: bool, bare: bool = False
) -> dict:
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        result = measure_bare(year) if bare else measure(kind, year, department, traced)
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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--compare-only", action="store_true", help="only the full report vs bare WeasyPrint"
    )
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
            ()
            if args.compare_only
            else (("full", None), ("summary", None), ("department", args.department))
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
        compare_with_bare(args.year, args.repeat)


def compare_with_bare(year: int, repeat: int) -> None:
    """Cold full report vs a bare WeasyPrint render of the same HTML, alternately."""
    # A report worker has WeasyPrint loaded once per process, before any report: so do the
    # processes here (both kinds inherit it), leaving only the rendering itself measured.
    import weasyprint  # noqa: F401

    from reports.models import RenderedReport

    runs: dict[str, list[dict]] = {"report": [], "bare": []}
    for _ in range(repeat):
        RenderedReport.objects.all().delete()
        runs["report"].append(in_child("full", year, None, traced=False))
        runs["bare"].append(in_child("full", year, None, traced=False, bare=True))
    medians = {
        name: (
            statistics.median(r["seconds"] for r in results),
            statistics.median(r["cpu"] for r in results),
            max(r["rss"] for r in results),
            results[0]["pages"],
            results[0]["bytes"],
        )
        for name, results in runs.items()
    }
    print(f"\nfull report, cold, median of {repeat} (each in a fresh process):")
    header = f"{'render':<44}{'wall s':>8}{'CPU s':>8}{'peak RSS MiB':>14}"
    print(f"{header}{'pages':>7}{'bytes':>11}")
    labels = {
        "report": "reports code (PDF/UA-1, labels, data, file)",
        "bare": "bare WeasyPrint, same HTML, untagged",
    }
    for name, (seconds, cpu, rss, pages, size) in medians.items():
        print(f"{labels[name]:<44}{seconds:>8.2f}{cpu:>8.2f}{rss:>14.0f}{pages:>7}{size:>11}")
    wall = medians["report"][0] / medians["bare"][0]
    cpu = medians["report"][1] / medians["bare"][1]
    print(f"ratio report / bare: wall {wall:.2f}, CPU {cpu:.2f} (budget 1.30)")
    print(f"peak RSS: {medians['report'][2]:.0f} MiB (budget 500 MiB)")


if __name__ == "__main__":
    main()
