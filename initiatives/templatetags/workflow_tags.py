"""The results panel at the top of the admin home page."""

from __future__ import annotations

from django import template

from initiatives.models import Result
from initiatives.results import transitions
from initiatives.results.permissions import Action, restrict
from initiatives.results.selectors import deadline_text, open_periods
from initiatives.roles import is_hq, uses_results

register = template.Library()


@register.inclusion_tag("admin/initiatives/result/_home_panel.html", takes_context=True)
def results_panel(context) -> dict:
    user = context["request"].user
    if not uses_results(user):
        return {"show": False}
    periods = open_periods()
    rows = []
    for period in periods:
        mine = restrict(Result.objects.filter(fiscal_year=period.fiscal_year), user, Action.VIEW)
        rows.append(
            {
                "period": period,
                "text": deadline_text(period),
                "to_do": mine.filter(state__in=transitions.editable_states()).count(),
                "returned": mine.filter(state=Result.State.RETURNED).count(),
                "submitted": mine.filter(state=Result.State.SUBMITTED).count(),
            }
        )
    return {"show": True, "rows": rows, "is_hq": is_hq(user)}
