"""The mapping between Result rows and the results sheet, as a django-import-export
ModelResource: its fields and widgets export the sheet; on import, `ResultLoader` finds
each row's result by 取組No. and 年度, the hooks read the row into a `SheetEntry` and
refuse what may not be saved, and `save_instance` saves through `services.save_draft`
(permissions, optimistic locking, WorkflowEvent, simple-history), never the model itself."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from decimal import Decimal

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from initiatives.models import FiscalYear, Indicator, Result, Target, YearPlan
from initiatives.results import services
from initiatives.results.consistency import sheet_findings
from initiatives.results.permissions import Action, allowed, restrict
from initiatives.roles import department_ids
from initiatives.sheets.io import cell_text, source_line
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
from initiatives.sheets.results_workbook.entry import (
    SheetEntry,
    compare_texts,
    read_actuals,
    refusals,
)
from initiatives.sheets.results_workbook.preview import RowPreview
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


def _year_lookup() -> dict[str, FiscalYear]:
    years = {}
    for fiscal_year in FiscalYear.objects.all():
        for key in (fiscal_year.label, fiscal_year.short_label, str(fiscal_year.year)):
            years[_year_key(key)] = fiscal_year
        years[f"{fiscal_year.year}年度"] = fiscal_year
    return years


def _year_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


class ResultLoader(BaseInstanceLoader):
    """Finds a row's result by its 取組No. and 年度; refuses a row it cannot tell apart
    (no or a repeated 取組No.) or find. A file never creates results."""

    def __init__(self, resource, dataset=None) -> None:
        super().__init__(resource, dataset)
        self.years = _year_lookup()
        self.lines_by_code: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(dataset.dict):
            code = cell_text(row.get(COL_CODE))
            if code:
                self.lines_by_code[code].append(source_line(dataset, index))

    def get_instance(self, row) -> Result:
        code = self.resource.fields["code"].clean(row)
        if not code:
            raise ValidationError(
                f"{COL_CODE}が空です。書き出したファイルの「{COL_CODE}」は消さないでください。"
            )
        lines = self.lines_by_code.get(code, [])
        if len(lines) > 1:
            raise ValidationError(
                f"{COL_CODE} {code} の行が{len(lines)}つあります"
                f"（{'・'.join(f'{n}行目' for n in lines)}）。1つの取組は1行にしてください。"
            )
        year_text = self.resource.fields["year"].clean(row)
        fiscal_year = self.years.get(_year_key(year_text))
        if fiscal_year is None:
            raise ValidationError(
                f"{COL_YEAR}「{year_text or '（空）'}」が読み取れません。書き出したファイルの"
                f"「{COL_YEAR}」の列は変えないでください（例: 令和6年度）。"
            )
        result = (
            Result.objects.select_related("initiative", "fiscal_year", "updated_by")
            .prefetch_related("initiative__owners__department")
            .filter(initiative__code=code, fiscal_year=fiscal_year)
            .first()
        )
        if result is None:
            raise ValidationError(
                f"{COL_CODE}「{code}」の{fiscal_year.label}の実施結果はありません。"
                f"{COL_CODE}が正しいか確かめてください（書き出したファイルの番号を使います）。"
            )
        return result


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
        import_id_fields = ("code", "year")
        instance_loader_class = ResultLoader
        skip_diff = True  # the preview shows its own old → new per field
        report_skipped = True  # unchanged rows are listed as 変更なし
        clean_model_instances = False  # services.save_draft validates

    def __init__(self, *, user, indicator_slots: int = 0, filename: str = "") -> None:
        super().__init__()
        self.user = user
        self.filename = filename
        self.reason = f"ファイルから取り込み: {filename}"[:100]
        self.editable_ids: set[int] = set()
        self.previews: dict[int, RowPreview] = {}  # by row number
        self.entries: dict[int, SheetEntry] = {}  # by result, for skip_row and save_instance
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

    # --- import ---

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        self._dataset = dataset
        self._departments = set(department_ids(self.user))

    def before_import_row(self, row, **kwargs) -> None:
        line = source_line(self._dataset, kwargs["row_number"] - 1)
        self.previews[kwargs["row_number"]] = RowPreview(
            line=line, code=cell_text(row.get(COL_CODE))
        )

    def init_instance(self, row=None) -> Result:
        raise ValidationError("このファイルから実施結果を作ることはできません。")

    def after_init_instance(self, instance: Result, new: bool, row, **kwargs) -> None:
        """Name the row's initiative in the preview; refuse another department's row."""
        self.previews[kwargs["row_number"]].name = instance.initiative.name
        owners = {owner.department_id for owner in instance.initiative.owners.all()}
        if not owners & self._departments:
            raise ValidationError(
                f"担当課ではない取組です（担当課: {instance.initiative.department_names}）。"
                "自分の課の取組の行だけを取り込めます。"
            )

    def import_instance(self, instance: Result, row, **kwargs) -> None:
        """Read the row into a SheetEntry; the preview shows its changes and problems."""
        entry = SheetEntry(
            version=self.fields["version"].clean(row),
            status=instance.status,
            text=self.fields["text"].clean(row),
            note=self.fields["note"].clean(row),
        )
        try:
            entry.status = self.fields["status"].clean(row)
        except ValidationError as error:
            entry.problems.extend(error.messages)
        compare_texts(instance, entry)
        read_actuals(instance, row, entry)
        editable = allowed(self.user, instance, Action.EDIT)
        if entry.changes:
            entry.problems.extend(refusals(instance, entry, editable=editable))
        preview = self.previews[kwargs["row_number"]]
        preview.changes = entry.changes
        preview.findings = sheet_findings(
            instance, status=entry.status, note=entry.note, actuals=entry.actuals
        )
        if not editable:
            preview.remark = f"参照のみ（{State(instance.state).label}）"
        self.entries[instance.pk] = entry
        if entry.problems:
            raise ValidationError(entry.problems)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        entry = self.entries.get(instance.pk)
        return not import_validation_errors and entry is not None and not entry.changes

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ) -> None:
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance: Result, is_create: bool, row, **kwargs) -> None:
        entry = self.entries[instance.pk]
        try:
            services.save_draft(
                result=instance,
                user=self.user,
                version=entry.version,
                status=entry.status,
                text=entry.text,
                note=entry.note,
                actuals=entry.actuals,
                reason=self.reason,
                comment=self.reason,
            )
        except services.StaleResultError as error:
            raise ValidationError(str(error)) from error
        except PermissionDenied as error:
            raise ValidationError(str(error) or "この実施結果は今は編集できません。") from error

    def save_m2m(self, instance, row, **kwargs) -> None:
        return None
