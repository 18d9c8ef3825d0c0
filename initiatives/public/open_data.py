"""Open data: the published data as CSV, JSON (the interchange format) and Excel.

Every value comes from the public selectors, so only published results are written. The
CSV and Excel files are written through `initiatives.sheets.cells` (formula-looking text
neutralised, numbers as numbers); the JSON is data for programs and keeps every text
exactly as published (json.dumps escapes it; nothing evaluates it).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from initiatives.models import Actual, Edition, FiscalYear, Initiative, Plan, Target, YearPlan
from initiatives.plan.export import export_plan_document
from initiatives.plan.selectors import continuity, fiscal_years_of
from initiatives.public.selectors import PublicFilter, public_initiatives
from initiatives.publication.selectors import publication_status
from initiatives.sheets import cells
from initiatives.vocabulary import (
    ACTUAL_HEADING,
    ADDED_IN_HEADING,
    CODE_HEADING,
    DEPARTMENTS_HEADING,
    DIRECTION_HEADING,
    MEASURE_HEADING,
    NAME_HEADING,
    NOTE_HEADING,
    NUMERIC_TARGET_HEADING,
    PLAN_TEXT_HEADING,
    POLICY_HEADING,
    RELATED_PLANS_HEADING,
    RESOURCE_LABELS,
    RESULT_TEXT_HEADING,
    STATUS_HEADING,
    SUMMARY_HEADING,
    TARGET_HEADING,
    TARGET_STATE_HEADING,
    Status,
    number_text,
    status_label,
    status_words,
)

LICENCE = "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"


@dataclass(frozen=True)
class Column:
    name: str
    description: str


BASE_COLUMNS = (
    Column(
        CODE_HEADING,
        "取組の番号。改訂で追加された取組は「R6-1」のように改訂の記号が付きます。",
    ),
    Column(f"{POLICY_HEADING}番号", "基本方針の番号（1〜3）。"),
    Column(POLICY_HEADING, "基本方針の名称。"),
    Column(f"{MEASURE_HEADING}番号", "方針の中での施策の番号。"),
    Column(MEASURE_HEADING, "施策の名称。"),
    Column(DIRECTION_HEADING, "取組の方向性（①、②…）と名称。"),
    Column(NAME_HEADING, "取組事項の名称（【数値目標】などの表示は含みません）。"),
    Column(NUMERIC_TARGET_HEADING, "数値目標のある取組は「あり」、ない取組は空欄。"),
    Column(
        ADDED_IN_HEADING,
        "改訂で追加された取組は改訂の記号（例: R6）。当初からの取組は空欄。",
    ),
    Column(DEPARTMENTS_HEADING, "担当課。複数のときは「、」で区切ります。"),
    Column(
        "確保する行政資源",
        f"取組が確保する行政資源（{'・'.join(RESOURCE_LABELS)}）。「、」区切り。",
    ),
    Column(RELATED_PLANS_HEADING, "関連する計画。複数のときは「、」で区切ります。"),
    Column(SUMMARY_HEADING, "取組の概要。"),
    Column(TARGET_STATE_HEADING, "取組のめざす姿。"),
    Column(
        "前期・次期プランとの関係",
        "前のプランから引き継いだ取組（例: 前期プランの No.15 を継続（2023-2026））と、"
        "次のプランに引き継がれた取組（継続・統合・分割）。括弧内はそのプランの識別名。"
        "複数のときは「；」区切り。",
    ),
)

YEAR_COLUMNS = (
    (PLAN_TEXT_HEADING, "その年度の実施計画。その年度にプランになかった取組は空欄。"),
    (STATUS_HEADING, f"公開された達成状況（{status_words()}）。未公開の年度は空欄。"),
    (RESULT_TEXT_HEADING, "公開された実施結果の文章。"),
    (NOTE_HEADING, f"{Status.UNDETERMINED.label}のとき、いつ確定するか。"),
    (
        f"{TARGET_HEADING}と{ACTUAL_HEADING}",
        "数値目標の指標ごとに「指標名: 目標値 / 実績値 単位」を「；」区切りで。"
        "実績値は公開されたものだけです。",
    ),
    (
        "公表状況",
        "その年度の実施結果がどこまで公表されているか（例:「124件中 40件を公表（集計中）」）。"
        "集計中の年度の件数や割合は、公表された分だけのものです。未公表の年度は空欄。",
    ),
)


def year_columns(fiscal_year: FiscalYear) -> list[Column]:
    return [
        Column(f"{fiscal_year.label} {name}", description) for name, description in YEAR_COLUMNS
    ]


def columns(*, plan: Plan) -> list[Column]:
    """Every column of the CSV and Excel files, in order, with what it holds."""
    result = list(BASE_COLUMNS)
    for fiscal_year in fiscal_years_of(plan):
        result.extend(year_columns(fiscal_year))
    return result


def rows(*, plan: Plan, filters: PublicFilter) -> list[list[str | int]]:
    """One row per initiative matching the filters, published data only."""
    fiscal_years = fiscal_years_of(plan)
    completeness = {c.year: c.label for c in publication_status(years=fiscal_years)}
    initiatives = public_initiatives(plan=plan, filters=filters)
    ids = [i.pk for i in initiatives]
    plans: dict[tuple[int, int], str] = {
        (initiative_id, year): text
        for initiative_id, year, text in YearPlan.objects.filter(initiative_id__in=ids).values_list(
            "initiative_id", "fiscal_year__year", "text"
        )
    }
    targets: dict[tuple[int, int], dict[int, Target]] = {}
    for target in Target.objects.filter(indicator__initiative_id__in=ids).select_related(
        "fiscal_year"
    ):
        targets.setdefault((target.indicator_id, target.fiscal_year.year), target)
    indicators = {
        i.pk: list(i.indicators.all())
        for i in Initiative.objects.filter(pk__in=ids).prefetch_related("indicators")
    }
    actual_values = {
        (indicator_id, year): value
        for indicator_id, year, value in Actual.objects.filter(
            result__initiative_id__in=ids, result__published_at__isnull=False
        ).values_list("indicator_id", "result__fiscal_year__year", "published_value")
    }
    chains = continuity(initiatives=initiatives)
    out = []
    for initiative in initiatives:
        direction = initiative.direction
        measure = direction.measure
        row = [
            initiative.code,
            measure.policy.number,
            measure.policy.title,
            measure.number,
            measure.title,
            f"{direction.marker} {direction.title}",
            initiative.name,
            "あり" if initiative.numeric_target else "",
            initiative.added_in.code if initiative.added_in else "",
            "、".join(o.department.name for o in initiative.owners.all()),
            "、".join(initiative.resources),
            "、".join(initiative.related_plans),
            initiative.summary,
            initiative.target_state,
            "；".join(f"{line.text}（{line.plan.slug}）" for line in chains.get(initiative.pk, [])),
        ]
        results = {r.fiscal_year.year: r for r in initiative.results.all()}
        for fiscal_year in fiscal_years:
            result = results.get(fiscal_year.year)
            values = []
            for indicator in indicators.get(initiative.pk, []):
                target = targets.get((indicator.pk, fiscal_year.year))
                actual = actual_values.get((indicator.pk, fiscal_year.year))
                if target is None and actual is None:
                    continue
                values.append(
                    f"{indicator.name}: {number_text(target.value if target else None) or '-'}"
                    f" / {number_text(actual) or '-'} {indicator.unit}".rstrip()
                )
            row.extend(
                [
                    plans.get((initiative.pk, fiscal_year.year), ""),
                    status_label(result.published_status) if result else "",
                    result.published_text if result else "",
                    result.published_note if result else "",
                    "；".join(values),
                    completeness.get(fiscal_year.year, ""),
                ]
            )
        out.append(row)
    return out


def publication(*, plan: Plan) -> list[dict]:
    """Each published year's completeness and edition, as the JSON's "publication" field and
    the Excel file's 「公表状況」 sheet carry it (the CSV keeps one header row of names)."""
    out = []
    for counts in publication_status(years=fiscal_years_of(plan)):
        edition = counts.edition
        out.append(
            {
                "fiscal_year": counts.year,
                "label": counts.label,
                "published": counts.published,
                "total": counts.total,
                "partial": counts.partial,
                "edition": edition.number if edition else None,
                "published_at": counts.published_at.isoformat() if edition else None,
                "corrected_at": counts.corrected_at.isoformat() if counts.corrected_at else None,
            }
        )
    return out


def csv_bytes(*, plan: Plan, filters: PublicFilter) -> bytes:
    """UTF-8 with a BOM, so Excel in Japan opens it with the right characters."""
    header = [c.name for c in columns(plan=plan)]
    return cells.csv_text([header, *rows(plan=plan, filters=filters)]).encode("utf-8-sig")


def xlsx_bytes(*, plan: Plan, filters: PublicFilter) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "取組事項一覧"
    cells.append(sheet, [c.name for c in columns(plan=plan)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(plan=plan, filters=filters):
        cells.append(sheet, row)
    sheet.freeze_panes = "B2"
    about = workbook.create_sheet("列の説明")
    cells.append(about, ["列", "内容"])
    for column in columns(plan=plan):
        cells.append(about, [column.name, column.description])
    cells.append(about, [])
    cells.append(about, ["ライセンス", f"{LICENCE} {LICENCE_URL}"])
    status = workbook.create_sheet("公表状況")
    cells.append(status, ["年度", "公表状況", "公表件数", "全件数", "版", "公表日", "訂正日"])
    years = publication(plan=plan)
    for year in years:
        cells.append(
            status,
            [
                year["fiscal_year"],
                year["label"],
                year["published"],
                year["total"],
                year["edition"],
                year["published_at"],
                year["corrected_at"],
            ],
        )
    return cells.workbook_bytes(workbook, as_of=_published_as_of(plan))


def _published_as_of(plan: Plan) -> datetime.datetime:
    """The time of the plan's latest edition: the file's date (its data changed then)."""
    latest = (
        Edition.objects.filter(fiscal_year__year__range=(plan.start_year, plan.end_year))
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return latest or datetime.datetime(plan.start_year, 4, 1, tzinfo=datetime.UTC)


def json_bytes(*, plan: Plan, filters: PublicFilter) -> bytes:
    """The interchange document with published results only, limited to the filtered rows."""
    document = export_plan_document(plan=plan, published_only=True)
    if not filters.is_empty:
        shown = {i.code for i in public_initiatives(plan=plan, filters=filters)}
        for policy in document["policies"]:
            for measure in policy["measures"]:
                for direction in measure["directions"]:
                    direction["initiatives"] = [
                        i for i in direction["initiatives"] if i["code"] in shown
                    ]
                    direction["relisted"] = [r for r in direction["relisted"] if r["code"] in shown]
    document["publication"] = publication(plan=plan)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
