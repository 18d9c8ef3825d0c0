"""PostgreSQL restarted in the middle of traffic: clean 503s, then recovery without a restart.

    .venv/bin/python benchmarks/fault_db_restart.py [--clients 10] [--seconds 30] [--port 8108]

Starts the app (see load_harness.py), keeps --clients clients requesting /healthz, a
public page and a signed-in admin page, and after --restart-after seconds runs
`pg_ctlcluster --skip-systemctl-redirect 15 main restart`. Prints what the clients got
before, during and after the restart. It passes (exit 0) when every failed request was a
503 (the Japanese page, or the health check's JSON), the app answered 200 again without
being restarted, and nothing failed once it had recovered. PostgreSQL is started again
at the end whatever happened.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import threading
import time
from dataclasses import dataclass

from load_harness import Client, production_app

CLUSTER = ["15", "main"]
PASSWORD = "fault-test-passphrase-2026"


@dataclass
class Hit:
    at: float
    path: str
    status: str
    clean: bool


def pg_ready() -> bool:
    probe = ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]
    return subprocess.run(probe, check=False).returncode == 0


def ensure_postgres_running() -> None:
    if pg_ready():
        return
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, "start"], check=False)
    for _ in range(30):
        if pg_ready():
            return
        time.sleep(1)
    print("!! PostgreSQL is not running: start it with pg_ctlcluster 15 main start")


def is_clean_failure(path: str, response) -> bool:
    if response.status != 503:
        return False
    if path == "/healthz":
        return '"unavailable"' in response.text
    return "ただいま一時的に利用できません" in response.text and "retry-after" in response.headers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--restart-after", type=float, default=8)
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--database", default="kanazawa_bench_fault")
    args = parser.parse_args()

    try:
        with production_app(args.database, args.port, workers=3) as app:
            run(app, args)
    finally:
        ensure_postgres_running()


def run(app, args) -> None:
    app.manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser('fault', '', '{PASSWORD}')",
    )
    admin = "/" + app.env.get("ADMIN_URL", "admin/")
    public = next((p for p in ("/initiatives/", "/") if app.client().get(p).status == 200), None)
    paths = ["/healthz", admin] + ([public] if public else [])
    print(f"pages: {', '.join(paths)}")
    server_pid = app.server.pid

    hits: list[Hit] = []
    lock = threading.Lock()
    began = time.monotonic()
    deadline = began + args.seconds

    def client_loop(number: int) -> None:
        client = Client(app.port, address=f"203.0.113.{number + 1}")
        client.login(admin, "fault", PASSWORD)
        index = 0
        while time.monotonic() < deadline and index < 5000:
            path = paths[index % len(paths)]
            index += 1
            try:
                response = client.get(path)
                hit = Hit(time.monotonic() - began, path, str(response.status), False)
                hit.clean = response.status == 200 or is_clean_failure(path, response)
            except OSError as exc:
                hit = Hit(time.monotonic() - began, path, type(exc).__name__, False)
            with lock:
                hits.append(hit)
            time.sleep(0.02)
        client.close()

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.restart_after)
    restart_began = time.monotonic() - began
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, "restart"], check=True)
    restart_ended = time.monotonic() - began
    for thread in threads:
        thread.join(timeout=args.seconds + 60)

    hits.sort(key=lambda hit: hit.at)
    failures = [hit for hit in hits if hit.status != "200"]
    unclean = [hit for hit in hits if not hit.clean]
    last_failure = failures[-1].at if failures else None
    after = [hit for hit in hits if last_failure is not None and hit.at > last_failure]
    phases = {
        "before the restart": [h for h in hits if h.at < restart_began],
        "during the restart": [h for h in hits if restart_began <= h.at <= restart_ended],
        "after the restart": [h for h in hits if h.at > restart_ended],
    }
    print()
    print(
        f"{args.clients} clients, {len(hits)} requests in {args.seconds:.0f} s; "
        f"restart from {restart_began:.1f} s to {restart_ended:.1f} s"
    )
    for name, phase in phases.items():
        counts = collections.Counter(hit.status for hit in phase)
        print(f"  {name:20} {len(phase):5} requests  {dict(counts)}")
    if failures:
        print(
            f"failed requests: {len(failures)}, from {failures[0].at:.2f} s "
            f"to {failures[-1].at:.2f} s; all clean 503s: {not unclean}"
        )
        recovery = failures[-1].at - restart_ended
        print(f"last failure {recovery:+.2f} s after the restart command returned")
    else:
        print("no request failed")
    print(
        f"requests after recovery: {len(after)}, all 200: {all(h.status == '200' for h in after)}"
    )
    same_server = app.running() and app.server.pid == server_pid
    print(f"gunicorn (pid {server_pid}) kept running, never restarted: {same_server}")
    ok = not unclean and len(after) > 0 and same_server
    print("RESULT:", "PASS" if ok else "FAIL")
    if not ok:
        for hit in unclean[:10]:
            print("  unclean:", hit)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
