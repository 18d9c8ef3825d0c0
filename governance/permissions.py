"""Who may do what with the committee's records: the one place where access is decided.

Every admin screen, action and service asks here, either for a restricted queryset
(`restrict`) or for a yes/no on one object (`check` raises, `allowed` answers). Roles come
from `initiatives.roles`:

- HQ (the 推進本部) records the committee, its meetings, materials and opinions, assigns
  opinions to departments, reviews and publishes the responses, and sees everything;
- department staff see only the opinions assigned to their departments, and draft and
  submit those responses while they are editable;
- the public sees only what is published, through `governance.public.selectors`, never
  through this module.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from governance import transitions
from governance.models import (
    Assignment,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingMaterial,
    Opinion,
    OpinionOutcome,
    Response,
    ResponseEvent,
)
from governance.transitions import Step
from initiatives.roles import department_ids, is_department_staff, is_hq


class Action(StrEnum):
    VIEW = "view"  # see an opinion, its assignment and response, and their history
    ANSWER = "answer"  # save a draft of, or submit, a response
    REVIEW = "review"  # return or approve a submitted response
    PUBLISH = "publish"  # publish a meeting with its opinions and approved responses
    REOPEN = "reopen"  # reopen a published response for correction
    MANAGE = "manage"  # record the committee, meetings, materials, opinions, assignments


_DENIED = {
    Action.VIEW: "この委員会の意見を見る権限がありません。",
    Action.ANSWER: "この対応は今は編集できません（提出済・承認済・公開、または担当外です）。",
    Action.REVIEW: "対応の差戻し・承認は推進本部だけができます。",
    Action.PUBLISH: "会議の公開は推進本部だけができます。",
    Action.REOPEN: "公開済みの対応の再開は推進本部だけができます。",
    Action.MANAGE: "推進委員会の記録は推進本部だけが登録・変更できます。",
}

# The path from each workflow model to its Response, for the filters below.
_TO_RESPONSE = {Response: "", ResponseEvent: "response__", Assignment: "response__"}
_TO_DEPARTMENT = {
    Response: "assignment__department",
    ResponseEvent: "response__assignment__department",
    Assignment: "department",
    Opinion: "assignments__department",
}
_HQ_ONLY = (Committee, CommitteeMember, Meeting, MeetingMaterial, OpinionOutcome)


def _own(queryset: QuerySet, user) -> QuerySet:
    """Rows assigned to one of the user's departments."""
    lookup = _TO_DEPARTMENT[queryset.model]
    owned = queryset.filter(**{f"{lookup}__in": department_ids(user)})
    return owned.distinct() if queryset.model is Opinion else owned


def _in_states(queryset: QuerySet, states: tuple) -> QuerySet:
    return queryset.filter(**{f"{_TO_RESPONSE[queryset.model]}state__in": states})


def restrict(queryset: QuerySet, user, action: Action | str) -> QuerySet:
    """The rows of `queryset` the user may act on with `action`; none when not allowed."""
    action = Action(action)
    model = queryset.model
    hq = is_hq(user)
    if model in _TO_RESPONSE:
        if action is Action.VIEW:
            if hq:
                return queryset
            return _own(queryset, user) if is_department_staff(user) else queryset.none()
        if action is Action.ANSWER:
            if not is_department_staff(user):
                return queryset.none()
            return _in_states(_own(queryset, user), transitions.editable_states())
        if not hq:
            return queryset.none()
        if action is Action.REVIEW:
            return _in_states(queryset, transitions.reviewable_states())
        if action is Action.REOPEN:
            return _in_states(queryset, transitions.sources(Step.REOPEN))
        return queryset if action in (Action.PUBLISH, Action.MANAGE) else queryset.none()
    if model is Opinion and action is Action.VIEW and not hq:
        return _own(queryset, user) if is_department_staff(user) else queryset.none()
    if model is Opinion or model in _HQ_ONLY:
        allowed_actions = (Action.VIEW, Action.MANAGE, Action.PUBLISH)
        return queryset if hq and action in allowed_actions else queryset.none()
    return queryset.none()


def allowed(user, obj: Model | None, action: Action | str) -> bool:
    """Whether the user may act on `obj` (or, with None, do `action` at all)."""
    action = Action(action)
    if obj is None:
        return _allowed_at_all(user, action)
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def check(user, obj: Model | None, action: Action | str) -> None:
    """Raise PermissionDenied (HTTP 403) with a Japanese message unless allowed."""
    if not allowed(user, obj, action):
        raise PermissionDenied(_DENIED[Action(action)])


def _allowed_at_all(user, action: Action) -> bool:
    if action is Action.VIEW:
        return is_hq(user) or is_department_staff(user)
    if action is Action.ANSWER:
        return is_department_staff(user)
    return is_hq(user)
