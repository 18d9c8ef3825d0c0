from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from initiatives.models import FiscalYear
from initiatives.plan.selectors import plans_newest_first
from initiatives.roles import is_hq
from reports.models import RenderedReport


@admin.register(RenderedReport)
class RenderedReportAdmin(admin.ModelAdmin):
    """The cached report files; the change list links the HQ draft reports per fiscal year."""

    list_display = ("fiscal_year", "kind", "department", "state", "pages", "seconds", "finished_at")
    list_filter = ("kind", "state", "fiscal_year")
    readonly_fields = [f.name for f in RenderedReport._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hq(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_hq(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = extra_context or {}
        if is_hq(request.user):
            # Every plan's years, newest plan first: in the spring after a plan's last year,
            # HQ drafts its final report while the next plan's first year is under way.
            extra_context["draft_plans"] = [
                (plan, FiscalYear.objects.filter(year__range=(plan.start_year, plan.end_year)))
                for plan in plans_newest_first()
            ]
        return super().changelist_view(request, extra_context=extra_context)
