"""A cached report download beside /healthz: server time and SQL queries, in one run.

    .venv/bin/python benchmarks/downloads.py [--requests 200] [--port 8131] [--year 2023]

Starts the app itself (load_harness.production_app: gunicorn + a fresh PostgreSQL database on
127.0.0.1; it never talks to a server it did not start), renders the year's full report and
Excel tables once (`manage.py render_editions --now`, as the worker does after publication),
then requests /healthz and the cached downloads one after another. Server time is gunicorn's
own request duration (the access log's duration_ms, 1 ms resolution; the median and p95 of
the run, including sending the file); client time is the round trip on 127.0.0.1. The
handler time and the queries are measured in this process through Django's test client
against the same database (the view and middleware, without network or streaming).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from load_harness import ROOT, percentile, production_app

PATHS = ("/healthz", "/reports/{year}.pdf", "/reports/{year}.xlsx")


def server_times(log_text: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for line in log_text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "gunicorn.access" and "duration_ms" in entry:
            times.setdefault(entry["path"], []).append(float(entry["duration_ms"]))
    return times


def in_process(env: dict[str, str], paths: list[str], runs: int) -> dict[str, tuple[int, float]]:
    """Per path: SQL queries of one request, and the median time of the Django handler
    (test client, no network, response not streamed) over `runs` requests."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kanazawa_plan.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    counts: dict[str, tuple[int, float]] = {}
    for path in paths:
        client.get(path, secure=True)  # warm (connection, caches) as in a running worker
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200, (path, response.status_code)
        count = len(queries)  # now: every request_started clears the query log
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path, secure=True)
            times.append((time.perf_counter() - started) * 1000)
            response.close()
        counts[path] = (count, statistics.median(times))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--database", default="kanazawa_bench_downloads")
    args = parser.parse_args()
    paths = [p.format(year=args.year) for p in PATHS]
    with production_app(args.database, args.port, workers=1) as app:
        print(
            app.manage(
                "render_editions",
                "--year",
                str(args.year),
                "--kind",
                "full",
                "--kind",
                "xlsx",
                "--now",
            ).strip()
        )
        client = app.client()
        start = len(app.log.read_text(encoding="utf-8").splitlines())
        client_ms: dict[str, list[float]] = {p: [] for p in paths}
        for _ in range(args.requests):
            for path in paths:
                response = client.get(path)
                assert response.status == 200, (path, response.status)
                client_ms[path].append(response.seconds * 1000)
        log = "\n".join(app.log.read_text(encoding="utf-8").splitlines()[start:])
        server = server_times(log)
        queries = in_process(app.env, paths, args.requests)
    print(f"{args.requests} requests each, one client, gunicorn 1 worker, PostgreSQL")
    print(
        f"{'path':<22}{'server p50 ms':>14}{'server p95 ms':>14}{'client p50 ms':>14}"
        f"{'handler p50 ms':>15}{'queries':>9}"
    )
    for path in paths:
        s = server.get(path, [float("nan")])
        print(
            f"{path:<22}{statistics.median(s):>14.1f}{percentile(s, 0.95):>14.1f}"
            f"{statistics.median(client_ms[path]):>14.1f}{queries[path][1]:>15.2f}"
            f"{queries[path][0]:>9}"
        )


if __name__ == "__main__":
    main()
