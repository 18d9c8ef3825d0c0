"""Median server time of the public achievement table and a detail sheet.

    .venv/bin/python benchmarks/public_pages.py [--plan fixtures/plan.json] [--repeat 30]

Builds a throwaway SQLite database in a temporary folder (your database is not touched),
loads the real plan, times `/initiatives/` and `/initiatives/<code>/` through Django's test
client (the whole request/response cycle, no network), then replaces it with a generated
plan ten times larger (every initiative copied nine times under the same direction, with
its plans, targets and published results) and times the same pages again.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS


def ten_times_larger(document: dict, factor: int = 10) -> dict:
    """The plan with every initiative present `factor` times (copies get codes like 12-c3)."""
    larger = copy.deepcopy(document)
    for policy in larger["policies"]:
        for measure in policy["measures"]:
            for direction in measure["directions"]:
                originals = direction["initiatives"]
                copies = []
                for n in range(2, factor + 1):
                    for initiative in originals:
                        twin = copy.deepcopy(initiative)
                        twin["code"] = f"{initiative['code']}-c{n}"
                        copies.append(twin)
                direction["initiatives"] = originals + copies
    return larger


def median_ms(client, path: str, repeat: int) -> float:
    assert client.get(path).status_code == 200, path  # warm up (templates, caches)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return statistics.median(timings)


def measure(label: str, document: dict, repeat: int) -> None:
    from django.core.management import call_command
    from django.test import Client

    from initiatives.models import Initiative, Result
    from initiatives.plan.loader import import_plan

    call_command("flush", interactive=False, verbosity=0)
    import_plan(data=document)
    count = Initiative.objects.count()
    published = Result.objects.filter(published_at__isnull=False).count()
    detail = Initiative.objects.filter(numeric_target=True).order_by("order").first()
    client = Client()
    paths = ["/initiatives/", f"/initiatives/{detail.code}/"]
    print(f"{label}: 取組 {count} 件、公開済みの実施結果 {published} 件")
    for path in paths:
        print(f"  {path:<24} median {median_ms(client, path, repeat):8.1f} ms ({repeat} 回)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=ROOT / "fixtures" / "plan.json")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    document = json.loads(args.plan.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="bench-public-") as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        measure("実際のプラン", document, args.repeat)
        measure("10倍のプラン（生成）", ten_times_larger(document), args.repeat)


if __name__ == "__main__":
    main()
