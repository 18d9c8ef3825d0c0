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

from initiatives.models import Plan
from initiatives.plan.selectors import get_plan

PREFIX = "/plans/{slug}"


def plan_scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve `plan_slug` (absent on unprefixed URLs) into the Plan, 404 when unknown."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, plan_slug: str | None = None, **kwargs):
        try:
            plan = get_plan(slug=plan_slug)
        except Plan.DoesNotExist as missing:
            raise Http404("このプランはありません。") from missing
        request.plan = plan
        request.plan_prefixed = plan_slug is not None
        return view(request, *args, plan=plan, **kwargs)

    return wrapper


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
