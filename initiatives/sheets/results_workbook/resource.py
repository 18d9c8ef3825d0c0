"""The mapping between Result rows and the results sheet, as a django-import-export
ModelResource: each field's widget renders a value for the sheet on export and reads the
cell back on import (`checking` cleans a row's cells through these same fields), so both
directions use the same column names and the same words. The resource only exports;
checking a file and saving its rows live in `checking` and `importing`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from import_export import resources
from import_export.fields import Field

from initiatives.models import Indicator, Result, Target, YearPlan
from initiatives.results.permissions import Action, restrict
from initiatives.sheets.results_workbook.columns import (
    COL_CODE,
    COL_DEPARTMENTS,
    COL_NAME,
    COL_NOTE,
    COL_PLAN,
    COL_STATE,
    COL_STATUS,
    COL_TEXT,
    COL_VERSION,
    COL_YEAR,
    READ_ONLY_MARK,
    indicator_columns,
)
from initiatives.sheets.results_workbook.widgets import (
    CellTextWidget,
    NumberWidget,
    StatusWidget,
    VersionWidget,
)
from initiatives.vocabulary import State

# The sheet's column order (the model field names among them would otherwise come first);
# the indicators' columns go before 年度.
_FIELD_ORDER = (
    "code",
    "name",
    "departments",
    "plan",
    "state",
    "status",
    "text",
    "note",
    "year",
    "version",
)


class ResultSheetResource(resources.ModelResource):
    """The mapping between Result rows and the sheet's columns (export and import)."""

    code = Field("initiative__code", COL_CODE, CellTextWidget(), readonly=True)
    name = Field("initiative__name", COL_NAME, CellTextWidget(), readonly=True)
    departments = Field(
        "initiative__department_names", COL_DEPARTMENTS, CellTextWidget(), readonly=True
    )
    plan = Field(column_name=COL_PLAN, readonly=True)
    state = Field(column_name=COL_STATE, readonly=True)
    status = Field("status", COL_STATUS, StatusWidget())
    text = Field("text", COL_TEXT, CellTextWidget())
    note = Field("note", COL_NOTE, CellTextWidget())
    year = Field("fiscal_year__label", COL_YEAR, CellTextWidget(), readonly=True)
    version = Field("version", COL_VERSION, VersionWidget(), readonly=True)

    class Meta:
        model = Result
        fields = _FIELD_ORDER

    def __init__(self, *, user, indicator_slots: int = 0) -> None:
        super().__init__()
        self.user = user
        self.editable_ids: set[int] = set()
        ordered = {}
        for key in _FIELD_ORDER:
            if key == "year":
                ordered.update(self._indicator_fields(indicator_slots))
            ordered[key] = self.fields[key]
        self.fields = ordered

    def get_export_order(self) -> tuple[str, ...]:
        return tuple(self.fields)

    # --- export ---

    def _indicator_fields(self, slots: int) -> dict[str, Field]:
        fields = {}
        for k in range(1, slots + 1):
            for part, column in zip(
                ("name", "unit", "target", "actual"), indicator_columns(k), strict=True
            ):
                fields[f"indicator{k}_{part}"] = Field(
                    column_name=column,
                    readonly=True,
                    dehydrate_method=self._indicator_dehydrator(k, part),
                )
        return fields

    def before_export(self, queryset, **kwargs) -> None:
        results = list(queryset)
        initiative_ids = {r.initiative_id for r in results}
        year_ids = {r.fiscal_year_id for r in results}
        self._plans = {
            (p.initiative_id, p.fiscal_year_id): p.text
            for p in YearPlan.objects.filter(
                initiative__in=initiative_ids, fiscal_year__in=year_ids
            )
        }
        self._indicators: dict[int, list[Indicator]] = defaultdict(list)
        for indicator in Indicator.objects.filter(initiative__in=initiative_ids).order_by(
            "initiative", "order", "pk"
        ):
            self._indicators[indicator.initiative_id].append(indicator)
        self._targets = {
            (t.indicator_id, t.fiscal_year_id): t.value
            for t in Target.objects.filter(
                indicator__initiative__in=initiative_ids, fiscal_year__in=year_ids
            )
        }
        self._actuals: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
        for result in results:
            for actual in result.actuals.all():
                self._actuals[result.pk][actual.indicator_id] = actual.value
        self.editable_ids = set(
            restrict(
                Result.objects.filter(pk__in=[r.pk for r in results]), self.user, Action.EDIT
            ).values_list("pk", flat=True)
        )

    def dehydrate_plan(self, result: Result) -> str:
        return self._plans.get((result.initiative_id, result.fiscal_year_id), "")

    def dehydrate_state(self, result: Result) -> str:
        label = str(State(result.state).label)
        return label if result.pk in self.editable_ids else f"{label}{READ_ONLY_MARK}"

    def _indicator_dehydrator(self, k: int, part: str):
        number = NumberWidget()

        def dehydrate(result: Result):
            indicators = self._indicators.get(result.initiative_id, [])
            if k > len(indicators):
                return None
            indicator = indicators[k - 1]
            if part == "name":
                return indicator.name
            if part == "unit":
                return indicator.unit
            if part == "target":
                return number.render(self._targets.get((indicator.pk, result.fiscal_year_id)))
            return number.render(self._actuals[result.pk].get(indicator.pk))

        return dehydrate
