"""Public pages: the plan at a glance, the achievement table, detail sheets, open data.

Every view reads through the public selectors, which see published results only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from governance.public.selectors import opinions_for_initiative, opinions_for_policy
from initiatives.models import Initiative, Plan, Policy
from initiatives.plan.selectors import (
    achievement_table,
    fiscal_years_of,
    get_plan,
    plans_newest_first,
)
from initiatives.public import open_data
from initiatives.public.charts import indicator_chart, stacked_bar
from initiatives.public.filters import PublicFilterForm
from initiatives.public.plans import plan_path, plan_reverse, plan_scoped
from initiatives.public.selectors import (
    PublicFilter,
    achievement_tallies,
    plan_overview,
    public_initiative,
    public_initiatives,
    published_years,
)
from initiatives.publication.selectors import counts_by_year, latest_editions
from initiatives.vocabulary import era_label_western
from reports.editions import public_files


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
def home(request: HttpRequest, plan: Plan) -> HttpResponse:
    return render(
        request,
        "public/home.html",
        {
            "plan": plan,
            "stances": list(plan.stances.order_by("number")),
            "policies": plan_overview(plan=plan),
            "charts": _charts(achievement_tallies(plan=plan)),
            "report_rows": _report_rows(request, plan),
        },
    )


@require_safe
@plan_scoped
def initiative_list(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = PublicFilterForm(request.GET or None, plan=plan)
    filters = form.filters()
    initiatives = public_initiatives(plan=plan, filters=filters)
    query = request.GET.urlencode()
    return render(
        request,
        "public/initiative_list.html",
        {
            "plan": plan,
            "form": form,
            "filters": filters,
            "count": len(initiatives),
            "blocks": achievement_table(plan=plan, initiatives=initiatives),
            "fiscal_years": form.years,
            "query": query,
        },
    )


@require_safe
@plan_scoped
def initiative_detail(request: HttpRequest, code: str, plan: Plan) -> HttpResponse:
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
        },
    )


@require_safe
@plan_scoped
def policy_detail(request: HttpRequest, number: int, plan: Plan) -> HttpResponse:
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
def open_data_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    return render(
        request,
        "public/open_data.html",
        {
            "plan": plan,
            "base_columns": open_data.BASE_COLUMNS,
            "year_columns": open_data.YEAR_COLUMNS,
            "fiscal_years": fiscal_years_of(plan),
            "licence": open_data.LICENCE,
            "licence_url": open_data.LICENCE_URL,
            "table_url": plan_reverse(request, "public:initiative_list"),
            "report_rows": _report_rows(request, plan),
        },
    )


def _download(request: HttpRequest, kind: str, plan: Plan) -> HttpResponse:
    filters = PublicFilterForm(request.GET or None, plan=plan).filters()
    writers = {
        "csv": (open_data.csv_bytes, "text/csv; charset=utf-8"),
        "json": (open_data.json_bytes, "application/json; charset=utf-8"),
        "xlsx": (
            open_data.xlsx_bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    write, content_type = writers[kind]
    response = HttpResponse(write(plan=plan, filters=filters), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="initiatives.{kind}"'
    return response


@require_safe
@plan_scoped
def download_csv(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _download(request, "csv", plan)


@require_safe
@plan_scoped
def download_json(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _download(request, "json", plan)


@require_safe
@plan_scoped
def download_xlsx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _download(request, "xlsx", plan)


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
