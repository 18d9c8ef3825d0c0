"""Reads for staff: what an opinion concerns, the entry/review screen of a response, its
history, and the counts on the admin home page. Callers pass querysets already restricted
by `governance.permissions`; the public reads live in `governance.public.selectors`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from governance.models import Opinion, Response, ResponseEvent
from governance.vocabulary import ResponseState, ResponseStatus, Scope
from initiatives.results.selectors import TextDiff, text_diff
from initiatives.vocabulary import NONE


def target_label(opinion: Opinion) -> str:
    """What an opinion concerns, as people read it: プラン全体, 方針1 …, 方針1（1）…, No.1、No.5.

    Reads `opinion.initiatives.all()`, so prefetch it when labelling many opinions."""
    if opinion.scope == Scope.POLICY and opinion.policy:
        return str(opinion.policy)
    if opinion.scope == Scope.MEASURE and opinion.measure:
        return str(opinion.measure)
    if opinion.scope == Scope.INITIATIVES:
        codes = [f"No.{i.code}" for i in opinion.initiatives.all()]
        return "取組 " + "、".join(codes) if codes else "取組"
    return str(Scope.PLAN.label)


def responses_for_list(queryset: QuerySet[Response]) -> QuerySet[Response]:
    """What the responses list shows per row, in a fixed number of queries."""
    return queryset.select_related(
        "assignment__department",
        "assignment__opinion__meeting__committee",
        "updated_by",
    )


@dataclass
class EntryContext:
    """The entry and review screen of one response."""

    response: Response
    opinion: Opinion
    target: str
    last_return: ResponseEvent | None


def entry_context(*, response: Response) -> EntryContext:
    opinion = (
        Opinion.objects.select_related(
            "meeting__committee", "meeting__fiscal_year", "member", "policy", "measure__policy"
        )
        .prefetch_related("initiatives")
        .get(pk=response.assignment.opinion_id)
    )
    last_return = (
        response.events.filter(action=ResponseEvent.Action.RETURN).select_related("actor").last()
    )
    return EntryContext(
        response=response, opinion=opinion, target=target_label(opinion), last_return=last_return
    )


@dataclass
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    """One recorded change of a response (simple-history), with the fields that changed."""

    when: datetime.datetime
    who: str
    reason: str
    changes: list[FieldChange]


@dataclass
class ReviewDiff:
    """The submitted text beside the text HQ approved."""

    submitted: ResponseEvent
    approved: ResponseEvent
    diff: TextDiff


@dataclass
class ResponseHistory:
    response: Response
    events: list[ResponseEvent]
    changes: list[HistoryEntry]
    reviews: list[ReviewDiff]


_TRACKED_FIELDS = {
    "status": "対応区分",
    "text": "対応方針",
    "reason": "理由・今後の見通し",
    "state": "回答状況",
    "published_status": "公開中の対応区分",
    "published_text": "公開中の対応方針",
    "published_reason": "公開中の理由・今後の見通し",
}


def _display(field_name: str, value) -> str:
    if value in (None, ""):
        return NONE
    if field_name in ("status", "published_status"):
        return str(ResponseStatus(value).label)
    if field_name == "state":
        return str(ResponseState(value).label)
    return str(value)


def _field_changes(response: Response) -> list[HistoryEntry]:
    entries = []
    previous = None
    for record in response.history.select_related("history_user").order_by("history_date"):
        changes = []
        for name, label in _TRACKED_FIELDS.items():
            before = getattr(previous, name) if previous else None
            after = getattr(record, name)
            if previous is None and after in ("", None):
                continue
            if before != after:
                changes.append(FieldChange(label, _display(name, before), _display(name, after)))
        if changes:
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user.get_username() if record.history_user else "—",
                    reason=record.history_change_reason
                    or ("作成" if record.history_type == "+" else "更新"),
                    changes=changes,
                )
            )
        previous = record
    return entries


def _review_diffs(events: list[ResponseEvent]) -> list[ReviewDiff]:
    """For each approval, the first submission of that round against the approved text."""
    reviews = []
    first_submit: ResponseEvent | None = None
    for event in events:
        if event.action == ResponseEvent.Action.SUBMIT and first_submit is None:
            first_submit = event
        elif event.action == ResponseEvent.Action.APPROVE and first_submit is not None:
            reviews.append(
                ReviewDiff(
                    submitted=first_submit,
                    approved=event,
                    diff=text_diff(first_submit.text, event.text),
                )
            )
            first_submit = None
        elif event.action == ResponseEvent.Action.REOPEN:
            first_submit = None
    return reviews


def response_history(*, response: Response) -> ResponseHistory:
    """Every step and field change of a response, with submitted-vs-approved differences."""
    events = list(response.events.select_related("actor").order_by("created_at", "pk"))
    return ResponseHistory(
        response=response,
        events=events,
        changes=_field_changes(response),
        reviews=_review_diffs(events),
    )


def state_counts(queryset: QuerySet[Response]) -> dict[str, int]:
    """回答状況 → number of responses (of an already restricted queryset)."""
    rows = queryset.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    return dict(rows.order_by())
