"""Who owns which initiative in which fiscal year: the one reading of departments over time.

An initiative's assigned departments (`InitiativeDepartment`, as the plan wrote them) are
never rewritten. The owners in a fiscal year are derived: the assigned departments followed
through the recorded reorganisations (組織改正) in force on April 1 of that year. Every
permission check, list, overview and reminder asks here, so they cannot disagree.

`Succession.load()` reads the whole organisation history in a fixed number of queries (one
when nothing was ever reorganised, four otherwise, plus one for the assignments), whatever
the number of reorganisations; everything after that is computed in memory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from initiatives.plan.departments import Department, Reorganisation, ReorganisationAssignment
from initiatives.plan.models import FiscalYear, InitiativeDepartment

Kind = Reorganisation.Kind


def fiscal_year_start(year: int) -> datetime.date:
    """April 1 of fiscal year `year` (令和N年度 starts on April 1 of its Western year)."""
    return datetime.date(year, 4, 1)


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year `day` belongs to (January–March belong to the previous year)."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Step:
    """One reorganisation as the succession reads it."""

    pk: int
    date: datetime.date
    kind: str
    sources: tuple[int, ...]
    targets: tuple[int, ...]
    # (initiative id, source id) → target id, for splits and hand-overs
    chosen: dict[tuple[int, int], int] = field(default_factory=dict)

    def successors(self, initiative_id: int, department_id: int) -> list[int]:
        """Who takes `initiative_id` from `department_id` (one of the sources) in this step."""
        choice = self.chosen.get((initiative_id, department_id))
        if self.kind in (Kind.RENAME, Kind.MERGE):
            return list(self.targets[:1])
        if self.kind == Kind.SPLIT:
            # An initiative the screen did not know (added later to the ended department)
            # goes to every successor rather than to nobody.
            return [choice] if choice is not None else list(self.targets)
        return [choice] if choice is not None else [department_id]  # 移管: the rest stays


def _dedupe(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


class Succession:
    """The organisation history in memory: owners of initiatives on any date."""

    def __init__(self, steps: list[Step], assigned: dict[int, list[int]]) -> None:
        self.steps = sorted(steps, key=lambda s: (s.date, s.pk))
        self.assigned = assigned

    @classmethod
    def load(cls, *, initiative_ids: Iterable[int] | None = None) -> Succession:
        """Read the reorganisations and the assignments (of the given initiatives, or all)."""
        owners = InitiativeDepartment.objects.order_by("initiative_id", "order", "pk")
        if initiative_ids is not None:
            owners = owners.filter(initiative_id__in=list(initiative_ids))
        assigned: dict[int, list[int]] = defaultdict(list)
        for initiative_id, department_id in owners.values_list("initiative_id", "department_id"):
            assigned[initiative_id].append(department_id)
        return cls(load_steps(), dict(assigned))

    def owners_at(self, initiative_id: int, day: datetime.date) -> list[int]:
        """The departments owning the initiative on `day`, in the plan's order."""
        current = list(self.assigned.get(initiative_id, ()))
        for step in self.steps:
            if step.date > day:
                break
            if not any(d in step.sources for d in current):
                continue
            moved: list[int] = []
            for department_id in current:
                if department_id in step.sources:
                    moved.extend(step.successors(initiative_id, department_id))
                else:
                    moved.append(department_id)
            current = _dedupe(moved)
        return current

    def owners_in(self, initiative_id: int, year: int) -> list[int]:
        """The owners in fiscal year `year`: as the organisation stood on its April 1."""
        return self.owners_at(initiative_id, fiscal_year_start(year))

    def responsible_in(
        self, initiative_id: int, year: int, *, today: datetime.date | None = None
    ) -> list[int]:
        """Who answers for the year's result today: the year's owners, or their successors
        once a reorganisation has ended them (an ended department's unfinished year passes
        to the department that took over its work). Reminders and mails go here."""
        today = today or timezone.localdate()
        return self.owners_at(initiative_id, max(fiscal_year_start(year), today))

    def may_act(
        self,
        department_ids: Iterable[int],
        initiative_id: int,
        year: int,
        *,
        today: datetime.date | None = None,
    ) -> bool:
        """Whether staff of `department_ids` see and enter the initiative's result of `year`."""
        mine = set(department_ids)
        return bool(
            mine.intersection(self.owners_in(initiative_id, year))
            or mine.intersection(self.responsible_in(initiative_id, year, today=today))
        )

    def predecessors(self, department_ids: Iterable[int]) -> set[int]:
        """The departments whose work may have passed to `department_ids` (and themselves)."""
        reach = set(department_ids)
        for step in reversed(self.steps):
            if reach.intersection(step.targets):
                reach.update(step.sources)
        return reach

    def initiatives_by_year(
        self,
        department_ids: Iterable[int],
        years: Iterable[int],
        *,
        today: datetime.date | None = None,
    ) -> dict[int, set[int]]:
        """Fiscal year → the initiatives whose result of that year the departments handle."""
        mine = set(department_ids)
        today = today or timezone.localdate()
        reach = self.predecessors(mine)
        candidates = [i for i, owners in self.assigned.items() if reach.intersection(owners)]
        return {
            year: {i for i in candidates if self.may_act(mine, i, year, today=today)}
            for year in years
        }


def load_steps() -> list[Step]:
    """Every reorganisation, with its sources, targets and chosen successors."""
    rows = list(Reorganisation.objects.values_list("pk", "effective_date", "kind"))
    if not rows:
        return []
    sources: dict[int, list[int]] = defaultdict(list)
    for pk, department_id in Reorganisation.sources.through.objects.values_list(
        "reorganisation_id", "department_id"
    ).order_by("pk"):
        sources[pk].append(department_id)
    targets: dict[int, list[int]] = defaultdict(list)
    for pk, department_id in Reorganisation.targets.through.objects.values_list(
        "reorganisation_id", "department_id"
    ).order_by("pk"):
        targets[pk].append(department_id)
    chosen: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for pk, initiative_id, source_id, target_id in ReorganisationAssignment.objects.values_list(
        "reorganisation_id", "initiative_id", "source_id", "target_id"
    ):
        chosen[pk][(initiative_id, source_id)] = target_id
    return [
        Step(
            pk=pk,
            date=date,
            kind=kind,
            sources=tuple(sources[pk]),
            targets=tuple(targets[pk]),
            chosen=chosen[pk],
        )
        for pk, date, kind in rows
    ]


# --- the selectors the rest of the code asks -------------------------------------------


def owners_in(initiative, fiscal_year: int) -> list[Department]:
    """Who owns initiative X in fiscal year Y (as the organisation stood on April 1)."""
    succession = Succession.load(initiative_ids=[initiative.pk])
    ids = succession.owners_in(initiative.pk, fiscal_year)
    found = Department.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def owners_by_year(initiatives: Iterable, years: Iterable[int]) -> dict[tuple[int, int], list]:
    """(initiative id, year) → its owners, for lists: a fixed number of queries."""
    initiatives = list(initiatives)
    years = list(years)
    succession = Succession.load(initiative_ids=[i.pk for i in initiatives])
    ids = {(i.pk, year): succession.owners_in(i.pk, year) for i in initiatives for year in years}
    found = Department.objects.in_bulk({d for owners in ids.values() for d in owners})
    return {key: [found[d] for d in owners if d in found] for key, owners in ids.items()}


def responsible_departments(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    """(initiative id, year) → the departments answering for that result today."""
    pairs = list(pairs)
    succession = Succession.load(initiative_ids={i for i, _ in pairs})
    today = timezone.localdate()
    return {(i, y): succession.responsible_in(i, y, today=today) for i, y in pairs}


def annotate_owners(results: Iterable) -> None:
    """Set `owner_names` on each result (with `fiscal_year` loaded): the departments that
    owned its initiative that year, by the names they had then. A fixed number of queries."""
    results = list(results)
    if not results:
        return
    succession = Succession.load(initiative_ids={r.initiative_id for r in results})
    ids = {r.pk: succession.owners_in(r.initiative_id, r.fiscal_year.year) for r in results}
    found = Department.objects.in_bulk({d for owners in ids.values() for d in owners})
    for result in results:
        result.owner_names = "、".join(found[d].name for d in ids[result.pk] if d in found)


def reporting_department(
    user_department_ids: Iterable[int], initiative_id: int, year: int
) -> int | None:
    """The department on whose behalf a member reports a result: one of their departments
    owning the initiative that year, else one that took over the work since."""
    mine = list(user_department_ids)
    succession = Succession.load(initiative_ids=[initiative_id])
    for owners in (
        succession.owners_in(initiative_id, year),
        succession.responsible_in(initiative_id, year),
    ):
        for department_id in owners:
            if department_id in mine:
                return department_id
    return None


def responsible_for(result) -> list[Department]:
    """The departments that answer for one result today (its year's owners, or their
    successors once those ended): the recipients of the result's mails."""
    ids = Succession.load(initiative_ids=[result.initiative_id]).responsible_in(
        result.initiative_id, result.fiscal_year.year
    )
    found = Department.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def group_by_responsible(
    results: Iterable, *, today: datetime.date | None = None
) -> list[tuple[Department, list]]:
    """Results (with `fiscal_year` loaded) grouped by the departments answering for them
    today, departments by name: what reminders send to whom."""
    results = list(results)
    succession = Succession.load(initiative_ids={r.initiative_id for r in results})
    today = today or timezone.localdate()
    grouped: dict[int, list] = defaultdict(list)
    for result in results:
        for department_id in succession.responsible_in(
            result.initiative_id, result.fiscal_year.year, today=today
        ):
            grouped[department_id].append(result)
    departments = Department.objects.filter(pk__in=grouped).order_by("name")
    return [(d, grouped[d.pk]) for d in departments]


def ownership_history(initiative) -> list[tuple[int, list[Department]]]:
    """HQ's view of one initiative: each fiscal year of its plan with the owners that year."""
    years = range(initiative.plan.start_year, initiative.plan.end_year + 1)
    owners = owners_by_year([initiative], years)
    return [(year, owners[(initiative.pk, year)]) for year in years]


def handled_groups(user_department_ids: Iterable[int]) -> list[tuple[list[int], list[int]]]:
    """The results the departments' staff see and enter, as (fiscal year ids, initiative ids)
    groups: the years that share the same initiatives form one group.

    Computed in memory from the organisation history, so its cost does not grow with the
    number of reorganisations (two queries, five once anything was reorganised)."""
    mine = list(user_department_ids)
    if not mine:
        return []
    years = dict(FiscalYear.objects.values_list("year", "pk"))
    by_year = Succession.load().initiatives_by_year(mine, years)
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for year, initiative_ids in by_year.items():
        if initiative_ids:
            groups[frozenset(initiative_ids)].append(years[year])
    return [(sorted(year_pks), sorted(ids)) for ids, year_pks in groups.items()]


def result_filter(groups: list[tuple[list[int], list[int]]], *, prefix: str = "") -> Q:
    """A filter for the results (`prefix` leads to a Result) of `handled_groups`."""
    condition = Q(pk__in=[])
    for year_pks, initiative_ids in groups:
        condition |= Q(
            **{
                f"{prefix}fiscal_year_id__in": year_pks,
                f"{prefix}initiative_id__in": initiative_ids,
            }
        )
    return condition
