"""Scale across plans: 5 plans × 124 initiatives with 4 years of published results each.

    .venv/bin/python benchmarks/plans.py [--requests 20]

Builds a throwaway SQLite database in a temporary directory (your database is not touched),
loads the real plan and publishes its remaining years in bulk (every planned result, one
edition per year). It measures, through Django's test client in this process:
- the SQL queries of the public list of one plan (whole, and filtered to 方針1) and of HQ's
  overview of one year;
- the median (p50) time of N requests of those lists, beside /healthz (the bare baseline).
Then it adds four more plans the way a city drafts the next one (`next_plan_document`: the
same structure shifted by 4 years each, with its own slug), publishes their 4 years, and
measures the same again. The queries must be the same with 5 plans as with 1, and the list's
time must follow the rows it shows, not the number of plans.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["REPORTS_RENDER_ON_PUBLICATION"] = "0"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host and the queries log


def add_plan(document: dict, *, number: int) -> None:
    """The `number`-th plan after the real one (2 → 2027-2030), all 4 years published."""
    from initiatives.models import Plan
    from initiatives.plan.loader import import_plan
    from tests.conftest import next_plan_document
    from tests.initiatives.publication_helpers import publish_years

    shift = 4 * (number - 1)
    slug = f"{2023 + shift}-{2026 + shift}"
    import_plan(data=next_plan_document(document, slug=slug, shift=shift))
    plan = Plan.objects.get(slug=slug)
    publish_years(plan, list(range(plan.start_year, plan.end_year + 1)))


def measure(client, url: str, requests: int) -> dict:
    """Queries of one request, p50 milliseconds over `requests`, and table rows shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches (templates, content types)
    connection.queries_log.clear()  # DEBUG keeps the last 9,000: a full log counts nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    rows = len(re.findall(r"<tr[ >]", response.content.decode()))
    return {"queries": len(queries), "p50_ms": statistics.median(times), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--plans", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plans-bench-") as tmp:
        setup_django(Path(tmp))
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from initiatives.models import Initiative, Plan, Result
        from initiatives.plan.loader import import_plan
        from initiatives.roles import HQ_GROUP
        from tests.initiatives.publication_helpers import publish_years

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        document = json.loads(Path(settings.PLAN_FIXTURE).read_text(encoding="utf-8"))
        import_plan(data=document)
        first = Plan.objects.get(slug="2023-2026")
        publish_years(first, [2024, 2025, 2026])
        hq = get_user_model().objects.create_user("bench-hq", is_staff=True)
        hq.groups.add(Group.objects.get(name=HQ_GROUP))
        client = Client()
        client.force_login(hq)
        overview = reverse("admin:initiatives_result_overview")
        pages = {
            "/healthz (baseline)": "/healthz",
            "list of 2023-2026, 方針1": "/plans/2023-2026/initiatives/?policy=1",
            "list of 2023-2026, all": "/plans/2023-2026/initiatives/",
            "list, unprefixed (current)": "/initiatives/",
            "HQ overview 令和5年度": f"{overview}?year=2023",
        }
        one = {name: measure(client, url, args.requests) for name, url in pages.items()}
        built_one = time.perf_counter() - started

        for number in range(2, args.plans + 1):
            add_plan(document, number=number)
        last = Plan.objects.order_by("-start_year").first()
        pages[f"list of {last.slug}, all"] = f"/plans/{last.slug}/initiatives/"
        many = {name: measure(client, url, args.requests) for name, url in pages.items()}
        totals = (
            Plan.objects.count(),
            Initiative.objects.count(),
            Result.objects.filter(published_at__isnull=False).count(),
        )

    print(f"# plans benchmark — Python {platform.python_version()}, SQLite, test client")
    print(f"# {args.requests} requests per page; set-up of 1 plan {built_one:.1f}s")
    print(f"# with {totals[0]} plans: {totals[1]} initiatives, {totals[2]} published results")
    print()
    header = f"{'page':32} {'rows':>5} | {'1 plan: q':>9} {'p50 ms':>8} | "
    header += f"{f'{totals[0]} plans: q':>10} {'p50 ms':>8}"
    print(header)
    print("-" * len(header))
    for name in pages:
        a, b = one.get(name), many[name]
        left = f"{a['queries']:>9} {a['p50_ms']:>8.1f}" if a else f"{'-':>9} {'-':>8}"
        print(f"{name:32} {b['rows']:>5} | {left} | {b['queries']:>10} {b['p50_ms']:>8.1f}")
    same = all(one[name]["queries"] == many[name]["queries"] for name in one)
    print()
    print(f"same queries with {totals[0]} plans as with 1: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
