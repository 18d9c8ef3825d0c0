"""The read-only JSON API, version 1: plans, a plan's initiatives (paged), one initiative.

Published data only (the public selectors and the tidy tables); answers are cached per
publication state, carry ETag / Last-Modified and are open to any origin (CORS). The
OpenAPI 3 description is `openapi.json` beside this module, served as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from initiatives.models import Plan
from initiatives.plan.selectors import plans_newest_first
from initiatives.public import open_data, tidy
from initiatives.public.caching import served_from_edition
from initiatives.public.plans import plan_scoped
from initiatives.public.selectors import PublicFilter, public_initiatives

API_VERSION = "v1"
PAGE_SIZE = 500
OPENAPI = Path(__file__).with_name("openapi.json")


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _plan_summary(plan: Plan) -> dict:
    return {
        "id": plan.slug,
        "title": plan.title,
        "author": plan.author,
        "startYear": plan.start_year,
        "endYear": plan.end_year,
        "url": reverse("api:plan", args=[plan.slug]),
    }


def _local_government() -> dict:
    return {"code": tidy.LOCAL_GOVERNMENT_CODE, "name": tidy.LOCAL_GOVERNMENT_NAME}


@require_safe
def plans(request: HttpRequest) -> HttpResponse:
    response = _json(
        {
            "apiVersion": API_VERSION,
            "localGovernment": _local_government(),
            "plans": [_plan_summary(p) for p in plans_newest_first()],
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@plan_scoped
@served_from_edition(cors=True)
def plan_detail(request: HttpRequest, *, plan: Plan) -> HttpResponse:
    """The plan, each year's publication status and its initiatives, PAGE_SIZE a page."""
    initiatives = public_initiatives(plan=plan)
    paginator = Paginator(initiatives, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as wrong:
        raise Http404("このページはありません。") from wrong
    base = reverse("api:plan", args=[plan.slug])
    return _json(
        {
            "apiVersion": API_VERSION,
            "localGovernment": _local_government(),
            "plan": _plan_summary(plan),
            "publication": open_data.publication(plan=plan),
            "initiatives": [
                {
                    "id": f"{plan.slug}:{initiative.code}",
                    "code": initiative.code,
                    "name": initiative.name,
                    "url": reverse("api:initiative", args=[plan.slug, initiative.code]),
                    "statuses": {
                        str(r.fiscal_year.year): r.published_status
                        for r in initiative.results.all()
                        if r.published_status
                    },
                }
                for initiative in page.object_list
            ],
            "pagination": {
                "page": page.number,
                "pages": paginator.num_pages,
                "pageSize": PAGE_SIZE,
                "count": paginator.count,
                "next": f"{base}?page={page.next_page_number()}" if page.has_next() else None,
                "previous": f"{base}?page={page.previous_page_number()}"
                if page.has_previous()
                else None,
            },
        }
    )


@require_safe
@plan_scoped
@served_from_edition(cors=True)
def initiative_detail(request: HttpRequest, code: str, *, plan: Plan) -> HttpResponse:
    """One initiative: its years (plan text, published result) and its indicators' figures."""
    data = tidy.tidy_data(plan=plan, filters=PublicFilter(code=code))
    years = tidy.records(table="initiative_years", data=data)
    initiatives = public_initiatives(plan=plan, filters=PublicFilter(code=code))
    if not initiatives:
        raise Http404("この取組No.の取組はありません。")
    initiative = initiatives[0]
    direction = initiative.direction
    return _json(
        {
            "apiVersion": API_VERSION,
            "localGovernment": _local_government(),
            "plan": _plan_summary(plan),
            "initiative": {
                "id": f"{plan.slug}:{initiative.code}",
                "code": initiative.code,
                "name": initiative.name,
                "policy": {
                    "number": direction.measure.policy.number,
                    "title": direction.measure.policy.title,
                },
                "measure": {"number": direction.measure.number, "title": direction.measure.title},
                "direction": {"marker": direction.marker, "title": direction.title},
                "numericTarget": initiative.numeric_target,
                "departments": [
                    {"code": o.department.public_code, "name": o.department.name}
                    for o in initiative.owners.all()
                ],
                "summary": initiative.summary,
                "targetState": initiative.target_state,
                "page": reverse("public:initiative_detail", args=[initiative.code]),
            },
            "years": years,
            "indicators": tidy.records(table="indicator_years", data=data),
        }
    )


@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(OPENAPI.read_bytes(), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def openapi_document() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))
