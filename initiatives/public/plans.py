"""Which plan a public request reads: resolved once per request from the URL.

Every public page and download exists under `/plans/<slug>/`; the unprefixed URLs serve the
current plan (`get_plan()`). Views receive the plan as the keyword `plan`; links keep the
request's prefix through `plan_path` (and the `plan_url` template tag).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from initiatives.models import Plan
from initiatives.plan.selectors import get_plan

PREFIX = "/plans/{slug}"


def plan_scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve `plan_slug` (absent on unprefixed URLs) into the Plan, 404 when unknown."""

    # A view served from the publication cache finds the plan's state by its slug and reads
    # the Plan only to build a cold answer (caching.served_from_edition).
    lazy = getattr(view, "reads_plan_lazily", False)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, plan_slug: str | None = None, **kwargs):
        if plan_slug is None or lazy:
            # The current plan (or the slug's), read only when the view uses it (a report
            # download needs no plan, the year names it); a slug naming no plan is a 404 then.
            plan = SimpleLazyObject(functools.partial(_plan, plan_slug))
        else:
            plan = _plan(plan_slug)
        request.plan = plan
        request.plan_slug = plan_slug
        request.plan_prefixed = plan_slug is not None
        return view(request, *args, plan=plan, **kwargs)

    return wrapper


def _plan(slug: str | None) -> Plan:
    try:
        return get_plan(slug=slug)
    except Plan.DoesNotExist as missing:
        if slug is None:
            raise Http404("プランが登録されていません。") from missing
        raise Http404("このプランはありません。") from missing


def plan_path(request: HttpRequest | None, path: str) -> str:
    """`path` (an unprefixed public URL) as seen from this request: under /plans/<slug>/ when
    the request came that way, unchanged otherwise."""
    if request is not None and getattr(request, "plan_prefixed", False):
        return PREFIX.format(slug=request.plan.slug) + path
    return path


def plan_reverse(request: HttpRequest | None, name: str, *args, **kwargs) -> str:
    return plan_path(request, reverse(name, args=args or None, kwargs=kwargs or None))


def canonical_path(plan: Plan, path: str) -> str:
    """The plan's own, permanent address of a public page (for rel=canonical, the sitemap)."""
    return PREFIX.format(slug=plan.slug) + path
