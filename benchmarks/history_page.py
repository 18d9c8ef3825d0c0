"""The history page with the longest texts, through gunicorn: it must open in under a second.

    .venv/bin/python benchmarks/history_page.py [--engine postgresql|sqlite] [--port 8114]

Starts its own production-mode app (load_harness.py) and gives one initiative four years of
worst cases: rounds of 提出 → 差戻し → 再提出 → 承認 whose submitted and approved texts are
RESULT_TEXT_MAX_CHARS long and share nothing (the slowest difference to work out), and, on a
second initiative, 30,000-character texts from before the limits (written directly, as old
data would be). Then it opens both history pages 20 times each and prints the server times.
"""

from __future__ import annotations

import argparse
import json
import statistics

from load_harness import Client, production_app

PASSWORD = "history-bench-passphrase-2026"

SETUP = """
import datetime, json, random
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from initiatives.models import DepartmentMembership, FiscalYear, Result, Target, WorkflowEvent
from initiatives.results import services
from initiatives.roles import HQ_GROUP

User = get_user_model()
hq = User.objects.create_user("bench-hq", password=PASSWORD, is_staff=True)
hq.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
fiscal_year = FiscalYear.objects.get(year=2024)
services.open_period(
    fiscal_year=fiscal_year, deadline=timezone.localdate() + datetime.timedelta(days=30), user=hq
)
with_target = Target.objects.filter(fiscal_year=fiscal_year, value__isnull=False).values(
    "indicator__initiative"
)
result, legacy = list(
    Result.objects.filter(fiscal_year=fiscal_year, initiative__owners__isnull=False)
    .exclude(initiative__in=with_target).distinct().order_by("initiative__order")[:2]
)
user = User.objects.create_user("bench-dept", password=PASSWORD, is_staff=True)
department = result.initiative.owners.first().department
DepartmentMembership.objects.create(user=user, department=department)
rng = random.Random(2026)
letters = "行政経営プランの推進にあたりデジタル化を進め市民サービスを向上させた。"
limit = settings.RESULT_TEXT_MAX_CHARS

def text():
    return "".join(rng.choice(letters) for _ in range(limit))

for round_no in range(4):
    result.refresh_from_db()
    result = services.save_and_submit(result=result, user=user, version=result.version,
        status="achieved", text=text(), note="", actuals={})
    result = services.return_result(result=result, user=hq, version=result.version,
        comment="全面的に書き直してください。")
    result = services.save_and_submit(result=result, user=user, version=result.version,
        status="achieved", text=text(), note="", actuals={})
    result = services.approve_result(result=result, user=hq, version=result.version)
    if round_no < 3:
        result = services.return_result(result=result, user=hq, version=result.version,
            comment="もう一度")
for action, fill in (("submit", "提"), ("approve", "承")):
    WorkflowEvent.objects.create(result=legacy, action=action, from_state="draft",
        to_state="draft", text=fill * 30000, actor=hq)
print(json.dumps({"initiatives": [result.initiative_id, legacy.initiative_id], "limit": limit}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with production_app("kanazawa_bench_history", args.port, engine=args.engine) as app:
        code = SETUP.replace("PASSWORD", repr(PASSWORD))
        plan = json.loads(app.manage("shell", "--no-imports", "-c", code).splitlines()[-1])
        admin = "/" + app.env.get("ADMIN_URL", "admin/")
        client = Client(app.port)
        client.login(admin, "bench-hq", PASSWORD)
        failed = False
        for label, initiative in zip(
            (f"4 rounds of {plan['limit']}-character rewrites", "30,000-character old texts"),
            plan["initiatives"],
            strict=True,
        ):
            url = f"{admin}initiatives/result/initiative/{initiative}/history/"
            times, statuses = [], set()
            for _ in range(args.requests):
                response = client.get(url)
                statuses.add(response.status)
                times.append(response.seconds)
            slowest = max(times)
            failed = failed or statuses != {200} or slowest >= 1.0
            print(
                f"{label}: statuses {sorted(statuses)}, median"
                f" {statistics.median(times) * 1000:.0f} ms, max {slowest * 1000:.0f} ms,"
                f" {len(response.body) // 1024} KiB"
            )
    print("RESULT: FAIL" if failed else "RESULT: PASS — every history page under a second")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
