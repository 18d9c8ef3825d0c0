"""The workflow's races, hundreds of times, through gunicorn on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/races.py [--rounds 100] [--crowd-rounds 100]
                                         [--databases sqlite,postgresql] [--port 8111]

For each database it starts its own production-mode app (load_harness.py: gunicorn with
deploy/production.env, a fresh SQLite file or PostgreSQL database, dropped afterwards) and
never measures a server it did not start. Each race releases its POSTs together (a barrier):

- same version: two colleagues save one result, both from the same version;
- double submit: one user's 「提出する」 arrives twice at once (a double click);
- approve vs return: two HQ reviewers act on one submitted result at once;
- crowd: 20 department users each save their own result at once.

Counted per race: answers by status (302 success, 409 conflict, 500 …). Then the database
is read back: every simple-history record and workflow event since the start must be one
that a 302 announced, in order, with its exact text, and nothing else (a 409 changed
nothing, no success was lost). Exits 1 on any 500, unexpected answer or lost update.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from load_harness import Client, Response, production_app

PASSWORD = "race-test-passphrase-2026"
YEAR = 2024
CROWD = 20

SETUP = """
import datetime, json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from initiatives.results import services
from initiatives.models import DepartmentMembership, FiscalYear, Indicator, Result, Target
from initiatives.roles import HQ_GROUP

User = get_user_model()
group = Group.objects.get_or_create(name=HQ_GROUP)[0]
hqs = []
for name in ("race-hq-a", "race-hq-b"):
    user = User.objects.create_user(name, f"{name}@example.com", PASSWORD, is_staff=True)
    user.groups.add(group)
    hqs.append(user)
fiscal_year = FiscalYear.objects.get(year=YEAR)
services.open_period(
    fiscal_year=fiscal_year, deadline=timezone.localdate() + datetime.timedelta(days=30),
    user=hqs[0],
)
# Results whose submission needs no actual value (no target this year), one department each.
with_target = Target.objects.filter(fiscal_year=fiscal_year, value__isnull=False).values(
    "indicator__initiative"
)
results = list(
    Result.objects.filter(fiscal_year=fiscal_year, state=Result.State.NOT_STARTED)
    .filter(initiative__owners__isnull=False)
    .exclude(initiative__in=with_target)
    .distinct()
    .order_by("initiative__order")[: CROWD + 3]
)
assert len(results) == CROWD + 3, len(results)

def member(name, result):
    user = User.objects.create_user(name, f"{name}@example.com", PASSWORD, is_staff=True)
    department = result.initiative.owners.first().department
    DepartmentMembership.objects.create(user=user, department=department)
    return name

plan = {
    "same_version": {"result": results[0].pk,
                     "users": [member("race-a1", results[0]), member("race-a2", results[0])]},
    "double_submit": {"result": results[1].pk, "users": [member("race-b1", results[1])]},
    "approve_return": {"result": results[2].pk, "users": [member("race-c1", results[2])]},
    "crowd": {str(r.pk): member(f"race-d{n:02d}", r) for n, r in enumerate(results[3:])},
}
print(json.dumps(plan))
"""

READ_BACK = """
import json
from initiatives.models import Result, WorkflowEvent
rows = {}
for result in Result.objects.filter(pk__in=IDS):
    rows[result.pk] = {
        "state": result.state,
        "version": result.version,
        "text": result.text,
        "history": [
            [h.history_change_reason or "", h.text, h.state, h.version]
            for h in result.history.order_by("history_date", "history_id")
        ],
        "events": [
            [e.action, e.text, e.comment]
            for e in WorkflowEvent.objects.filter(result=result).order_by("created_at", "pk")
        ],
    }
print(json.dumps(rows))
"""


def shell(app, code: str, **values: object) -> dict:
    for name, value in values.items():
        code = code.replace(name, repr(value))
    return json.loads(app.manage("shell", "--no-imports", "-c", code).strip().splitlines()[-1])


@dataclass
class Tally:
    """Answers to one race, and the steps its successes announced (for the read-back)."""

    name: str
    rounds: int = 0
    statuses: Counter = field(default_factory=Counter)
    expected: dict[int, list[list[str]]] = field(default_factory=dict)  # result → events
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def expect(self, result_id: int, *event: str) -> None:
        self.expected.setdefault(result_id, []).append(list(event))


class Browser:
    """A logged-in user on the entry screen of one result."""

    def __init__(self, app, admin: str, username: str, number: int) -> None:
        self.client = Client(app.port, address=f"203.0.113.{number}")
        self.client.login(admin, username, PASSWORD)
        self.admin = admin

    def path(self, result_id: int) -> str:
        return f"{self.admin}initiatives/result/{result_id}/change/"

    def open(self, result_id: int) -> tuple[str, int]:
        page = self.client.get(self.path(result_id))
        if page.status != 200:
            raise SystemExit(f"{self.path(result_id)}: {page.status}")
        version = re.search(rb'name="version" value="(\d+)"', page.body)
        if not version:
            raise SystemExit(f"{self.path(result_id)}: no version field")
        return self.client.csrf_token(page), int(version[1])

    def post(self, result_id: int, fields: dict[str, str]) -> Response:
        try:
            return self.client.post(self.path(result_id), fields)
        except OSError as exc:  # counted as status 0
            return Response(0, str(exc).encode(), {}, 0.0)


def together(calls: list) -> list[Response]:
    """Run the calls in threads released at the same moment; their responses in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [a if a is not None else Response(0, b"no answer", {}, 0.0) for a in answers]


def entry(token: str, version: int, action: str, text: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "version": str(version),
        "status": "achieved",
        "text": text,
        "note": "",
        "_action": action,
    }


def review(token: str, version: int, action: str, comment: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "version": str(version),
        "_action": action,
        "comment": comment,
    }


def one_winner(tally: Tally, answers: list[Response], round_no: int) -> int | None:
    """The index of the one 302 among answers where the others are 409, else a problem."""
    codes = [a.status for a in answers]
    tally.statuses.update(codes)
    winners = [i for i, code in enumerate(codes) if code == 302]
    if len(winners) != 1 or any(code not in (302, 409) for code in codes):
        tally.problems.append(f"round {round_no}: expected one 302 and 409s, got {codes}")
        return winners[0] if len(winners) == 1 else None
    for answer in answers:
        if answer.status == 409 and "上書きを防ぐため保存していません" not in answer.text:
            tally.problems.append(f"round {round_no}: 409 without the conflict message")
    return winners[0]


def race_same_version(app, admin: str, plan: dict, rounds: int) -> Tally:
    tally = Tally("same version (two saves of one version)")
    result_id = plan["result"]
    users = [Browser(app, admin, name, 10 + n) for n, name in enumerate(plan["users"])]
    for round_no in range(rounds):
        opened = [user.open(result_id) for user in users]
        texts = [f"同時保存 {round_no} — {user}" for user in plan["users"]]
        answers = together(
            [
                lambda u=u, o=o, t=t: u.post(result_id, entry(o[0], o[1], "save", t))
                for u, o, t in zip(users, opened, texts, strict=True)
            ]
        )
        winner = one_winner(tally, answers, round_no)
        if winner is not None and answers[winner].status == 302:
            tally.expect(result_id, "save", texts[winner], "")
        tally.rounds += 1
    return tally


def race_double_submit(app, admin: str, plan: dict, rounds: int, hq: Browser) -> Tally:
    tally = Tally("double submit (one user's 提出する twice at once)")
    result_id = plan["result"]
    user = Browser(app, admin, plan["users"][0], 20)
    second = Browser(app, admin, plan["users"][0], 21)  # the same user, a second connection
    second.client.cookies = user.client.cookies
    for round_no in range(rounds):
        token, version = user.open(result_id)
        text = f"二度押し {round_no}"
        fields = entry(token, version, "submit", text)
        answers = together(
            [
                lambda f=fields: user.post(result_id, f),
                lambda f=fields: second.post(result_id, f),
            ]
        )
        if one_winner(tally, answers, round_no) is not None:
            tally.expect(result_id, "save", text, "")
            tally.expect(result_id, "submit", text, "")
        # HQ returns it, so that the next round can submit again.
        hq_token, hq_version = hq.open(result_id)
        comment = f"次の回のため差戻し {round_no}"
        back = hq.post(result_id, review(hq_token, hq_version, "return", comment))
        if back.status != 302:
            raise SystemExit(f"double submit round {round_no}: HQ return got {back.status}")
        tally.expect(result_id, "return", text, comment)
        tally.rounds += 1
    return tally


def race_approve_return(app, admin: str, plan: dict, rounds: int, hqs: list[Browser]) -> Tally:
    tally = Tally("approve vs return (two HQ reviewers at once)")
    result_id = plan["result"]
    department = Browser(app, admin, plan["users"][0], 30)
    for round_no in range(rounds):
        token, version = department.open(result_id)
        text = f"承認か差戻しか {round_no}"
        submitted = department.post(result_id, entry(token, version, "submit", text))
        if submitted.status != 302:
            raise SystemExit(f"approve vs return round {round_no}: submit got {submitted.status}")
        tally.expect(result_id, "save", text, "")
        tally.expect(result_id, "submit", text, "")
        opened = [hq.open(result_id) for hq in hqs]
        comments = [f"承認 {round_no}", f"差戻し {round_no}"]
        actions = ["approve", "return"]
        answers = together(
            [
                lambda h=h, o=o, a=a, c=c: h.post(result_id, review(o[0], o[1], a, c))
                for h, o, a, c in zip(hqs, opened, actions, comments, strict=True)
            ]
        )
        winner = one_winner(tally, answers, round_no)
        if winner is not None and answers[winner].status == 302:
            tally.expect(result_id, actions[winner], text, comments[winner])
            if actions[winner] == "approve":  # back to 差戻し for the next round
                hq_token, hq_version = hqs[0].open(result_id)
                comment = f"次の回のため差戻し {round_no}"
                back = hqs[0].post(result_id, review(hq_token, hq_version, "return", comment))
                if back.status != 302:
                    raise SystemExit(f"approve vs return round {round_no}: return {back.status}")
                tally.expect(result_id, "return", text, comment)
        tally.rounds += 1
    return tally


def race_crowd(app, admin: str, plan: dict, rounds: int) -> Tally:
    tally = Tally(f"crowd ({len(plan)} users saving their own result at once)")
    users = {
        int(result_id): Browser(app, admin, name, 40 + n)
        for n, (result_id, name) in enumerate(sorted(plan.items()))
    }
    opened = {result_id: user.open(result_id) for result_id, user in users.items()}
    for round_no in range(rounds):
        texts = {result_id: f"一斉保存 {round_no} — No.{result_id}" for result_id in users}
        order = sorted(users)
        answers = together(
            [
                lambda r=r, t=texts[r]: users[r].post(
                    r, entry(opened[r][0], opened[r][1], "save", t)
                )
                for r in order
            ]
        )
        tally.statuses.update(a.status for a in answers)
        for result_id, answer in zip(order, answers, strict=True):
            if answer.status == 302:
                tally.expect(result_id, "save", texts[result_id], "")
                opened[result_id] = (opened[result_id][0], opened[result_id][1] + 1)
            else:
                tally.problems.append(f"round {round_no}: No.{result_id} got {answer.status}")
                opened[result_id] = users[result_id].open(result_id)
        tally.rounds += 1
    return tally


def lost_updates(tally: Tally, before: dict, after: dict) -> int:
    """Steps a 302 announced that the database lacks, plus changes no 302 announced."""
    lost = 0
    for result_id, expected in tally.expected.items():
        old, new = before[result_id], after[result_id]
        events = new["events"][len(old["events"]) :]
        history = new["history"][len(old["history"]) :]
        if events != expected:
            missing = sum(1 for e in expected if e not in events)
            extra = sum(1 for e in events if e not in expected)
            lost += max(missing + extra, 1)
            tally.problems.append(
                f"result {result_id}: {len(expected)} steps announced, {len(events)} recorded"
                f" ({missing} missing, {extra} unannounced)"
            )
        if len(history) != len(expected) or new["version"] != old["version"] + len(expected):
            tally.problems.append(
                f"result {result_id}: {len(history)} history records, version"
                f" {old['version']}→{new['version']} for {len(expected)} steps"
            )
            lost += 1
        if expected and new["text"] != expected[-1][1]:
            tally.problems.append(f"result {result_id}: the text of the last success was lost")
            lost += 1
    return lost


def run_database(engine: str, args) -> list[tuple[Tally, int]]:
    database = f"kanazawa_bench_races_{engine}"
    print(f"\n=== {engine} ===")
    with production_app(database, args.port, engine=engine) as app:
        admin = "/" + app.env.get("ADMIN_URL", "admin/")
        plan = shell(app, SETUP, PASSWORD=PASSWORD, YEAR=YEAR, CROWD=CROWD)
        ids = [
            plan["same_version"]["result"],
            plan["double_submit"]["result"],
            plan["approve_return"]["result"],
            *map(int, plan["crowd"]),
        ]
        before = {int(k): v for k, v in shell(app, READ_BACK, IDS=ids).items()}
        hqs = [
            Browser(app, admin, name, 2 + n) for n, name in enumerate(["race-hq-a", "race-hq-b"])
        ]
        tallies = []
        for name, run in (
            (
                "same version",
                lambda: race_same_version(app, admin, plan["same_version"], args.rounds),
            ),
            (
                "double submit",
                lambda: race_double_submit(app, admin, plan["double_submit"], args.rounds, hqs[0]),
            ),
            (
                "approve vs return",
                lambda: race_approve_return(app, admin, plan["approve_return"], args.rounds, hqs),
            ),
            ("crowd", lambda: race_crowd(app, admin, plan["crowd"], args.crowd_rounds)),
        ):
            started = time.perf_counter()
            tally = run()
            tally.seconds = time.perf_counter() - started
            print(
                f"  {name}: {tally.rounds} rounds in {tally.seconds:.0f} s, {dict(tally.statuses)}"
            )
            tallies.append(tally)
        after = {int(k): v for k, v in shell(app, READ_BACK, IDS=ids).items()}
        if not app.running():
            raise SystemExit("gunicorn stopped during the races")
    return [(tally, lost_updates(tally, before, after)) for tally in tallies]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--crowd-rounds", type=int, default=100)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--port", type=int, default=8111)
    args = parser.parse_args()

    results: dict[str, list[tuple[Tally, int]]] = {}
    for engine in args.databases.split(","):
        results[engine] = run_database(engine.strip(), args)

    failed = False
    print(
        "\n| database | race | rounds | requests | 302 | 409 | 500 | 503 | other | lost updates |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for engine, rows in results.items():
        for tally, lost in rows:
            total = sum(tally.statuses.values())
            other = total - sum(tally.statuses[c] for c in (302, 409, 500, 503))
            print(
                f"| {engine} | {tally.name} | {tally.rounds} | {total} | {tally.statuses[302]}"
                f" | {tally.statuses[409]} | {tally.statuses[500]} | {tally.statuses[503]}"
                f" | {other} | {lost} |"
            )
            failed = failed or bool(tally.problems) or lost > 0 or tally.statuses[500] > 0
    for engine, rows in results.items():
        for tally, _lost in rows:
            for problem in tally.problems[:10]:
                print(f"  {engine} {tally.name}: {problem}")
    print()
    if failed:
        print("RESULT: FAIL")
        raise SystemExit(1)
    print("RESULT: PASS — no 500, every race one success and 409s, no lost or silent update")


if __name__ == "__main__":
    main()
