from __future__ import annotations

DRAFT_PERMISSION = "reports.view_draft_report"


def can_view_draft(user) -> bool:
    """HQ: superusers, and staff with the draft-report permission (e.g. the 推進本部 group)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.has_perm(DRAFT_PERMISSION)))
    )
