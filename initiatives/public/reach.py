"""Being found: robots.txt and sitemap.xml (every public page of every plan)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from initiatives.models import Initiative, Policy
from initiatives.plan.selectors import plans_newest_first
from initiatives.public.caching import served_site_wide
from initiatives.public.plans import canonical_path
from initiatives.publication.models import Edition


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be crawled; the admin and the API's pages need not be."""
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL}",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class PublicPagesSitemap(Sitemap):
    """Each plan's pages under /plans/<slug>/: the front page, the table, open data, each
    方針 and each initiative's sheet; dated by the plan's latest edition."""

    limit = 50000

    def items(self) -> list[tuple[str, object]]:
        plans = plans_newest_first()
        modified = {
            row["fiscal_year__year"]: row["at"]
            for row in Edition.objects.values("fiscal_year__year").annotate(at=Max("published_at"))
        }
        policies: dict[int, list[int]] = {}
        for plan_id, number in Policy.objects.order_by("plan_id", "number").values_list(
            "plan_id", "number"
        ):
            policies.setdefault(plan_id, []).append(number)
        initiatives: dict[int, list[str]] = {}
        for plan_id, code in Initiative.objects.order_by("plan_id", "order").values_list(
            "plan_id", "code"
        ):
            initiatives.setdefault(plan_id, []).append(code)
        items = []
        for plan in plans:
            lastmod = max(
                (at for year, at in modified.items() if plan.start_year <= year <= plan.end_year),
                default=None,
            )
            paths = [
                reverse("public:home"),
                reverse("public:initiative_list"),
                reverse("public:open_data"),
                *(reverse("public:policy_detail", args=[n]) for n in policies.get(plan.pk, [])),
                *(
                    reverse("public:initiative_detail", args=[c])
                    for c in initiatives.get(plan.pk, [])
                ),
            ]
            items.extend((canonical_path(plan, path), lastmod) for path in paths)
        items.append((reverse("plan_list"), max(modified.values(), default=None)))
        return items

    def location(self, item: tuple[str, object]) -> str:
        return item[0]

    def lastmod(self, item: tuple[str, object]):
        return item[1]


SITEMAPS = {"public": PublicPagesSitemap}


@require_safe
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """django.contrib.sitemaps' sitemap, kept per publication state of every plan."""

    def build() -> HttpResponse:
        response = sitemap(request, sitemaps=SITEMAPS)
        response.render()
        return response

    return served_site_wide(request, build)
