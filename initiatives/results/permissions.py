"""Who may do what: the one place where access to results and the plan is decided.

Every admin screen, action and service asks here, either for a restricted queryset
(`restrict`) or for a yes/no on one object (`check` raises, `allowed` answers).

Roles:
- department staff (active staff users with a DepartmentMembership) see and change the
  results of initiatives their departments own in that fiscal year (or inherited through a
  reorganisation: `initiatives.plan.organisation`), while the result is editable;
- HQ reviewers (members of the 推進本部 group, and superusers) see everything, review,
  publish and manage entry periods;
- superusers alone change the plan's structure.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from initiatives.models import (
    Actual,
    EvaluationPeriod,
    Initiative,
    PublicCorrection,
    Result,
    WorkflowEvent,
)
from initiatives.plan.organisation import result_filter
from initiatives.results import transitions
from initiatives.results.transitions import Step
from initiatives.roles import (
    handled_initiatives,
    handled_results,
    is_department_staff,
    is_hq,
    is_superuser,
    uses_results,
)
from initiatives.vocabulary import Status


class Action(StrEnum):
    VIEW = "view"  # see a result, its history and entry screen
    EDIT = "edit"  # save a draft of, or submit, a result
    REVIEW = "review"  # return or approve a submitted result
    PUBLISH = "publish"  # publish a fiscal year
    REOPEN = "reopen"  # reopen a published result for correction
    REPORT_DECISION = "report_decision"  # report the final status of a published 未確定
    MANAGE_PERIODS = "manage_periods"  # open and close entry periods
    VIEW_STRUCTURE = "view_structure"  # see the plan's structure in the admin
    CHANGE_STRUCTURE = "change_structure"  # change the plan's structure
    CLOSE_PLAN = "close_plan"  # close (終了) a plan whose period is over
    REORGANISE = "reorganise"  # record a reorganisation of departments (組織改正)


_DENIED = {
    Action.VIEW: "この実施結果を見る権限がありません。",
    Action.EDIT: "この実施結果は今は編集できません（提出済・承認済・公開、または入力期間外です）。",
    Action.REVIEW: "実施結果の差戻し・承認は推進本部だけができます。",
    Action.PUBLISH: "年度の公開は推進本部だけができます。",
    Action.REOPEN: "公開済みの実施結果の再開は推進本部だけができます。",
    Action.REPORT_DECISION: (
        "確定結果を報告できるのは、未確定のまま公開された実施結果の担当課だけです。"
    ),
    Action.MANAGE_PERIODS: "入力期間の設定は推進本部だけができます。",
    Action.VIEW_STRUCTURE: "プランの構成を見る権限がありません。",
    Action.CHANGE_STRUCTURE: "プランの構成を変更できるのはシステム管理者だけです。",
    Action.CLOSE_PLAN: "プランの終了は推進本部だけができます。",
    Action.REORGANISE: "組織改正の登録は推進本部だけができます。",
}


def _open_for_entry() -> Q:
    """Results whose fiscal year has an open entry period, or reopened published ones."""
    return Q(
        fiscal_year__evaluation_period__isnull=False,
        fiscal_year__evaluation_period__closed_at__isnull=True,
    ) | Q(published_at__isnull=False)


def _own_results(queryset: QuerySet, user, prefix: str = "") -> QuerySet:
    """The results of the initiatives the user's departments own in that fiscal year."""
    return queryset.filter(result_filter(handled_results(user), prefix=prefix))


def restrict(queryset: QuerySet, user, action: Action | str) -> QuerySet:
    """The rows of `queryset` the user may act on with `action`; none when not allowed."""
    action = Action(action)
    model = queryset.model
    hq = is_hq(user)
    if model in (Result, WorkflowEvent, PublicCorrection, Actual):
        prefix = "" if model is Result else "result__"
        if action is Action.VIEW:
            if hq:
                return queryset
            return (
                _own_results(queryset, user, prefix)
                if is_department_staff(user)
                else (queryset.none())
            )
        if action is Action.EDIT:
            if not is_department_staff(user):
                return queryset.none()
            editable = Result.objects.filter(
                Q(state__in=transitions.editable_states()) & _open_for_entry()
            ).filter(result_filter(handled_results(user)))
            return queryset.filter(**{f"{prefix}pk__in": editable})
        if action is Action.REVIEW:
            return (
                queryset.filter(**{f"{prefix}state__in": transitions.reviewable_states()})
                if hq
                else (queryset.none())
            )
        if action is Action.REPORT_DECISION:
            if not is_department_staff(user):
                return queryset.none()
            undecided = Result.objects.filter(
                state__in=transitions.sources(Step.REPORT_DECISION),
                published_status=Status.UNDETERMINED,
            ).filter(result_filter(handled_results(user)))
            return queryset.filter(**{f"{prefix}pk__in": undecided})
        if action is Action.REOPEN:
            return (
                queryset.filter(**{f"{prefix}state__in": transitions.sources(Step.REOPEN)})
                if hq
                else (queryset.none())
            )
        return queryset if hq and action is Action.PUBLISH else queryset.none()
    if model is EvaluationPeriod:
        if action is Action.VIEW:
            return queryset if uses_results(user) else queryset.none()
        return queryset if hq and action is Action.MANAGE_PERIODS else queryset.none()
    if model is Initiative and action is Action.VIEW and not hq:
        return queryset.filter(pk__in=handled_initiatives(user))
    if action in (Action.VIEW, Action.VIEW_STRUCTURE):
        return queryset if hq else queryset.none()
    if action is Action.CHANGE_STRUCTURE:
        return queryset if is_superuser(user) else queryset.none()
    if action is Action.REORGANISE:
        return queryset if hq else queryset.none()
    return queryset.none()


def allowed(user, obj: Model | None, action: Action | str) -> bool:
    """Whether the user may act on `obj` (or, with None, do `action` at all)."""
    action = Action(action)
    if obj is None:
        return _allowed_at_all(user, action)
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def refusal(action: Action | str) -> str:
    """Why `action` is refused, in the words `check` uses."""
    return _DENIED[Action(action)]


def check(user, obj: Model | None, action: Action | str) -> None:
    """Raise PermissionDenied (HTTP 403) with a Japanese message unless allowed."""
    if not allowed(user, obj, action):
        raise PermissionDenied(_DENIED[Action(action)])


def _allowed_at_all(user, action: Action) -> bool:
    if action is Action.VIEW:
        return uses_results(user)
    if action in (Action.EDIT, Action.REPORT_DECISION):
        return is_department_staff(user)
    if action is Action.CHANGE_STRUCTURE:
        return is_superuser(user)
    return is_hq(user)
