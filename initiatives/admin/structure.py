from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from initiatives.admin.closing import PlanClosing
from initiatives.admin.common import JapaneseSearch, several_plans
from initiatives.admin.plan_sheets import PlanSheetScreens
from initiatives.models import (
    Actual,
    Department,
    DepartmentMembership,
    Direction,
    FiscalYear,
    GlossaryTerm,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Measure,
    Plan,
    PlanRevision,
    PlanSection,
    Policy,
    Relisting,
    Result,
    Stance,
    Succession,
    Target,
    YearPlan,
)
from initiatives.plan.archive import is_read_only
from initiatives.plan.changes import mark_structure_changed
from initiatives.plan.organisation import ownership_history
from initiatives.plan.selectors import plans_newest_first
from initiatives.results.permissions import Action, allowed
from initiatives.vocabulary import era_label

admin.site.site_header = "金沢市行政経営プラン 進捗管理"
admin.site.site_title = "行政経営プラン 進捗管理"
admin.site.index_title = "管理メニュー"


class StructurePermissions:
    """The plan's structure: HQ reviewers see it, superusers alone change it, and nobody
    changes the structure of a closed plan (`plan.archive`)."""

    def has_view_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.VIEW_STRUCTURE)

    def has_add_permission(self, request, *args) -> bool:
        # An inline is asked with its parent row: nothing is added under a closed plan.
        parent = args[0] if args else None
        return allowed(request.user, None, Action.CHANGE_STRUCTURE) and not is_read_only(parent)

    def has_change_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.CHANGE_STRUCTURE) and not is_read_only(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.CHANGE_STRUCTURE) and not is_read_only(obj)


class StructureAdmin(JapaneseSearch, StructurePermissions, admin.ModelAdmin):
    """Every add, change or delete (inlines and bulk deletes too) marks the structure
    changed, so the public pages kept per publication state show it at once."""

    def has_module_permission(self, request) -> bool:
        return allowed(request.user, None, Action.VIEW_STRUCTURE)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        mark_structure_changed()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        mark_structure_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        mark_structure_changed()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        mark_structure_changed()


class PlanRevisionInline(StructurePermissions, admin.TabularInline):
    model = PlanRevision
    extra = 0


class StanceInline(StructurePermissions, admin.TabularInline):
    model = Stance
    extra = 0


class PlanSectionInline(StructurePermissions, admin.StackedInline):
    model = PlanSection
    extra = 0


@admin.register(Plan)
class PlanAdmin(PlanClosing, StructureAdmin):
    list_display = ["title", "subtitle", "period", "status"]
    inlines = [PlanRevisionInline, StanceInline, PlanSectionInline]
    readonly_fields = ["closed_at", "closed_by"]

    def get_urls(self):
        return [*self.closing_urls(), *super().get_urls()]

    @admin.display(description=_("推進期間"))
    def period(self, obj: Plan) -> str:
        return obj.period_label

    @admin.display(description=_("状況"))
    def status(self, obj: Plan) -> str:
        return obj.status_label


@admin.register(PlanRevision)
class PlanRevisionAdmin(StructureAdmin):
    list_display = ["label", "code", "kind", "date"]
    list_filter = ["kind"]


@admin.register(Stance)
class StanceAdmin(StructureAdmin):
    list_display = ["number", "title", "description"]


@admin.register(PlanSection)
class PlanSectionAdmin(StructureAdmin):
    list_display = ["order", "heading", "key"]
    search_fields = ["heading", "body"]


@admin.register(FiscalYear)
class FiscalYearAdmin(StructureAdmin):
    list_display = ["year", "label", "short_label"]

    @admin.display(description=_("和暦"))
    def label(self, obj: FiscalYear) -> str:
        return obj.label

    @admin.display(description=_("略記"))
    def short_label(self, obj: FiscalYear) -> str:
        return obj.short_label


class MeasureInline(StructurePermissions, admin.TabularInline):
    model = Measure
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(StructureAdmin):
    list_display = ["number", "title", "subtitle"]
    search_fields = ["title", "subtitle"]
    inlines = [MeasureInline]


class DirectionInline(StructurePermissions, admin.TabularInline):
    model = Direction
    fields = ["number", "title", "statement"]
    extra = 0
    show_change_link = True


@admin.register(Measure)
class MeasureAdmin(StructureAdmin):
    list_display = ["__str__", "policy"]
    list_filter = ["policy"]
    search_fields = ["title", "description"]
    list_select_related = ["policy"]
    inlines = [DirectionInline]


class RelistingInline(StructurePermissions, admin.TabularInline):
    model = Relisting
    fk_name = "direction"
    extra = 0
    autocomplete_fields = ["initiative"]


@admin.register(Direction)
class DirectionAdmin(StructureAdmin):
    list_display = ["__str__", "measure"]
    list_filter = ["measure__policy", "measure"]
    search_fields = ["title", "statement"]
    list_select_related = ["measure__policy"]
    inlines = [RelistingInline]


class MemberInline(StructurePermissions, admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    fields = ["user"]
    verbose_name = _("所属職員")
    verbose_name_plural = _("所属職員（この課の実施結果を入力できる人）")


@admin.register(Department)
class DepartmentAdmin(StructureAdmin):
    list_display = ["name", "email", "valid_from", "valid_until"]
    list_filter = [("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    inlines = [MemberInline]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # The validity changes only through a recorded reorganisation (組織改正).
        return ["valid_from", "valid_until"]


class InitiativeDepartmentInline(StructurePermissions, admin.TabularInline):
    model = InitiativeDepartment
    extra = 0
    autocomplete_fields = ["department"]


class IndicatorInline(StructurePermissions, admin.TabularInline):
    model = Indicator
    extra = 0
    show_change_link = True


class YearPlanInline(StructurePermissions, admin.TabularInline):
    model = YearPlan
    extra = 0


class ResultInline(StructurePermissions, admin.StackedInline):
    """Results are entered through the workflow screens; here they are only shown."""

    model = Result
    extra = 0
    fields = ["fiscal_year", "state", "status", "text", "note"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SuccessionInline(StructurePermissions, admin.TabularInline):
    """前期プランとの関係: the earlier plans' initiatives this one continues, merges or splits."""

    model = Succession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]
    fields = ["predecessor", "kind", "order"]


@admin.register(Initiative)
class InitiativeAdmin(PlanSheetScreens, StructureAdmin):
    list_display = ["code", "name", "departments_display", "numeric_target", "added_in", "measure"]
    list_display_links = ["code", "name"]
    list_filter = [
        "direction__measure__policy",
        "direction__measure",
        "departments",
        "numeric_target",
        "added_in",
        "results__fiscal_year",
        "results__status",
    ]
    search_fields = ["code", "name", "summary", "departments__name"]
    list_per_page = 50
    autocomplete_fields = ["direction"]
    inlines = [
        InitiativeDepartmentInline,
        IndicatorInline,
        YearPlanInline,
        SuccessionInline,
        ResultInline,
    ]
    fieldsets = [
        (None, {"fields": ["plan", "code", "order", "name", "direction", "added_in"]}),
        (_("内容"), {"fields": ["summary", "target_state", "related_plans", "numeric_target"]}),
        (_("年度ごとの担当課（組織改正を反映）"), {"fields": ["ownership_display"]}),
        (
            _("確保する行政資源"),
            {
                "fields": [
                    ("secures_people", "secures_money", "secures_things", "secures_information")
                ]
            },
        ),
    ]

    change_list_template = "admin/initiatives/plan_spreadsheet/initiative_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_structure()

    @admin.display(description=_("担当課"))
    def departments_display(self, obj: Initiative) -> str:
        return obj.department_names

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "ownership_display"]

    @admin.display(description=_("担当課"))
    def ownership_display(self, obj: Initiative) -> str:
        """Who owned the initiative in each fiscal year of its plan (HQ's view of 組織改正)."""
        if obj.pk is None:
            return "—"
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            (
                (era_label(year), "、".join(d.name for d in owners) or "—")
                for year, owners in ownership_history(obj)
            ),
        )

    @admin.display(description=_("施策"), ordering="direction__measure")
    def measure(self, obj: Initiative) -> str:
        return str(obj.direction.measure)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra = {
            "can_import_plan": allowed(request.user, None, Action.CHANGE_STRUCTURE),
            # Several plans: each has its own workbook links.
            "workbook_plans": plans_newest_first() if several_plans(request) else [],
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)


class TargetInline(StructurePermissions, admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(StructureAdmin):
    list_display = ["__str__", "unit", "comparison", "benchmark"]
    list_filter = ["comparison", "initiative__direction__measure__policy"]
    search_fields = ["name", "initiative__code", "initiative__name"]
    list_select_related = ["initiative"]
    inlines = [TargetInline]


@admin.register(YearPlan)
class YearPlanAdmin(StructureAdmin):
    list_display = ["__str__", "fiscal_year", "text"]
    list_filter = ["fiscal_year", "initiative__direction__measure__policy"]
    search_fields = ["initiative__code", "initiative__name", "text"]
    list_select_related = ["initiative", "fiscal_year"]


class TargetAdmin(StructureAdmin):
    list_display = ["__str__", "fiscal_year", "value"]
    list_filter = ["fiscal_year"]
    search_fields = ["indicator__name", "indicator__initiative__code"]
    list_select_related = ["indicator__initiative", "fiscal_year"]


# Why no admin screen writes a result's numbers: they change through the workflow only.
WORKFLOW_ONLY = (
    "実績値は実施結果の入力画面でだけ変更できます。公開済みの値を直すときは、"
    "実施結果の「修正のため再開する」から入力・承認・公開の手続きを通してください。"
)


def _require_id(value: str) -> None:
    """404 for a path segment that cannot be a row id (simple-history would query with it)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise Http404("この記録は見つかりません。")


@admin.register(Actual)
class ActualAdmin(StructureAdmin, SimpleHistoryAdmin):
    """実績値, shown read-only to HQ and superusers alike: a value entered here would skip the
    version check, the history of steps and the public list of corrections."""

    list_display = ["__str__", "result"]
    list_filter = ["result__fiscal_year"]
    search_fields = ["indicator__name", "indicator__initiative__code"]
    list_select_related = ["indicator", "result__initiative", "result__fiscal_year"]
    fields = readonly_fields = ["result", "indicator", "value", "published_value"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        _require_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a posted earlier version without asking has_change_permission.
        if request.method != "GET":
            raise PermissionDenied(WORKFLOW_ONLY)
        _require_id(object_id)
        _require_id(version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Relisting)
class RelistingAdmin(StructureAdmin):
    list_display = ["__str__", "direction", "position"]
    list_filter = ["direction__measure__policy"]
    search_fields = ["initiative__code", "initiative__name"]
    autocomplete_fields = ["initiative", "direction"]


@admin.register(InitiativeDepartment)
class InitiativeDepartmentAdmin(StructureAdmin):
    list_display = ["initiative", "department", "order"]
    list_filter = ["department"]
    search_fields = ["initiative__code", "initiative__name", "department__name"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(StructureAdmin):
    list_display = ["order", "term"]
    search_fields = ["term", "description"]
