from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from initiatives import admin_workflow  # noqa: F401  (registers the workflow screens)
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
    Target,
    YearPlan,
)
from initiatives.permissions import Action, allowed

admin.site.site_header = "金沢市行政経営プラン 進捗管理"
admin.site.site_title = "行政経営プラン 進捗管理"
admin.site.index_title = "管理メニュー"


class StructurePermissions:
    """The plan's structure: HQ reviewers see it, superusers alone change it."""

    def has_view_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.VIEW_STRUCTURE)

    def has_add_permission(self, request, *args) -> bool:
        return allowed(request.user, None, Action.CHANGE_STRUCTURE)

    def has_change_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.CHANGE_STRUCTURE)

    def has_delete_permission(self, request, obj=None) -> bool:
        return allowed(request.user, None, Action.CHANGE_STRUCTURE)


class StructureAdmin(StructurePermissions, admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return allowed(request.user, None, Action.VIEW_STRUCTURE)


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
class PlanAdmin(StructureAdmin):
    list_display = ["title", "subtitle", "period"]
    inlines = [PlanRevisionInline, StanceInline, PlanSectionInline]

    @admin.display(description=_("推進期間"))
    def period(self, obj: Plan) -> str:
        return obj.period_label


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
    list_display = ["name", "email"]
    search_fields = ["name"]
    inlines = [MemberInline]


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


@admin.register(Initiative)
class InitiativeAdmin(StructureAdmin):
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
    search_fields = ["code", "name", "summary"]
    list_per_page = 50
    autocomplete_fields = ["direction"]
    inlines = [InitiativeDepartmentInline, IndicatorInline, YearPlanInline, ResultInline]
    fieldsets = [
        (None, {"fields": ["plan", "code", "order", "name", "direction", "added_in"]}),
        (_("内容"), {"fields": ["summary", "target_state", "related_plans", "numeric_target"]}),
        (
            _("確保する行政資源"),
            {
                "fields": [
                    ("secures_people", "secures_money", "secures_things", "secures_information")
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_structure()

    @admin.display(description=_("担当課"))
    def departments_display(self, obj: Initiative) -> str:
        return obj.department_names

    @admin.display(description=_("施策"), ordering="direction__measure")
    def measure(self, obj: Initiative) -> str:
        return str(obj.direction.measure)


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


class ActualInline(StructurePermissions, admin.TabularInline):
    model = Actual
    extra = 0


@admin.register(Target)
class TargetAdmin(StructureAdmin):
    list_display = ["__str__", "fiscal_year", "value"]
    list_filter = ["fiscal_year"]
    search_fields = ["indicator__name", "indicator__initiative__code"]
    list_select_related = ["indicator__initiative", "fiscal_year"]


@admin.register(Actual)
class ActualAdmin(StructureAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "result"]
    list_filter = ["result__fiscal_year"]
    search_fields = ["indicator__name", "indicator__initiative__code"]
    list_select_related = ["indicator", "result__initiative", "result__fiscal_year"]


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
