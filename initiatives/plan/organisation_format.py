"""The `organisation` part of the interchange format: the departments' validity and the
reorganisations (組織改正) that concern a plan, so that a plan round-trips with its history.

Optional: documents without it (all `kanazawa-plan/1` ones, and plans never reorganised)
load as before, and a plan that was never reorganised exports without it.
"""

from __future__ import annotations

import datetime

from initiatives.plan.departments import Department, Reorganisation, ReorganisationAssignment
from initiatives.plan.interchange import _field, _items, _Node, _text
from initiatives.plan.models import Initiative, Plan

KINDS = tuple(Reorganisation.Kind.values)


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def organisation_document(plan: Plan) -> dict | None:
    """The reorganisations that concern the plan's departments (before or after them) and
    the validity of every department they name; None when there are none."""
    reach = set(
        Department.objects.filter(ownerships__initiative__plan=plan).values_list("pk", flat=True)
    )
    steps = list(
        Reorganisation.objects.prefetch_related("sources", "targets")
        .order_by("effective_date", "pk")
    )  # fmt: skip
    changed = True
    while changed:  # follow successors and predecessors until nothing is added
        changed = False
        for step in steps:
            named = {d.pk for d in step.sources.all()} | {d.pk for d in step.targets.all()}
            if named & reach and not named <= reach:
                reach |= named
                changed = True
    chosen = [s for s in steps if {d.pk for d in s.sources.all()} & reach]
    if not chosen:
        return None
    assignments = ReorganisationAssignment.objects.filter(
        reorganisation__in=chosen, initiative__plan=plan
    ).select_related("initiative", "source", "target")
    by_step: dict[int, list[ReorganisationAssignment]] = {}
    for row in assignments.order_by("initiative__order", "source__name"):
        by_step.setdefault(row.reorganisation_id, []).append(row)
    departments = Department.objects.filter(pk__in=reach).order_by("name")
    return {
        "departments": [
            {"name": d.name, "valid_from": _date(d.valid_from), "valid_until": _date(d.valid_until)}
            for d in departments
            if d.valid_from or d.valid_until
        ],
        "reorganisations": [
            {
                "effective_date": step.effective_date.isoformat(),
                "kind": step.kind,
                "sources": sorted(d.name for d in step.sources.all()),
                "targets": [d.name for d in step.targets.all()],
                "note": step.note,
                "assignments": [
                    {
                        "initiative": row.initiative.code,
                        "source": row.source.name,
                        "target": row.target.name,
                    }
                    for row in by_step.get(step.pk, [])
                ],
            }
            for step in chosen
        ],
    }


def _valid_date(node: _Node, key: str, *, nullable: bool = False) -> None:
    child = _field(node, key, str, nullable=nullable)
    if child.value is None:
        return
    try:
        datetime.date.fromisoformat(child.value)
    except ValueError:
        raise child.fail(f"日付は YYYY-MM-DD で書いてください: {child.value!r}") from None


def validate_organisation(root: _Node, codes: set[str]) -> None:
    """Check the optional `organisation` key (see docs/plan-format.md)."""
    if "organisation" not in root.value:
        return
    node = _field(root, "organisation", dict)
    for department in _items(node, "departments"):
        _text(department, "name", required=True)
        _valid_date(department, "valid_from", nullable=True)
        _valid_date(department, "valid_until", nullable=True)
    for step in _items(node, "reorganisations"):
        _valid_date(step, "effective_date")
        if _field(step, "kind", str).value not in KINDS:
            raise step.child("kind").fail(f"{' / '.join(KINDS)} のいずれかです")
        for key in ("sources", "targets"):
            names = _items(step, key)
            if not names:
                raise step.child(key).fail("担当課を1つ以上書いてください")
            for name in names:
                if not isinstance(name.value, str) or not name.value.strip():
                    raise name.fail("担当課の名称（文字列）である必要があります")
        _text(step, "note")
        for row in _items(step, "assignments"):
            code = _text(row, "initiative", required=True)
            if code not in codes:
                raise row.child("initiative").fail(f"取組No. {code!r} が文書にありません")
            _text(row, "source", required=True)
            _text(row, "target", required=True)


def load_organisation(data: dict | None, *, plan: Plan) -> int:
    """Write the document's departments' validity and its reorganisations (matched by date,
    kind, sources and targets, so loading twice adds nothing). Returns how many were added."""
    if not data:
        return 0
    departments: dict[str, Department] = {}

    def department(name: str) -> Department:
        if name not in departments:
            departments[name] = Department.objects.get_or_create(name=name)[0]
        return departments[name]

    for row in data["departments"]:
        found = department(row["name"])
        found.valid_from = _parse(row["valid_from"])
        found.valid_until = _parse(row["valid_until"])
        found.full_clean()
        found.save(update_fields=["valid_from", "valid_until"])
    known = {
        (s.effective_date, s.kind, frozenset(d.name for d in s.sources.all()),
         frozenset(d.name for d in s.targets.all())): s
        for s in Reorganisation.objects.prefetch_related("sources", "targets")
    }  # fmt: skip
    initiatives = {i.code: i for i in Initiative.objects.filter(plan=plan)}
    added = 0
    for row in data["reorganisations"]:
        date = _parse(row["effective_date"])
        key = (date, row["kind"], frozenset(row["sources"]), frozenset(row["targets"]))
        step = known.get(key)
        if step is None:
            step = Reorganisation(effective_date=date, kind=row["kind"], note=row["note"])
            step.full_clean()
            step.save()
            step.sources.set([department(n) for n in row["sources"]])
            step.targets.set([department(n) for n in row["targets"]])
            known[key] = step
            added += 1
        for choice in row["assignments"]:
            ReorganisationAssignment.objects.update_or_create(
                reorganisation=step,
                initiative=initiatives[choice["initiative"]],
                source=department(choice["source"]),
                defaults={"target": department(choice["target"])},
            )
    return added


def _parse(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
