"""Reads of HQ's review: the queue of submitted results in the order HQ chooses, what the
review screen shows of one result, and what a bulk step would do to each selected result.

The states come from the transition table (`results.transitions`), who may act from
`results.permissions`; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from initiatives.models import InitiativeDepartment, Result, WorkflowEvent
from initiatives.results import transitions
from initiatives.results.checks import Finding
from initiatives.results.consistency import findings_for
from initiatives.results.permissions import Action, refusal, restrict
from initiatives.results.selectors import EntryContext, entry_context
from initiatives.results.transitions import Step


class QueueOrder(models.TextChoices):
    """The orders in which HQ walks the queue."""

    POLICY = "policy", _("方針・表の順")
    DEPARTMENT = "department", _("担当課ごと")
    DEADLINE = "deadline", _("期限が近い順（同じ期限は提出の古い順）")


def _first_department() -> Subquery:
    return Subquery(
        InitiativeDepartment.objects.filter(initiative=OuterRef("initiative"))
        .order_by("order", "pk")
        .values("department__name")[:1]
    )


def review_queue(*, user, order: str) -> list[int]:
    """The ids of the results waiting for HQ's decision (提出済), in `order`; HQ only."""
    queue = restrict(Result.objects.all(), user, Action.REVIEW).filter(
        state__in=transitions.sources(Step.APPROVE)
    )
    # The plan's table order (取組 numbers are per plan; two plans can share a spring).
    table = ("fiscal_year__year", "initiative__plan__start_year", "initiative__order", "pk")
    if order == QueueOrder.DEPARTMENT:
        queue = queue.annotate(first_department=_first_department()).order_by(
            "first_department", *table
        )
    elif order == QueueOrder.DEADLINE:
        queue = queue.annotate(
            submitted_at=Max("events__created_at", filter=Q(events__action=Step.SUBMIT))
        ).order_by(
            F("fiscal_year__evaluation_period__deadline").asc(nulls_last=True),
            "submitted_at",
            *table,
        )
    else:
        queue = queue.order_by(*table)
    return list(queue.values_list("pk", flat=True))


@dataclass
class QueuePosition:
    """Where one result stands in the queue: its neighbours and the counts left."""

    current: int | None
    previous: int | None
    next: int | None
    index: int  # 1-based; 0 when the result is not (or no longer) in the queue
    total: int  # 提出済, waiting for HQ

    @property
    def remaining(self) -> int:
        """The results after this one (the whole queue when it is not in it)."""
        return self.total - self.index


def position(queue: list[int], current: int | None) -> QueuePosition:
    """The position of `current` in `queue` (the first result when None)."""
    if current is None and queue:
        current = queue[0]
    if current not in queue:
        return QueuePosition(current, None, queue[0] if queue else None, 0, len(queue))
    i = queue.index(current)
    return QueuePosition(
        current=current,
        previous=queue[i - 1] if i > 0 else None,
        next=queue[i + 1] if i + 1 < len(queue) else None,
        index=i + 1,
        total=len(queue),
    )


def after_decision(queue: list[int], current: int) -> int | None:
    """Where the walk goes once `current` is decided: the next one, else the one before."""
    here = position(queue, current)
    return here.next if here.next is not None else here.previous


@dataclass
class ReviewItem:
    """What the review screen shows of one result, side by side."""

    result: Result
    entry: EntryContext
    findings: list[Finding]
    submitted: WorkflowEvent | None
    returns: list[WorkflowEvent] = field(default_factory=list)


def review_item(*, result: Result) -> ReviewItem:
    """The plan text, the submitted result with its figures, last year's published result,
    the findings, the department's note and reason, and HQ's earlier returns."""
    events = list(
        result.events.filter(action__in=[Step.SUBMIT, Step.RETURN])
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    submits = [e for e in events if e.action == Step.SUBMIT]
    return ReviewItem(
        result=result,
        entry=entry_context(result=result),
        findings=findings_for([result])[result.pk],
        submitted=submits[-1] if submits else None,
        returns=[e for e in events if e.action == Step.RETURN],
    )


# --- bulk steps -----------------------------------------------------------------------------

# The permission each bulk step needs (the table's role decides who may take it).
BULK_ACTION = {Step.SUBMIT: Action.EDIT, Step.APPROVE: Action.REVIEW}


@dataclass
class BulkRow:
    """One selected result on a bulk step's confirmation page."""

    result: Result
    findings: list[Finding]
    skip_reason: str = ""  # why the step leaves it alone; "" when it will be taken

    @property
    def applies(self) -> bool:
        return not self.skip_reason


def bulk_preview(*, selected: QuerySet, user, step: Step) -> list[BulkRow]:
    """Each selected result (as the list showed it) with its findings and whether `step`
    will be taken on it, or why not, in a fixed number of queries."""
    results = list(
        selected.select_related("initiative", "fiscal_year")
        .prefetch_related("initiative__owners__department")
        .order_by("fiscal_year__year", "initiative__plan__start_year", "initiative__order", "pk")
        .distinct()
    )
    allowed = set(
        restrict(
            Result.objects.filter(pk__in=[r.pk for r in results]), user, BULK_ACTION[step]
        ).values_list("pk", flat=True)
    )
    found = findings_for(results)
    states = transitions.sources(step)
    rows = []
    for result in results:
        reason = ""
        if result.state not in states:
            reason = f"{result.get_state_display()}のため対象外"
        elif result.pk not in allowed:
            reason = refusal(BULK_ACTION[step])
        rows.append(BulkRow(result=result, findings=found[result.pk], skip_reason=reason))
    return rows
