"""The admin home's notice to HQ about mails that could not be sent."""

from __future__ import annotations

from django import template

from initiatives.roles import is_hq
from outbox import services

register = template.Library()


@register.inclusion_tag("admin/outbox/_status_panel.html", takes_context=True)
def mail_status_panel(context) -> dict:
    request = context.get("request")
    if request is None or not is_hq(request.user):
        return {"show": False}
    problems = services.problems()
    return {"show": any(problems.values()), **problems}
