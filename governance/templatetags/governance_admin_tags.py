"""The committee's panel on the admin home page: what waits for the user (HQ: review and
publication; department staff: the responses still to submit)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from governance import transitions
from governance.models import Response
from governance.permissions import Action, allowed, restrict
from governance.selectors import state_counts
from governance.vocabulary import ResponseState
from initiatives.roles import is_hq

register = template.Library()


@register.inclusion_tag("admin/governance/_home_panel.html", takes_context=True)
def committee_panel(context) -> dict:
    """What waits for the user among the committee's opinions (HQ: review; staff: answer)."""
    user = context["request"].user
    if not allowed(user, None, Action.VIEW):
        return {"show": False}
    counts = state_counts(restrict(Response.objects.all(), user, Action.VIEW))
    to_do = sum(counts.get(state, 0) for state in transitions.editable_states())
    return {
        "show": True,
        "is_hq": is_hq(user),
        "to_do": to_do,
        "returned": counts.get(ResponseState.RETURNED, 0),
        "submitted": counts.get(ResponseState.SUBMITTED, 0),
        "approved": counts.get(ResponseState.APPROVED, 0),
        "list_url": reverse("admin:governance_response_changelist"),
    }
