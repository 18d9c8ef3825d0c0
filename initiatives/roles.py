"""Who is who: the one definition of the roles every app asks about.

- HQ (行政経営プラン推進本部): superusers and active staff in the 推進本部 group; they
  review, publish, manage entry periods and read draft reports.
- Department staff: active staff with a DepartmentMembership; they enter the results of
  the initiatives their departments own in each fiscal year, including those inherited
  through a reorganisation (`handled_results`, derived by `initiatives.plan.organisation`).
"""

from __future__ import annotations

from initiatives.models import Department

HQ_GROUP = "推進本部"


def _active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_hq(user) -> bool:
    """An HQ reviewer: a superuser or a member of the 推進本部 group (active staff)."""
    if not _active_staff(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_hq", None)
    if cached is None:
        cached = user.groups.filter(name=HQ_GROUP).exists()
        user._is_hq = cached
    return cached


def is_superuser(user) -> bool:
    """A system administrator: the only role that changes the plan's structure."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def department_ids(user) -> list[int]:
    """The departments a user belongs to."""
    if not _active_staff(user):
        return []
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = list(
            Department.objects.filter(memberships__user=user).values_list("pk", flat=True)
        )
        user._department_ids = cached
    return cached


def handled_results(user) -> list[tuple[list[int], list[int]]]:
    """The results the user's departments see and enter, as (fiscal year ids, initiative
    ids) groups: the initiatives their departments own in each year, or inherited through
    a reorganisation (asked of `initiatives.plan.organisation`, once per request)."""
    from initiatives.plan.organisation import handled_groups

    cached = getattr(user, "_handled_results", None)
    if cached is None:
        cached = handled_groups(department_ids(user))
        user._handled_results = cached
    return cached


def handled_initiatives(user) -> list[int]:
    """The initiatives whose result of some fiscal year the user's departments handle."""
    return sorted({i for _, initiative_ids in handled_results(user) for i in initiative_ids})


def is_department_staff(user) -> bool:
    return bool(department_ids(user))


def uses_results(user) -> bool:
    """Whether the user has any business with the results screens at all."""
    return is_hq(user) or is_department_staff(user)
