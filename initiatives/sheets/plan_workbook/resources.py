"""The columns of the 取組 and 指標 sheets as django-import-export Resources, and the
querysets they export. A field's widget renders its value on export and reads the cell
back on import, so both directions use the same column names and the same words."""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from import_export import fields, resources

from initiatives.models import (
    Department,
    Direction,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Plan,
    Target,
    YearPlan,
)
from initiatives.sheets.io import normalise_header, require_columns
from initiatives.sheets.plan_workbook.columns import (
    ADDED_IN,
    BENCHMARK,
    CODE,
    COMPARISON,
    DEPARTMENTS,
    DIRECTION,
    INDICATOR_NAME,
    NAME,
    NAME_REFERENCE,
    NUMERIC_TARGET,
    RELATED_PLANS,
    RESOURCES,
    SUMMARY,
    TARGET_STATE,
    UNIT,
    plan_column,
    plan_years,
    target_column,
    year_of_column,
)
from initiatives.sheets.plan_workbook.widgets import (
    CodeWidget,
    ComparisonWidget,
    DepartmentsWidget,
    DirectionWidget,
    FlagWidget,
    LinesWidget,
    NumberWidget,
    TextWidget,
)
from initiatives.vocabulary import era_label


class SheetResource(resources.Resource):
    """A sheet of the plan workbook: one field per column, one column per fiscal year of
    the plan. Reference columns are written on export and never read back."""

    reference_columns: tuple[str, ...] = ()

    def __init__(self, *, plan: Plan) -> None:
        super().__init__()
        self.years = plan_years(plan)

    def add_fields(self, spec: list[tuple[str, fields.Field]]) -> None:
        for name, field_ in spec:
            self.fields[name] = field_

    def read_fields(self) -> dict[str, fields.Field]:
        """The fields an import reads (every column but the reference ones)."""
        return {
            name: field_
            for name, field_ in self.fields.items()
            if field_.column_name not in self.reference_columns
        }

    def column_problems(self, dataset: tablib.Dataset, *, sheet: str) -> list[str]:
        """Why the sheet's header row cannot be read (empty when it can)."""
        problems = []
        outside = [
            header
            for header in dataset.headers or []
            if year_of_column(normalise_header(header)) not in (None, *self.years)
        ]
        if outside:
            period = f"{era_label(self.years[0])}～{era_label(self.years[-1])}"
            problems.append(
                f"「{sheet}」シート: "
                + "、".join(f"「{h}」" for h in outside)
                + f"はプランの推進期間（{period}）の外の年度です。"
                "推進期間の年度の列だけにしてください。"
            )
        required = [f.column_name for f in self.read_fields().values()]
        try:
            require_columns(dataset, required, allowed=self.reference_columns)
        except ValidationError as error:
            problems.extend(f"「{sheet}」シート: {m}" for m in error.messages)
        return problems

    def clean_row(self, row: dict) -> tuple[dict, list[str]]:
        """Every column the import reads, through its widget; the problems by column."""
        values, problems = {}, []
        for name, field_ in self.read_fields().items():
            try:
                values[name] = field_.widget.clean(
                    row.get(normalise_header(field_.column_name)), row=row
                )
            except ValidationError as error:
                problems.extend(f"{field_.column_name}: {m}" for m in error.messages)
        return values, problems


class InitiativeResource(SheetResource):
    """The 取組 sheet. Instances are Initiatives fetched by `initiatives_of`."""

    reference_columns = (ADDED_IN,)

    def __init__(
        self, *, plan: Plan, directions: list[Direction], departments: list[Department]
    ) -> None:
        super().__init__(plan=plan)
        get = Initiative._meta.get_field
        name_widget = TextWidget(required=True, max_length=get("name").max_length)
        self.add_fields(
            [
                ("code", fields.Field("code", CODE, CodeWidget())),
                ("name", fields.Field("name", NAME, name_widget)),
                ("direction", fields.Field("direction", DIRECTION, DirectionWidget(directions))),
                ("departments", fields.Field(None, DEPARTMENTS, DepartmentsWidget(departments))),
                ("numeric_target", fields.Field("numeric_target", NUMERIC_TARGET, FlagWidget())),
                ("added_in", fields.Field(None, ADDED_IN, TextWidget(), readonly=True)),
                ("summary", fields.Field("summary", SUMMARY, TextWidget())),
                ("target_state", fields.Field("target_state", TARGET_STATE, TextWidget())),
                ("related_plans", fields.Field("related_plans", RELATED_PLANS, LinesWidget())),
                *((name, fields.Field(name, label, FlagWidget())) for name, label in RESOURCES),
                *((f"plan_{year}", self._plan_field(year)) for year in self.years),
            ]
        )

    @staticmethod
    def _plan_field(year: int) -> fields.Field:
        def dehydrate(initiative: Initiative) -> str:
            plans = (p.text for p in initiative.year_plans.all() if p.fiscal_year.year == year)
            return next(plans, "")

        return fields.Field(None, plan_column(year), TextWidget(), dehydrate_method=dehydrate)

    def dehydrate_departments(self, initiative: Initiative) -> str:
        return self.fields["departments"].widget.render(
            [o.department for o in initiative.owners.all()]
        )

    def dehydrate_added_in(self, initiative: Initiative) -> str:
        return initiative.added_in.code if initiative.added_in_id else ""


class IndicatorResource(SheetResource):
    """The 指標 sheet. Instances are Indicators fetched by `indicators_of`."""

    reference_columns = (NAME_REFERENCE,)

    def __init__(self, *, plan: Plan) -> None:
        super().__init__(plan=plan)
        get = Indicator._meta.get_field
        self.add_fields(
            [
                ("code", fields.Field("initiative__code", CODE, CodeWidget())),
                (
                    "initiative_name",
                    fields.Field("initiative__name", NAME_REFERENCE, readonly=True),
                ),
                (
                    "name",
                    fields.Field(
                        "name",
                        INDICATOR_NAME,
                        TextWidget(required=True, max_length=get("name").max_length),
                    ),
                ),
                ("unit", fields.Field("unit", UNIT, TextWidget(max_length=get("unit").max_length))),
                ("comparison", fields.Field("comparison", COMPARISON, ComparisonWidget())),
                (
                    "benchmark",
                    fields.Field(
                        "benchmark", BENCHMARK, TextWidget(max_length=get("benchmark").max_length)
                    ),
                ),
                *((f"target_{year}", self._target_field(year)) for year in self.years),
            ]
        )

    @staticmethod
    def _target_field(year: int) -> fields.Field:
        def dehydrate(indicator: Indicator) -> Decimal | None:
            """The target as a number: the sheet holds a number cell, read back by the widget."""
            values = (t.value for t in indicator.targets.all() if t.fiscal_year.year == year)
            return next(values, None)

        return fields.Field(None, target_column(year), NumberWidget(), dehydrate_method=dehydrate)


def directions_of(plan: Plan) -> list[Direction]:
    return list(
        Direction.objects.filter(measure__policy__plan=plan)
        .select_related("measure__policy")
        .order_by("measure__policy__number", "measure__number", "number")
    )


def initiatives_of(plan: Plan) -> QuerySet[Initiative]:
    """The plan's initiatives in order, with what the 取組 sheet shows of them."""
    owners = InitiativeDepartment.objects.select_related("department").order_by("order", "pk")
    return (
        Initiative.objects.filter(plan=plan)
        .select_related("direction__measure__policy", "added_in")
        .prefetch_related(
            Prefetch("owners", queryset=owners),
            Prefetch("year_plans", queryset=YearPlan.objects.select_related("fiscal_year")),
        )
        .order_by("order")
    )


def indicators_of(plan: Plan) -> QuerySet[Indicator]:
    """The plan's indicators in the order of their initiatives, with their targets."""
    return (
        Indicator.objects.filter(initiative__plan=plan)
        .select_related("initiative")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("fiscal_year"))
        )
        .order_by("initiative__order", "order", "pk")
    )


def plan_resources(plan: Plan) -> tuple[InitiativeResource, IndicatorResource]:
    """The two sheets' resources, knowing the plan's directions and the departments."""
    return (
        InitiativeResource(
            plan=plan, directions=directions_of(plan), departments=list(Department.objects.all())
        ),
        IndicatorResource(plan=plan),
    )
