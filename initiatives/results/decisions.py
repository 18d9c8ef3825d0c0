"""未確定 follow-up: the 確定予定月 of an undetermined result, the monthly reminder to its
departments once that month has come, and how a later decision reads publicly.

The decision itself goes through the ordinary workflow (the department's 確定結果を報告する,
or HQ's 修正のため再開 → the department enters the final status → 提出 → 承認 → 公開);
publishing records the change of 達成状況 as a PublicCorrection, which is what
`decisions_for` reads back: 「未確定 → 達成（令和6年10月確定）」.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from initiatives.models import Department, PublicCorrection, Result
from initiatives.plan.organisation import group_by_responsible
from initiatives.results import notifications
from initiatives.vocabulary import Status, status_label

STATUS_FIELD = "達成状況"  # the PublicCorrection field publish_year writes for a status
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_ERA_MONTH = re.compile(r"(令和|平成|R|H)\s*(元|\d{1,2})\s*年度?\s*(\d{1,2})\s*月")
_WESTERN_MONTH = re.compile(r"(20\d\d)\s*[年/\-.]\s*(\d{1,2})\s*月?")


def decision_month_of(note: str) -> datetime.date | None:
    """The month a 確定時期 text names (令和7年9月, R7年9月, 2025年9月), as its first day."""
    text = unicodedata.normalize("NFKC", note or "")
    match = _ERA_MONTH.search(text)
    if match:
        era, year, month = match.groups()
        year_number = _ERAS[era] + (1 if year == "元" else int(year))
    else:
        match = _WESTERN_MONTH.search(text)
        if not match:
            return None
        year_number, month = int(match.group(1)), match.group(2)
    if not 1 <= int(month) <= 12:
        return None
    return datetime.date(year_number, int(month), 1)


def wareki_month(value: datetime.date) -> str:
    """令和6年10月 for 2024-10-xx."""
    year = value.year - 2018
    return f"令和{'元' if year == 1 else year}年{value.month}月"


@dataclass(frozen=True)
class Decision:
    """A published status that replaced an earlier published 未確定."""

    before: str
    after: str
    decided_on: datetime.date

    @property
    def when(self) -> str:
        return f"{wareki_month(self.decided_on)}確定"

    @property
    def text(self) -> str:
        return f"{self.before} → {self.after}（{self.when}）"


def decision_of(corrections: Iterable[PublicCorrection]) -> Decision | None:
    """The latest decision of a 未確定 among one result's corrections (already read)."""
    undetermined = status_label(Status.UNDETERMINED)
    found = None
    for row in sorted(corrections, key=lambda c: (c.corrected_at, c.pk)):
        if row.field == STATUS_FIELD and row.before == undetermined:
            found = (
                Decision(
                    before=row.before,
                    after=row.after,
                    decided_on=timezone.localtime(row.corrected_at).date(),
                )
                if row.after != undetermined
                else None
            )
        elif row.field == STATUS_FIELD:
            found = None  # changed again since: no longer the decision of a 未確定
    return found


def decisions_for(results: Iterable[Result]) -> dict[int, Decision]:
    """Result id → its latest decision of a 未確定 (one query for any number of results)."""
    rows: dict[int, list[PublicCorrection]] = defaultdict(list)
    for row in PublicCorrection.objects.filter(
        result__in=[r.pk for r in results], field=STATUS_FIELD
    ):
        rows[row.result_id].append(row)
    found = {pk: decision_of(items) for pk, items in rows.items()}
    return {pk: decision for pk, decision in found.items() if decision}


def due_decisions(*, today: datetime.date) -> list[tuple[Department, list[Result]]]:
    """Departments whose published 未確定 results have reached their 確定予定月 and have not
    been reopened for the decision yet."""
    results = Result.objects.filter(
        state=Result.State.PUBLISHED,
        published_status=Status.UNDETERMINED,
        expected_decision_month__lte=today,
    ).select_related("initiative", "fiscal_year")
    # A reorganised department's reminders go to the department that took over its work.
    return group_by_responsible(results, today=today)


def send_decision_reminders(*, today: datetime.date) -> list[str]:
    """On the 1st of each month, mail every department with a 未確定 result whose 確定予定月
    has come (and every month after, until it is decided). Returns the departments' names;
    one with no address to send to is marked （宛先なし）."""
    if today.day != 1:
        return []
    reminded = []
    for department, results in due_decisions(today=today):
        sent = notifications.notify_decision_due(department=department, results=results)
        reminded.append(department.name if sent else f"{department.name}（宛先なし）")
    return reminded
