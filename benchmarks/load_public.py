"""Public pages under 50 concurrent clients, against gunicorn + PostgreSQL on 127.0.0.1.

    .venv/bin/python benchmarks/load_public.py [--clients 50] [--seconds 20] [--port 8107]

Starts the app itself (see load_harness.py), then every client loops over the public pages
until the time is up or it has sent --max-requests. Prints
requests/s, p50/p95 latency and the errors; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import collections
import re
import threading
import time

from load_harness import Client, production_app, summary_ms

CANDIDATES = ["/", "/initiatives/", "/policies/1/", "/policies/2/", "/open-data/"]


def public_paths(app) -> list[str]:
    client = app.client()
    paths = [path for path in CANDIDATES if client.get(path).status == 200]
    listing = client.get("/initiatives/")
    if listing.status == 200:
        codes = sorted(set(re.findall(r'href="/initiatives/([^/"]+)/"', listing.text)))
        paths += [f"/initiatives/{code}/" for code in codes[:20]]
    if not paths:
        raise SystemExit("no public page answers 200")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=2000, help="per client")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--database", default="kanazawa_bench_public")
    args = parser.parse_args()

    with production_app(args.database, args.port, workers=args.workers) as app:
        paths = public_paths(app)
        print(f"{len(paths)} public pages: {', '.join(paths[:8])}{' …' if len(paths) > 8 else ''}")
        for path in paths:  # warm-up, and every page must work before the load
            response = app.client().get(path)
            assert response.status == 200, (path, response.status)

        latencies: list[float] = []
        statuses: collections.Counter[str] = collections.Counter()
        lock = threading.Lock()
        start = threading.Barrier(args.clients + 1)
        deadline_box: list[float] = []

        def run(number: int) -> None:
            client = Client(app.port, address=f"203.0.113.{number % 250 + 1}")
            mine: list[float] = []
            seen: collections.Counter[str] = collections.Counter()
            start.wait()
            for index in range(args.max_requests):
                if time.monotonic() >= deadline_box[0]:
                    break
                path = paths[(number + index) % len(paths)]
                try:
                    response = client.get(path)
                except OSError as exc:
                    seen[type(exc).__name__] += 1
                    continue
                seen[str(response.status)] += 1
                mine.append(response.seconds)
            client.close()
            with lock:
                latencies.extend(mine)
                statuses.update(seen)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        deadline_box.append(time.monotonic() + args.seconds)
        began = time.monotonic()
        start.wait()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - began

    total = sum(statuses.values())
    errors = total - statuses.get("200", 0)
    print()
    print(f"clients {args.clients}, {elapsed:.1f} s, {total} requests")
    print(f"throughput {total / elapsed:.1f} requests/s")
    print(f"latency {summary_ms(latencies)}")
    print(f"statuses {dict(statuses)}")
    print(f"errors {errors}")
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
