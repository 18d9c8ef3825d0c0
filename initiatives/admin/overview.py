"""HQ's screens of a whole fiscal year: the overview of where every result stands, and the
publication of the approved results (after a confirmation page).

They are a part of the results admin (`ResultAdmin` takes them in), so their URLs live under
/admin/initiatives/result/ and keep the names initiatives_result_overview and _publish.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from initiatives.models import FiscalYear, Result
from initiatives.plan.selectors import plan_of_year, years_by_plan
from initiatives.publication.selectors import EditionCounts
from initiatives.results import services, transitions
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import deadline_text, open_periods, overview
from initiatives.results.transitions import Step


class YearScreens:
    """The overview and publish screens of ResultAdmin."""

    def year_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("overview/", wrap(self.overview_view), name="initiatives_result_overview"),
            path(
                "publish/<int:year>/",
                wrap(self.publish_view),
                name="initiatives_result_publish",
            ),
        ]

    def overview_view(self, request: HttpRequest) -> TemplateResponse:
        """HQ's overview of one fiscal year (the open one by default)."""
        check(request.user, None, Action.REVIEW)
        years = list(FiscalYear.objects.order_by("year"))
        year = request.GET.get("year")
        if year and year.isdigit():
            fiscal_year = get_object_or_404(FiscalYear, year=int(year))
        else:
            periods = open_periods()
            fiscal_year = periods[0].fiscal_year if periods else years[-1]
        data = overview(fiscal_year=fiscal_year)
        plan = plan_of_year(fiscal_year.year)
        base = reverse("admin:initiatives_result_changelist")
        query = f"fiscal_year__id__exact={fiscal_year.pk}"
        return TemplateResponse(
            request,
            "admin/initiatives/result/overview.html",
            self._context(
                request,
                title=f"{fiscal_year.label} 実施結果の集計",
                data=data,
                plan=plan,
                year_groups=years_by_plan(years),
                fiscal_year=fiscal_year,
                deadline_text=deadline_text(data.period) if data.period else "",
                list_url=f"{base}?{query}",
                states=[(s, Result.State(s).label) for s, _c in data.total_cells()],
            ),
        )

    def publish_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """HQ publishes the approved results of a fiscal year (after a confirmation)."""
        check(request.user, None, Action.PUBLISH)
        fiscal_year = get_object_or_404(FiscalYear, year=year)
        approved = (
            Result.objects.filter(
                fiscal_year=fiscal_year, state__in=transitions.sources(Step.PUBLISH)
            )
            .select_related("initiative")
            .order_by("initiative__order")
        )
        if request.method == "POST":
            try:
                summary = services.publish_year(
                    fiscal_year=fiscal_year,
                    user=request.user,
                    seen=services.parse_seen_versions(request.POST.get("seen")),
                )
            except services.StaleResultError as error:
                return TemplateResponse(
                    request,
                    "admin/initiatives/result/publish_confirm.html",
                    self._context(
                        request,
                        title=f"{fiscal_year.label}の実施結果を公開",
                        conflict=str(error),
                        **_publish_preview(fiscal_year, list(approved)),
                    ),
                    status=409,
                )
            if summary.published:
                self.message_user(
                    request,
                    f"{fiscal_year.label}の承認済 {summary.published}件を公開しました"
                    f"（うち訂正 {summary.corrected}件）。",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, "公開できる承認済の実施結果はありません。", messages.WARNING
                )
            return HttpResponseRedirect(
                reverse("admin:initiatives_result_overview") + f"?year={year}"
            )
        return TemplateResponse(
            request,
            "admin/initiatives/result/publish_confirm.html",
            self._context(
                request,
                title=f"{fiscal_year.label}の実施結果を公開",
                **_publish_preview(fiscal_year, list(approved)),
            ),
        )


def _publish_preview(fiscal_year: FiscalYear, approved: list[Result]) -> dict:
    """What 公開する will publish (the approved results) and what it will not (every other
    state, counted and listed), and the year's completeness afterwards."""
    others = list(
        Result.objects.filter(fiscal_year=fiscal_year)
        .exclude(state__in=transitions.sources(Step.PUBLISH))
        .select_related("initiative")
        .order_by("initiative__order")
    )
    by_state = Counter(r.state for r in others)
    after = len(approved) + sum(1 for r in others if r.is_published)
    return {
        "fiscal_year": fiscal_year,
        "approved": approved,
        "seen": services.seen_versions(approved),
        "others": others,
        "others_by_state": [
            (Result.State(state).label, by_state[state])
            for state in Result.State.values
            if by_state[state]
        ],
        "after": EditionCounts(
            year=fiscal_year.year, published=after, total=len(approved) + len(others)
        ),
    }
