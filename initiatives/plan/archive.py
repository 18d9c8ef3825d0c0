"""A closed plan (終了) is read-only: the one guard every write of a plan's data asks.

Services call `refuse_if_closed` before they write (results steps, publication, entry periods,
the plan import and the plan workbook); the admin hides its write buttons through
`is_read_only`, but the services' check is what counts. The only write a closed plan takes is
a recorded HQ correction of a published result (see `results.services`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model

from initiatives.plan.models import Plan
from initiatives.vocabulary import era_date


class PlanClosedError(ValidationError):
    """A write to a closed plan."""


def closed_message(plan: Plan) -> str:
    return (
        f"このプランは終了しています（{era_date(plan.period_end)} 終了）。"
        "訂正は推進本部が、公開済みの実施結果を理由を付けて「修正のため再開」して行います。"
    )


def refuse_if_closed(plan: Plan | None, *, correction: bool = False) -> None:
    """Raise PlanClosedError when `plan` is closed, unless this write is part of a correction
    of an already published result (`correction`), which stays open to HQ."""
    if plan is not None and plan.is_closed and not correction:
        raise PlanClosedError(closed_message(plan))


# How each structure row reaches its plan (the admin asks for any row it shows).
_PARENTS = ("plan", "policy", "measure", "direction", "initiative", "indicator", "successor")


def plan_of(obj: Model | None) -> Plan | None:
    """The plan a row of the plan's structure belongs to (None for shared rows)."""
    if obj is None or isinstance(obj, Plan):
        return obj
    for parent in _PARENTS:
        if getattr(obj, f"{parent}_id", None) is not None:
            return plan_of(getattr(obj, parent))
    return None


def is_read_only(obj: Model | None) -> bool:
    """Whether `obj` belongs to a closed plan (the admin then offers no write)."""
    plan = plan_of(obj)
    return plan is not None and plan.is_closed
