"""20 department users saving results at the same moment, through gunicorn + PostgreSQL.

    .venv/bin/python benchmarks/load_results.py [--users 20] [--port 8109]

Starts the app (see load_harness.py), opens 令和6年度 for entry and creates --users
department users. Each logs in to the admin and opens a result's entry screen; then all
press 「一時保存」 at the same moment (a barrier releases the POSTs together):

1. every user on their own result: every save must succeed;
2. the users in pairs on the same result, both from the same version: exactly one of each
   pair must be saved and the other refused with the conflict message (409), never a
   silent overwrite.

Afterwards the database is read back: each result holds exactly the text its successful
save sent, its version went up once per successful save, and simple-history and the
workflow events hold one record per successful save. Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import re
import threading

from load_harness import Client, Response, production_app, summary_ms

PASSWORD = "load-test-passphrase-2026"
YEAR = 2024

SETUP = """
import datetime, json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from initiatives.results import services
from initiatives.models import DepartmentMembership, FiscalYear, Result
from initiatives.roles import HQ_GROUP

User = get_user_model()
hq = User.objects.create_user("bench-hq", password=PASSWORD, is_staff=True)
hq.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
fiscal_year = FiscalYear.objects.get(year=YEAR)
services.open_period(
    fiscal_year=fiscal_year, deadline=timezone.localdate() + datetime.timedelta(days=30), user=hq
)
results = list(
    Result.objects.filter(fiscal_year=fiscal_year, state=Result.State.NOT_STARTED)
    .filter(initiative__owners__isnull=False)
    .distinct()
    .order_by("initiative__order")[: USERS + USERS // 2]
)
assert len(results) == USERS + USERS // 2, len(results)
own, shared = results[:USERS], results[USERS:]
plan = {"own": {}, "shared": {}}
for number, result in enumerate(own):
    user = User.objects.create_user(f"bench-{number:02d}", password=PASSWORD, is_staff=True)
    department = result.initiative.owners.first().department
    DepartmentMembership.objects.create(user=user, department=department)
    plan["own"][user.username] = result.pk
for number, result in enumerate(shared):
    department = result.initiative.owners.first().department
    for member in (2 * number, 2 * number + 1):
        user = User.objects.get(username=f"bench-{member:02d}")
        DepartmentMembership.objects.get_or_create(user=user, department=department)
        plan["shared"][user.username] = result.pk
print(json.dumps(plan))
"""

READ_BACK = """
import json
from initiatives.models import Result, WorkflowEvent
rows = {}
for result in Result.objects.filter(pk__in=IDS):
    rows[result.pk] = {
        "version": result.version,
        "text": result.text,
        "state": result.state,
        "history": result.history.count(),
        "saves": result.events.filter(action=WorkflowEvent.Action.SAVE).count(),
    }
print(json.dumps(rows))
"""


def shell(app, code: str, **values: object) -> dict:
    for name, value in values.items():
        code = code.replace(name, repr(value))
    return json.loads(app.manage("shell", "--no-imports", "-c", code).strip().splitlines()[-1])


def open_entry(client: Client, path: str) -> tuple[str, int]:
    page = client.get(path)
    if page.status != 200:
        raise SystemExit(f"{path}: {page.status}")
    version = re.search(rb'name="version" value="(\d+)"', page.body)
    if not version:
        raise SystemExit(f"{path}: no version field")
    return client.csrf_token(page), int(version[1])


def save_together(app, admin: str, assignment: dict[str, int], label: str) -> dict[str, tuple]:
    """Every user opens their result, then all POST 「一時保存」 at the same moment."""
    barrier = threading.Barrier(len(assignment))
    outcome: dict[str, tuple] = {}
    lock = threading.Lock()
    clients: dict[str, Client] = {}
    for number, username in enumerate(sorted(assignment)):
        client = Client(app.port, address=f"203.0.113.{number + 1}")
        client.login(admin, username, PASSWORD)
        clients[username] = client

    def run(username: str) -> None:
        client = clients[username]
        path = f"{admin}initiatives/result/{assignment[username]}/change/"
        token, version = open_entry(client, path)
        text = f"{label}: {username} が保存した実施結果（版 {version} から）"
        form = {
            "csrfmiddlewaretoken": token,
            "version": str(version),
            "status": "achieved",
            "text": text,
            "note": "",
            "_action": "save",
        }
        barrier.wait(timeout=60)
        try:
            response = client.post(path, form)
        except OSError as exc:
            response = Response(0, str(exc).encode(), {}, 0.0)
        with lock:
            outcome[username] = (response, text, version)
        client.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in assignment]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--port", type=int, default=8109)
    parser.add_argument("--database", default="kanazawa_bench_results")
    args = parser.parse_args()
    if args.users % 2:
        raise SystemExit("--users must be even (round 2 pairs them)")

    problems: list[str] = []
    with production_app(args.database, args.port) as app:
        admin = "/" + app.env.get("ADMIN_URL", "admin/")
        plan = shell(app, SETUP, PASSWORD=PASSWORD, YEAR=YEAR, USERS=args.users)
        ids = sorted(set(plan["own"].values()) | set(plan["shared"].values()))
        before = {int(k): v for k, v in shell(app, READ_BACK, IDS=ids).items()}

        print(f"\nround 1: {args.users} users, each on their own result, saving together")
        own = save_together(app, admin, plan["own"], "同時保存1")
        print("\nround 2: the same users in pairs on one result each, same version, together")
        shared = save_together(app, admin, plan["shared"], "同時保存2")
        after = {int(k): v for k, v in shell(app, READ_BACK, IDS=ids).items()}

    for name, outcome in (("round 1", own), ("round 2", shared)):
        statuses: dict[int, int] = {}
        for response, _text, _version in outcome.values():
            statuses[response.status] = statuses.get(response.status, 0) + 1
        latencies = [response.seconds for response, _t, _v in outcome.values()]
        print(f"{name}: {len(outcome)} saves, statuses {statuses}, {summary_ms(latencies)}")

    for username, (response, text, _version) in own.items():
        result_id = plan["own"][username]
        row, old = after[result_id], before[result_id]
        if response.status != 302:
            problems.append(f"round 1 {username}: HTTP {response.status}")
        if row["text"] != text:
            problems.append(f"round 1 result {result_id}: text lost ({row['text']!r})")
        if row["version"] != old["version"] + 1:
            problems.append(
                f"round 1 result {result_id}: version {old['version']}→{row['version']}"
            )
        if row["history"] != old["history"] + 1 or row["saves"] != old["saves"] + 1:
            problems.append(f"round 1 result {result_id}: history/events incomplete {row}")

    by_result: dict[int, list] = {}
    for username, outcome in shared.items():
        by_result.setdefault(plan["shared"][username], []).append((username, *outcome))
    for result_id, attempts in by_result.items():
        saved = [a for a in attempts if a[1].status == 302]
        refused = [a for a in attempts if a[1].status == 409]
        row, old = after[result_id], before[result_id]
        if len(saved) != 1 or len(refused) != 1:
            codes = [a[1].status for a in attempts]
            problems.append(
                f"round 2 result {result_id}: expected one 302 and one 409, got {codes}"
            )
            continue
        if "上書きを防ぐため保存していません" not in refused[0][1].text:
            problems.append(f"round 2 result {result_id}: 409 without the conflict message")
        if row["text"] != saved[0][2]:
            problems.append(f"round 2 result {result_id}: the saved text was lost or overwritten")
        expected_saves = old["saves"] + 1
        if row["saves"] != expected_saves or row["history"] != old["history"] + 1:
            problems.append(f"round 2 result {result_id}: history/events {row} vs {old}")
        if row["version"] != old["version"] + 1:
            problems.append(
                f"round 2 result {result_id}: version {old['version']}→{row['version']}"
            )

    print()
    if problems:
        print("RESULT: FAIL")
        for problem in problems:
            print("  ", problem)
        raise SystemExit(1)
    print(
        f"RESULT: PASS — {len(own)} simultaneous saves all stored; {len(by_result)} conflicting "
        "pairs each kept exactly one save and refused the other with 409; versions, history "
        "and workflow events match one record per successful save"
    )


if __name__ == "__main__":
    main()
