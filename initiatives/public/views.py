"""Public pages: the plan at a glance, the achievement table, detail sheets, open data.

Every view reads through the public selectors, which see published results only.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from governance.public.selectors import opinions_for_initiative, opinions_for_policy
from initiatives.models import Initiative, Plan, Policy
from initiatives.plan.selectors import (
    achievement_table,
    continuity,
    fiscal_years_of,
    get_plan,
    plans_newest_first,
)
from initiatives.public import datapackage, open_data, tidy
from initiatives.public.caching import request_state, served_from_edition
from initiatives.public.charts import indicator_chart, stacked_bar
from initiatives.public.filters import PublicFilterForm
from initiatives.public.plans import canonical_path, plan_path, plan_reverse, plan_scoped
from initiatives.public.selectors import (
    PublicFilter,
    achievement_tallies,
    plan_overview,
    public_initiative,
    public_initiatives,
    published_years,
)
from initiatives.publication.selectors import counts_by_year, final_summary, latest_editions
from initiatives.vocabulary import era_label_western
from reports.editions import public_files

# Rows of the achievement table per page: a plan of 124 fits on one; a 100× plan is paged.
LIST_PAGE_SIZE = 500


def _charts(tallies: list) -> list[dict]:
    """Each year's bars, headed by how much of the year is public (集計中 → 公表分の内訳)."""
    counts = counts_by_year(years=[t.fiscal_year for t in tallies])
    return [
        {
            "year": year,
            "counts": counts[year.fiscal_year.year],
            "policies": [stacked_bar(t) for t in year.policies],
            "measures": [stacked_bar(t) for t in year.measures],
        }
        for year in tallies
    ]


def _report_rows(request: HttpRequest, plan: Plan) -> list[dict]:
    """The download table: per published year, each file as ready (linked, with its 公表日)
    or being made (no link)."""
    years = published_years(plan=plan)
    editions = latest_editions(years=[fy.year for fy in years])
    files = public_files(fiscal_years=years, editions=editions)
    for year_files in files.values():
        for file in year_files.values():
            file.url = plan_path(request, file.url)
    return [
        {
            "fiscal_year": fy,
            "label": era_label_western(fy.year),
            "edition": editions.get(fy.year),
            "files": files[fy.year],
        }
        for fy in years
    ]


@require_safe
@plan_scoped
@served_from_edition(report_files=True, committee=True)
def home(request: HttpRequest, *, plan: Plan) -> HttpResponse:
    return render(
        request,
        "public/home.html",
        {
            "plan": plan,
            "stances": list(plan.stances.order_by("number")),
            "policies": plan_overview(plan=plan),
            "charts": _charts(achievement_tallies(plan=plan)),
            "report_rows": _report_rows(request, plan),
            # A closed plan's page ends with its achievement over the whole period.
            "final_summary": final_summary(plan=plan) if plan.is_closed else None,
        },
    )


def _continuity(initiative: Initiative) -> list[dict]:
    """The initiative's chain across plans, each other initiative linked at its own plan's
    permanent address (/plans/<slug>/initiatives/<code>/)."""
    return [
        {
            "line": line,
            "links": [
                (
                    f"No.{code}",
                    canonical_path(line.plan, reverse("public:initiative_detail", args=[code])),
                )
                for code in line.codes
            ],
        }
        for line in continuity(initiatives=[initiative]).get(initiative.pk, [])
    ]


@require_safe
@plan_scoped
@served_from_edition()
def initiative_list(request: HttpRequest, *, plan: Plan) -> HttpResponse:
    """The achievement table, LIST_PAGE_SIZE rows a page when the plan is larger."""
    form = PublicFilterForm(request.GET or None, plan=plan)
    filters = form.filters()
    initiatives = public_initiatives(plan=plan, filters=filters)
    paginator = Paginator(initiatives, LIST_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as wrong:
        raise Http404("このページはありません。") from wrong
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/initiative_list.html",
        {
            "plan": plan,
            "form": form,
            "filters": filters,
            "count": len(initiatives),
            "blocks": achievement_table(plan=plan, initiatives=list(page.object_list)),
            "fiscal_years": form.years,
            "query": query.urlencode(),
            "page": page,
            "page_query": query.urlencode(),
        },
    )


@require_safe
@plan_scoped
@served_from_edition(committee=True)
def initiative_detail(request: HttpRequest, code: str, *, plan: Plan) -> HttpResponse:
    try:
        sheet = public_initiative(plan=plan, code=code)
    except Initiative.DoesNotExist as missing:
        raise Http404("この取組No.の取組はありません。") from missing
    return render(
        request,
        "public/initiative_detail.html",
        {
            "plan": plan,
            "sheet": sheet,
            "initiative": sheet.initiative,
            "charts": [indicator_chart(i) for i in sheet.indicators],
            "published_years": published_years(plan=plan),
            "committee": opinions_for_initiative(initiative=sheet.initiative),
            "continuity": _continuity(sheet.initiative),
        },
    )


@require_safe
@plan_scoped
@served_from_edition(committee=True)
def policy_detail(request: HttpRequest, number: int, *, plan: Plan) -> HttpResponse:
    policy = get_object_or_404(
        Policy.objects.prefetch_related("measures"), plan=plan, number=number
    )
    initiatives = public_initiatives(plan=plan, filters=PublicFilter(policy=number))
    return render(
        request,
        "public/policy_detail.html",
        {
            "plan": plan,
            "policy": policy,
            "count": len(initiatives),
            "blocks": achievement_table(plan=plan, initiatives=initiatives),
            "table_caption": f"方針{policy.number}の取組事項一覧（計画達成状況）",
            "fiscal_years": fiscal_years_of(plan),
            "charts": _charts(achievement_tallies(plan=plan, policy=policy)),
            "policies": Policy.objects.filter(plan=plan).order_by("number"),
            "committee_opinions": opinions_for_policy(policy=policy),
        },
    )


@require_safe
@plan_scoped
@served_from_edition(report_files=True, committee=True)
def open_data_page(request: HttpRequest, *, plan: Plan) -> HttpResponse:
    state = request_state(request, plan)
    files = datapackage.listed_files(
        plan=plan,
        state=state,
        url=lambda name: plan_reverse(request, "public:open_data_file", name),
    )
    package_url = plan_reverse(request, "public:open_data_file", "datapackage.json")
    return render(
        request,
        "public/open_data.html",
        {
            "plan": plan,
            "base_columns": open_data.BASE_COLUMNS,
            "year_columns": open_data.YEAR_COLUMNS,
            "tidy_tables": tidy.TABLES.values(),
            "fiscal_years": fiscal_years_of(plan),
            "licence": open_data.LICENCE,
            "licence_url": open_data.LICENCE_URL,
            "table_url": plan_reverse(request, "public:initiative_list"),
            "report_rows": _report_rows(request, plan),
            "files": files,
            "package_url": package_url,
            "package_absolute_url": request.build_absolute_uri(package_url),
            "api_url": reverse("api:openapi"),
            "local_government_code": tidy.LOCAL_GOVERNMENT_CODE,
            "local_government_name": tidy.LOCAL_GOVERNMENT_NAME,
            "catalogue": datapackage.catalogue_script(
                datapackage.catalogue_record(plan=plan, state=state, files=files)
            ),
        },
    )


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan this installation holds, newest first, with its period and status."""
    current = _current_or_none()
    return render(
        request,
        "public/plan_list.html",
        {"plans": plans_newest_first(), "current": current, "plan": current},
    )


def _current_or_none() -> Plan | None:
    try:
        return get_plan()
    except Plan.DoesNotExist:
        return None
