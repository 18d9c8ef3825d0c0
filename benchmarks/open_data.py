"""Public pages, open data and reports served from the publication cache, beside /healthz.

    .venv/bin/python benchmarks/open_data.py [--scale 1|100] [--requests 100] [--clients 8]
                                             [--seconds 10] [--port 8141]

Starts the app itself (load_harness.production_app: gunicorn with deploy/production.env, a
fresh PostgreSQL database on 127.0.0.1) and refuses to run when the port already answers
(it never measures a server it did not start). With --scale 100 the plan loaded is the real
one with every initiative present 100 times (12,400 initiatives, their plans, targets and
published results), made in a temporary file.

In one run, side by side:
1. warm latency: each path requested --requests times by one client after one cold request;
   the client round-trip p50 beside /healthz's p50, and the ratio (target ≤ 3×);
2. revalidation: the same request with If-None-Match answers 304; brotli sizes;
3. load: --clients threads for --seconds on /healthz alone, then on the public mix (the
   list, detail pages, the open-data page, every download, the reports, the API), requests
   per second and the ratio (target ≥ 0.5).
Every request accepts brotli and gzip, as browsers do (the cold column is without). Before
measuring it runs `prepare_open_data`, as the worker does after every publication.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import brotli
from load_harness import ROOT, Client, percentile, production_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from public_pages import ten_times_larger

BROWSER = "gzip, deflate, br"
DOWNLOADS = (
    "/open-data/initiatives.csv",
    "/open-data/initiatives.json",
    "/open-data/initiatives.xlsx",
    "/open-data/initiative_years.csv",
    "/open-data/initiative_years.json",
    "/open-data/indicator_years.csv",
    "/open-data/indicator_years.json",
    "/open-data/datapackage.json",
)


def paths_for(app, year: int, with_reports: bool) -> list[str]:
    plans = app.client().get("/api/v1/plans/")
    slug = json.loads(plans.body)["plans"][0]["id"]
    plan = json.loads(app.client().get(f"/api/v1/plans/{slug}/").body)
    code = plan["initiatives"][0]["code"]
    paths = [
        "/initiatives/",
        "/",
        f"/initiatives/{code}/",
        "/policies/1/",
        "/open-data/",
        "/initiatives/?status_2023=not_achieved",
        *DOWNLOADS,
        "/open-data/initiative_years.csv?status_2023=not_achieved",
        f"/api/v1/plans/{slug}/",
        f"/api/v1/plans/{slug}/initiatives/{code}",
        "/sitemap.xml",
    ]
    if with_reports:
        paths += [f"/reports/{year}.pdf", f"/reports/{year}.xlsx"]
    return paths


def latencies(client: Client, path: str, requests: int) -> list:
    out = []
    for _ in range(requests):
        response = client.request("GET", path, headers={"Accept-Encoding": BROWSER})
        assert response.status in (200, 304), (path, response.status)
        out.append(response.seconds * 1000)
    return out


def load(app, paths: list[str], clients: int, seconds: float) -> tuple[float, dict]:
    statuses: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def run(number: int) -> None:
        client = Client(app.port, address=f"203.0.113.{number % 250 + 1}")
        seen: collections.Counter[str] = collections.Counter()
        barrier.wait()
        index = number
        while time.monotonic() < deadline[0]:
            path = paths[index % len(paths)]
            index += 1
            try:
                # As browsers ask: brotli and gzip accepted.
                response = client.request("GET", path, headers={"Accept-Encoding": BROWSER})
                seen[str(response.status)] += 1
            except OSError as exc:
                seen[type(exc).__name__] += 1
        client.close()
        with lock:
            statuses.update(seen)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline.append(time.monotonic() + seconds)
    began = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began
    return sum(statuses.values()) / elapsed, dict(statuses)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=8141)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--database", default="kanazawa_bench_open_data")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kanazawa-bench-plan-") as folder:
        if args.scale > 1:
            document = json.loads((ROOT / "fixtures" / "plan.json").read_text(encoding="utf-8"))
            larger = Path(folder) / "plan.json"
            larger.write_text(
                json.dumps(ten_times_larger(document, args.scale), ensure_ascii=False),
                encoding="utf-8",
            )
            os.environ["BENCH_PLAN"] = str(larger)
        with production_app(args.database, args.port, workers=args.workers) as app:
            with_reports = args.scale == 1  # a 12,400-initiative PDF is another benchmark
            if with_reports:
                app.manage(
                    "render_editions", "--year", str(args.year), "--kind", "full",
                    "--kind", "xlsx", "--now",
                )  # fmt: skip
            started = time.perf_counter()
            app.manage("prepare_open_data")  # what the worker does after a publication
            prepared = time.perf_counter() - started
            paths = paths_for(app, args.year, with_reports)
            client = app.client()
            # A cold answer at ×100 is built from 12,400 rows: seconds, not the usual 30 s cap.
            client.timeout = 600
            print(f"規模 ×{args.scale}, gunicorn workers {app.env['WEB_CONCURRENCY']}")
            print(f"open-data files made by prepare_open_data (the worker): {prepared:.1f} s")
            cold = {}
            for path in paths:
                response = client.get(path)
                assert response.status == 200, (path, response.status)
                cold[path] = (response.seconds * 1000, len(response.body), response.headers)
            base = latencies(client, "/healthz", args.requests)
            healthz = percentile(base, 0.5)
            print(
                f"\n1. warm latency, {args.requests} requests each, one client (ms, brotli or "
                "gzip accepted; cold: the first request, without)"
            )
            print(
                f"{'path':<58}{'cold':>9}{'p50':>8}{'p95':>8}{'× healthz':>11}{'bytes':>10}"
                f"{'br':>9}{'304':>5}"
            )
            print(f"{'/healthz':<58}{'':>9}{healthz:>8.2f}{percentile(base, 0.95):>8.2f}")
            worst = 0.0
            for path in paths:
                times = latencies(client, path, args.requests)
                p50 = percentile(times, 0.5)
                ratio = p50 / healthz
                worst = max(worst, ratio)
                etag = cold[path][2].get("etag", "")
                revalidated = client.request("GET", path, headers={"If-None-Match": etag})
                packed = client.request("GET", path, headers={"Accept-Encoding": BROWSER})
                size = len(packed.body)
                if packed.headers.get("content-encoding") == "br":
                    assert len(brotli.decompress(packed.body)) == cold[path][1], path
                print(
                    f"{path[:57]:<58}{cold[path][0]:>9.1f}{p50:>8.2f}"
                    f"{percentile(times, 0.95):>8.2f}{ratio:>10.1f}×{cold[path][1]:>10}"
                    f"{size if size != cold[path][1] else '-':>9}{revalidated.status:>5}"
                )
            print(f"worst warm p50 ratio {worst:.1f}× /healthz (target ≤ 3×)")

            print(f"\n3. load: {args.clients} clients, {args.seconds:.0f} s each")
            healthz_rps, healthz_statuses = load(app, ["/healthz"], args.clients, args.seconds)
            public_rps, public_statuses = load(app, paths, args.clients, args.seconds)
            print(f"/healthz      {healthz_rps:8.1f} requests/s  {healthz_statuses}")
            print(f"public mix    {public_rps:8.1f} requests/s  {public_statuses}")
            print(
                f"ratio {public_rps / healthz_rps:.2f} of /healthz (target ≥ 0.5); "
                f"{len(paths)} paths: list, pages, every download, "
                f"{'reports, ' if with_reports else ''}API"
            )
            bad = {k: v for k, v in public_statuses.items() if k != "200"}
            raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
