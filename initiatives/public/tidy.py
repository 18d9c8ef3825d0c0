"""Tidy open-data tables: one row per initiative and year, one per indicator and year.

Beside the wide table (one row per initiative, for people), these follow 総務省「機械判読可能な
データの表記方法の統一ルール」: one table per file, one header row, one value per cell, numbers
as numbers with their unit in its own column, dates as ISO dates, the Western year beside the
era. Every value comes from the public selectors, so only published results are written.
The columns, their types and constraints are declared once, in `FIELDS`; the Table Schemas
of `datapackage.json` (initiatives.public.datapackage) are made from the same declarations.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from initiatives.models import Actual, Indicator, Plan, Target, YearPlan
from initiatives.plan.selectors import fiscal_years_of
from initiatives.public.selectors import PublicFilter, public_initiatives
from initiatives.publication.selectors import publication_status
from initiatives.results.checks import target_met
from initiatives.results.decisions import decision_month_of
from initiatives.sheets import cells
from initiatives.vocabulary import (
    STATUS_ORDER,
    Comparison,
    era_label,
    status_label,
)

# 全国地方公共団体コード (総務省, with its check digit) and the name it stands for.
LOCAL_GOVERNMENT_CODE = "172014"
LOCAL_GOVERNMENT_NAME = "金沢市"


@dataclass(frozen=True)
class Field:
    """One column of a tidy table: its header, Table Schema type and what it holds."""

    name: str
    type: str
    description: str
    constraints: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _common() -> tuple[Field, ...]:
    return (
        Field(
            "全国地方公共団体コード",
            "string",
            "総務省の全国地方公共団体コード（検査数字付き6桁）。",
            {"required": True, "pattern": "[0-9]{6}"},
        ),
        Field("地方公共団体名", "string", "地方公共団体の名称。", {"required": True}),
    )


def _year_fields() -> tuple[Field, ...]:
    return (
        Field(
            "年度",
            "integer",
            "西暦の年度（4月始まり）。例: 2023 は令和5年度。",
            {"required": True, "minimum": 2019},
        ),
        Field("年度（和暦）", "string", "和暦の年度。例: 令和5年度。", {"required": True}),
    )


STATUS_CODES = [str(s.value) for s in STATUS_ORDER]
STATUS_LABELS = [status_label(s) for s in STATUS_ORDER]

INITIATIVE_YEAR_FIELDS = (
    *_common(),
    Field(
        "取組ID",
        "string",
        "プランと取組No.を「:」でつないだ、版やプランをまたいで変わらない識別子"
        "（例: 2023-2026:12）。",
        {"required": True},
    ),
    Field("プランID", "string", "プランの識別子（推進期間。例: 2023-2026）。", {"required": True}),
    Field("取組No.", "string", "プランの中での取組の番号。", {"required": True}),
    Field("取組事項名", "string", "取組事項の名称。", {"required": True}),
    *_year_fields(),
    Field("実施計画", "string", "その年度の実施計画。"),
    Field(
        "達成状況コード",
        "string",
        "公表された達成状況のコード（achieved＝達成、not_achieved＝未達成、"
        "undetermined＝未確定）。未公表は空欄。",
        {"enum": STATUS_CODES},
    ),
    Field("達成状況", "string", "公表された達成状況。未公表は空欄。", {"enum": STATUS_LABELS}),
    Field("実施結果", "string", "公表された実施結果の文章。"),
    Field("確定時期", "string", "未確定のとき、いつ確定するか（公表された文のまま）。"),
    Field(
        "確定時期（年月）",
        "yearmonth",
        "確定時期の年月（ISO 8601、例: 2025-09）。読み取れないときは空欄。",
    ),
    Field("公表日", "date", "この実施結果を公表した日（ISO 8601）。未公表は空欄。"),
    Field(
        "年度の公表状況",
        "string",
        "その年度の実施結果がどこまで公表されているか（例:「124件中 40件を公表（集計中）」）。"
        "集計中の年度の件数や割合は、公表された分だけのものです。",
    ),
    Field("担当課コード", "string", "担当課のコード。複数のときは「;」で区切ります。"),
    Field("担当課", "string", "担当課の名称。複数のときは「;」で区切ります。"),
)

INDICATOR_YEAR_FIELDS = (
    *_common(),
    Field(
        "指標ID",
        "string",
        "取組IDと指標の順番を「:」でつないだ識別子（例: 2023-2026:12:1）。",
        {"required": True},
    ),
    Field("取組ID", "string", "取組年度表（initiative_years）の取組ID。", {"required": True}),
    Field("取組No.", "string", "プランの中での取組の番号。", {"required": True}),
    *_year_fields(),
    Field("指標名", "string", "数値目標の指標の名称。", {"required": True}),
    Field("単位", "string", "目標値と実績値の単位（例: 件、%、千円）。"),
    Field(
        "目標の種類",
        "string",
        "実績値を目標値とどう比べるか（at_least＝以上、at_most＝以下、less_than＝未満、"
        "equal＝同値、benchmark＝基準との比較）。",
        {"required": True, "enum": [str(c.value) for c in Comparison]},
    ),
    Field("比較の基準", "string", "「基準との比較」のときの基準（例: 中核市平均以下）。"),
    Field("目標値", "number", "その年度の目標値（数値）。単位は「単位」列。"),
    Field("実績値", "number", "公表された実績値（数値）。未公表は空欄。"),
    Field(
        "達成",
        "boolean",
        "実績値が目標値を満たすか（TRUE／FALSE）。目標値か実績値がない、または基準との"
        "比較のときは空欄。",
    ),
)


@dataclass(frozen=True)
class Table:
    """A tidy table: its resource name, title, fields, primary key and foreign keys."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...] = ()


INITIATIVE_YEARS = Table(
    name="initiative_years",
    title="取組の年度別の実施計画と実施結果",
    description="1行が1つの取組の1つの年度です。公表された実施結果だけを含みます。",
    fields=INITIATIVE_YEAR_FIELDS,
    primary_key=("取組ID", "年度"),
)
INDICATOR_YEARS = Table(
    name="indicator_years",
    title="数値目標の年度別の目標値と実績値",
    description="1行が1つの指標の1つの年度です。実績値は公表されたものだけです。",
    fields=INDICATOR_YEAR_FIELDS,
    primary_key=("指標ID", "年度"),
    foreign_keys=(
        {
            "fields": ["取組ID", "年度"],
            "reference": {"resource": "initiative_years", "fields": ["取組ID", "年度"]},
        },
    ),
)
TABLES = {t.name: t for t in (INITIATIVE_YEARS, INDICATOR_YEARS)}


def plan_id(plan: Plan) -> str:
    """The plan's stable identifier in open data: its slug."""
    return plan.slug


def _date(value) -> str:
    return timezone.localdate(value).isoformat() if value else ""


Value = str | int | Decimal | bool | None


@dataclass
class TidyData:
    """Both tables of one plan, as lists of rows (values in the order of the fields)."""

    initiative_years: list[list[Value]]
    indicator_years: list[list[Value]]

    def rows(self, table: str) -> list[list[Value]]:
        return getattr(self, table)


def tidy_data(*, plan: Plan, filters: PublicFilter | None = None) -> TidyData:
    """The rows of both tables for the initiatives matching the filters; fixed queries."""
    filters = filters or PublicFilter()
    slug = plan_id(plan)
    fiscal_years = fiscal_years_of(plan)
    completeness = {c.year: c.label for c in publication_status(years=fiscal_years)}
    initiatives = public_initiatives(plan=plan, filters=filters)
    ids = [i.pk for i in initiatives]
    plans = {
        (initiative_id, year): text
        for initiative_id, year, text in YearPlan.objects.filter(initiative_id__in=ids).values_list(
            "initiative_id", "fiscal_year__year", "text"
        )
    }
    targets: dict[tuple[int, int], Decimal | None] = {
        (indicator_id, year): value
        for indicator_id, year, value in Target.objects.filter(
            indicator__initiative_id__in=ids
        ).values_list("indicator_id", "fiscal_year__year", "value")
    }
    actuals: dict[tuple[int, int], Decimal | None] = {
        (indicator_id, year): value
        for indicator_id, year, value in Actual.objects.filter(
            result__initiative_id__in=ids, result__published_at__isnull=False
        ).values_list("indicator_id", "result__fiscal_year__year", "published_value")
    }
    indicators = defaultdict(list)
    for indicator in Indicator.objects.filter(initiative_id__in=ids).order_by(
        "initiative_id", "order", "pk"
    ):
        indicators[indicator.initiative_id].append(indicator)

    common = [LOCAL_GOVERNMENT_CODE, LOCAL_GOVERNMENT_NAME]
    initiative_rows: list[list[Value]] = []
    indicator_rows: list[list[Value]] = []
    for initiative in initiatives:
        key = f"{slug}:{initiative.code}"
        results = {r.fiscal_year.year: r for r in initiative.results.all()}
        departments = [o.department for o in initiative.owners.all()]
        for fiscal_year in fiscal_years:
            year = fiscal_year.year
            result = results.get(year)
            figures = []
            for position, indicator in enumerate(indicators[initiative.pk], start=1):
                target = targets.get((indicator.pk, year))
                actual = actuals.get((indicator.pk, year))
                if (indicator.pk, year) not in targets and actual is None:
                    continue
                met = (
                    target_met(comparison=indicator.comparison, target=target, actual=actual)
                    if target is not None and actual is not None
                    else None
                )
                figures.append(
                    [
                        *common,
                        f"{key}:{position}",
                        key,
                        initiative.code,
                        year,
                        era_label(year),
                        indicator.name,
                        indicator.unit,
                        indicator.comparison,
                        indicator.benchmark,
                        target,
                        actual,
                        met,
                    ]
                )
            if (initiative.pk, year) not in plans and result is None and not figures:
                continue
            decided = decision_month_of(result.published_note) if result else None
            initiative_rows.append(
                [
                    *common,
                    key,
                    slug,
                    initiative.code,
                    initiative.name,
                    year,
                    era_label(year),
                    plans.get((initiative.pk, year), ""),
                    result.published_status if result else "",
                    status_label(result.published_status) if result else "",
                    result.published_text if result else "",
                    result.published_note if result else "",
                    decided.strftime("%Y-%m") if decided else "",
                    _date(result.published_at) if result else "",
                    completeness.get(year, ""),
                    ";".join(d.public_code for d in departments),
                    ";".join(d.name for d in departments),
                ]
            )
            indicator_rows.extend(figures)
    return TidyData(initiative_years=initiative_rows, indicator_years=indicator_rows)


def csv_bytes(*, table: str, data: TidyData) -> bytes:
    """UTF-8 (no BOM, as validators and programs expect), one header row, CRLF line ends."""
    header = [f.name for f in TABLES[table].fields]
    return cells.csv_text([header, *data.rows(table)]).encode("utf-8")


def records(*, table: str, data: TidyData) -> list[dict]:
    """The table as objects keyed by the column names: numbers as numbers, empty as null."""
    fields = TABLES[table].fields
    out = []
    for row in data.rows(table):
        record = {}
        for column, value in zip(fields, row, strict=True):
            if value == "" and column.type != "string":
                value = None
            elif isinstance(value, Decimal):
                # Integral values as integers; others as the nearest double (≤ 4 decimals).
                value = int(value) if value == value.to_integral_value() else float(value)
            record[column.name] = value
        out.append(record)
    return out


def json_bytes(*, table: str, data: TidyData) -> bytes:
    """The table as a JSON array of objects (see `records`)."""
    return json.dumps(records(table=table, data=data), ensure_ascii=False, indent=1).encode()


def csv_text_check(content: bytes) -> list[list[str]]:
    """The rows of a tidy CSV, as a program reads them (tests, the benchmark)."""
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))
