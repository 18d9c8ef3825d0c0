from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.html import format_html

from initiatives.public.plans import canonical_path, plan_reverse
from initiatives.vocabulary import STATUS_MARKS, number_text, status_label

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """A dictionary value by key in a template (e.g. a row's status of one fiscal year)."""
    return mapping.get(key)


@register.filter
def decimal(value: Decimal | None) -> str:
    """A stored decimal without trailing zeros (113.0000 → 113)."""
    return number_text(value) or ""


@register.filter
def status_badge(code: str | None) -> str:
    """A published status as a shape and a word (never colour alone); — when there is none.

    None means the initiative was not in the plan that year; "" that nothing is published.
    """
    if code in STATUS_MARKS:
        css = "status--" + code.replace("_", "-")
        icon, label = STATUS_MARKS[code], status_label(code)
        return format_html(
            '<span class="status {}"><span class="status__icon" aria-hidden="true">{}</span>{}'
            "</span>",
            css,
            icon,
            label,
        )
    why = "この年度はプランにありません" if code is None else "公開された実施結果はありません"
    return format_html(
        '<span class="status status--none" title="{}">—<span class="visually-hidden">（{}）'
        "</span></span>",
        why,
        why,
    )


@register.inclusion_tag("public/_publication.html")
def publication_status(plan) -> dict:
    """「令和6年度（2024年度）: 124件中 40件を公表（集計中）」 and each year's 公表日/訂正日."""
    from initiatives.plan.selectors import fiscal_years_of
    from initiatives.publication.selectors import publication_status as status

    return {"years": status(years=fiscal_years_of(plan)) if plan else []}


@register.simple_tag(takes_context=True)
def plan_url(context, name: str, *args, **kwargs) -> str:
    """`{% url %}` for public pages and downloads that stays under the request's
    /plans/<slug>/ prefix (initiatives.public.plans)."""
    return plan_reverse(context.get("request"), name, *args, **kwargs)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's permanent address under its plan's /plans/<slug>/ (rel=canonical)."""
    request = context.get("request")
    plan = context.get("plan")
    if request is None or plan is None:
        return ""
    if getattr(request, "plan_prefixed", False):
        return request.build_absolute_uri(request.path)
    return request.build_absolute_uri(canonical_path(plan, request.path))


@register.filter
def initiative_url(initiative) -> str:
    """The initiative's page under its own plan's /plans/<slug>/ (links from pages that are
    not a plan's own, e.g. the committee's, must not follow the current plan)."""
    return canonical_path(
        initiative.plan, reverse("public:initiative_detail", args=[initiative.code])
    )
