"""What the rows of one results file refer to, loaded before any row is read and in a fixed
number of queries however many rows the file has: the fiscal years, the results named by
the file's 取組No. and 年度 with their initiatives, departments, indicators and actual
values, which of them the user may edit now, and the user's departments. Finds a row's
result (refusing a missing, repeated or unknown 取組No. or 年度) without asking the
database again. Reads the database, never writes it."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from initiatives.models import FiscalYear, Indicator, Result
from initiatives.results.permissions import Action, restrict
from initiatives.roles import handled_results
from initiatives.sheets.io import cell_text, source_line
from initiatives.sheets.results_workbook.columns import COL_CODE, COL_YEAR


def _year_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _year_lookup() -> dict[str, FiscalYear]:
    """Every way a fiscal year is written (令和6年度, R6, 2024, 2024年度) → the year."""
    years = {}
    for fiscal_year in FiscalYear.objects.all():
        for key in (fiscal_year.label, fiscal_year.short_label, str(fiscal_year.year)):
            years[_year_key(key)] = fiscal_year
        years[f"{fiscal_year.year}年度"] = fiscal_year
    return years


class SheetLookup:
    """The results the rows of `dataset` name, and what checking them needs (see above)."""

    def __init__(self, *, user, dataset: tablib.Dataset) -> None:
        self.years = _year_lookup()
        # (fiscal year id, initiative id) the user's departments own that year, reorganisations
        # followed (initiatives.plan.organisation, through roles)
        self.handled = {
            (year_pk, initiative_id)
            for year_pks, initiative_ids in handled_results(user)
            for year_pk in year_pks
            for initiative_id in initiative_ids
        }
        self.lines_by_code: dict[str, list[int]] = defaultdict(list)
        wanted_years = set()
        for index, row in enumerate(dataset.dict):
            code = cell_text(row.get(COL_CODE))
            if code:
                self.lines_by_code[code].append(source_line(dataset, index))
            fiscal_year = self.years.get(_year_key(cell_text(row.get(COL_YEAR))))
            if fiscal_year is not None:
                wanted_years.add(fiscal_year.pk)
        results = (
            Result.objects.filter(
                initiative__code__in=list(self.lines_by_code), fiscal_year__in=wanted_years
            )
            .select_related("initiative", "fiscal_year", "updated_by")
            .prefetch_related(
                "initiative__owners__department",
                Prefetch(
                    "initiative__indicators", queryset=Indicator.objects.order_by("order", "pk")
                ),
                "actuals",
            )
        )
        self.results = {(r.initiative.code, r.fiscal_year_id): r for r in results}
        self.editable = set(
            restrict(
                Result.objects.filter(pk__in=[r.pk for r in self.results.values()]),
                user,
                Action.EDIT,
            ).values_list("pk", flat=True)
        )

    def result_of(self, *, code: str, year_text: str) -> Result:
        """The result a row names by its 取組No. and 年度; ValidationError saying why not."""
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
        fiscal_year = self.years.get(_year_key(year_text))
        if fiscal_year is None:
            raise ValidationError(
                f"{COL_YEAR}「{year_text or '（空）'}」が読み取れません。書き出したファイルの"
                f"「{COL_YEAR}」の列は変えないでください（例: 令和6年度）。"
            )
        result = self.results.get((code, fiscal_year.pk))
        if result is None:
            raise ValidationError(
                f"{COL_CODE}「{code}」の{fiscal_year.label}の実施結果はありません。"
                f"{COL_CODE}が正しいか確かめてください（書き出したファイルの番号を使います）。"
            )
        return result

    def check_owner(self, result: Result) -> None:
        """Refuse a result of an initiative none of the user's departments owns."""
        if (result.fiscal_year_id, result.initiative_id) not in self.handled:
            raise ValidationError(
                f"担当課ではない取組です（担当課: {result.initiative.department_names}）。"
                "自分の課の取組の行だけを取り込めます。"
            )

    def is_editable(self, result: Result) -> bool:
        return result.pk in self.editable

    @staticmethod
    def indicators(result: Result) -> list[Indicator]:
        """The result's indicators in the sheet's order (指標1, 指標2 …)."""
        return list(result.initiative.indicators.all())

    @staticmethod
    def actuals(result: Result) -> dict[int, Decimal | None]:
        """Indicator id → the result's working actual value, as stored now."""
        return {actual.indicator_id: actual.value for actual in result.actuals.all()}
