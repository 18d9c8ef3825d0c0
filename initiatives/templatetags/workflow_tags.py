"""The admin home page: the year's work for HQ, a department's own initiatives and
deadlines, and the admin's model list with the plan's structure folded away."""

from __future__ import annotations

from django import template
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from initiatives.admin.structure import StructureAdmin
from initiatives.models import Result
from initiatives.results import transitions
from initiatives.results.permissions import Action, restrict
from initiatives.results.selectors import deadline_text, open_periods, worklist
from initiatives.roles import is_hq, uses_results

register = template.Library()

# HQ's queue of submitted results, when the review screen is installed; else the list
# filtered to 提出済.
REVIEW_QUEUE_URLS = ("admin:initiatives_result_review", "admin:initiatives_result_review_queue")


def _queue_url(fiscal_year) -> str:
    for name in REVIEW_QUEUE_URLS:
        try:
            return f"{reverse(name)}?year={fiscal_year.year}"
        except NoReverseMatch:
            continue
    return (
        f"{reverse('admin:initiatives_result_changelist')}"
        f"?fiscal_year__id__exact={fiscal_year.pk}&state__exact={Result.State.SUBMITTED}"
    )


def _list_url(fiscal_year, state: str | None = None) -> str:
    url = (
        f"{reverse('admin:initiatives_result_changelist')}?fiscal_year__id__exact={fiscal_year.pk}"
    )
    return f"{url}&state__exact={state}" if state else url


@register.inclusion_tag("admin/initiatives/result/_home_panel.html", takes_context=True)
def results_panel(context) -> dict:
    user = context["request"].user
    if not uses_results(user):
        return {"show": False}
    hq = is_hq(user)
    rows = []
    for period in open_periods():
        fiscal_year = period.fiscal_year
        mine = restrict(Result.objects.filter(fiscal_year=fiscal_year), user, Action.VIEW)
        counts = dict.fromkeys(Result.State, 0)
        for state in mine.values_list("state", flat=True):
            counts[state] += 1
        row = {
            "period": period,
            "text": deadline_text(period),
            "to_do": sum(counts[s] for s in transitions.editable_states()),
            "not_started": counts[Result.State.NOT_STARTED],
            "draft": counts[Result.State.DRAFT],
            "returned": counts[Result.State.RETURNED],
            "submitted": counts[Result.State.SUBMITTED],
            "approved": counts[Result.State.APPROVED],
            "list_url": _list_url(fiscal_year),
            "returned_url": _list_url(fiscal_year, Result.State.RETURNED),
            "draft_url": _list_url(fiscal_year, Result.State.DRAFT),
            "not_started_url": _list_url(fiscal_year, Result.State.NOT_STARTED),
        }
        if hq:
            row["queue_url"] = _queue_url(fiscal_year)
            row["overview_url"] = (
                f"{reverse('admin:initiatives_result_overview')}?year={fiscal_year.year}"
            )
            row["publish_url"] = reverse(
                "admin:initiatives_result_publish", args=[fiscal_year.year]
            )
        else:
            row["results"] = worklist(user=user, fiscal_year=fiscal_year)
        rows.append(row)
    return {
        "show": True,
        "rows": rows,
        "is_hq": hq,
        "periods_url": reverse("admin:initiatives_evaluationperiod_changelist") if hq else "",
        "reports_url": _optional_url("admin:reports_renderedreport_changelist") if hq else "",
    }


def _optional_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.simple_tag
def split_app_list(app_list: list[dict]) -> dict:
    """The admin's app list without the plan's structural tables, and those tables apart
    (for the folded 「プランの構成」 section)."""
    work, structure = [], []
    for app in app_list:
        models = []
        for entry in app["models"]:
            model_admin = admin.site._registry.get(entry.get("model"))
            if isinstance(model_admin, StructureAdmin):
                structure.append(entry)
            else:
                models.append(entry)
        if models:
            work.append({**app, "models": models})
    return {"work": work, "structure": structure}


@register.filter
def state_colour(state: str) -> str:
    return transitions.colour(state)


@register.filter
def is_hq_user(user) -> bool:
    return is_hq(user)
