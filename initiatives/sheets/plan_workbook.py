"""HQ's plan spreadsheet: the plan's structure as an .xlsx workbook, and a revision read back.

Export (推進本部 and system administrators) writes one workbook:

- 「説明」: how to fill it in (GUIDE below);
- 「取組」: one row per initiative, keyed by 取組No.: name, 取組の方向性, 担当課, flags,
  概要, めざす姿, 関連計画 and one 実施計画 column per fiscal year of the plan period;
- 「指標」: one row per indicator (数値目標), keyed by 取組No. + 指標名, with one 目標値
  column per fiscal year;
- 「方向性一覧」「担当課一覧」: the values the 取組 sheet may refer to (not read back).

Import (system administrators only) reads the 取組 and 指標 sheets (a CSV holds the 取組
sheet only), compares every row with the database and reports each row's change
(old → new), new rows (新規) and each row's problems without writing anything
(`preview_plan_import`). `apply_plan_import` then writes all rows in one transaction or
none, records the revision (PlanRevision) and logs who imported which file, when, in the
admin history (LogEntry) of the revision and of every initiative it changed.

Never written: results (実施結果) and anything else outside the plan's structure. Never
deleted: initiatives, indicators or yearly plans missing from the file stay as they are.

Columns are described by django-import-export Resources (fields + widgets): the same
widget renders a value on export and reads it back on import.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from import_export import fields, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from initiatives.models import (
    Department,
    Direction,
    FiscalYear,
    Indicator,
    Initiative,
    InitiativeDepartment,
    Plan,
    PlanRevision,
    Target,
    YearPlan,
)
from initiatives.plan.selectors import get_plan
from initiatives.results import services
from initiatives.results.permissions import Action, check
from initiatives.results.selectors import open_periods
from initiatives.sheets.io import (
    MAX_UPLOAD_LABEL,
    SpreadsheetError,
    cell_text,
    neutralise,
    normalise_header,
    parse_number_cell,
    read_content,
    read_upload_bytes,
    require_columns,
    source_line,
    wrapped_lines,
)
from initiatives.vocabulary import era_label, era_short, number_text

INITIATIVE_SHEET = "取組"
INDICATOR_SHEET = "指標"
DIRECTION_SHEET = "方向性一覧"
DEPARTMENT_SHEET = "担当課一覧"
GUIDE_SHEET = "説明"

CODE = "取組No."
NAME = "取組事項名"
DIRECTION = "取組の方向性"
DEPARTMENTS = "担当課"
NUMERIC_TARGET = "数値目標"
ADDED_IN = "追加した改訂（参考）"
SUMMARY = "概要"
TARGET_STATE = "めざす姿"
RELATED_PLANS = "関連計画"
RESOURCES = (
    ("secures_people", "ヒト"),
    ("secures_money", "カネ"),
    ("secures_things", "モノ"),
    ("secures_information", "情報"),
)
NAME_REFERENCE = "取組事項名（参考）"
INDICATOR_NAME = "指標名"
UNIT = "単位"
COMPARISON = "目標の種類"
BENCHMARK = "比較の基準"
PLAN_PREFIX = "実施計画"
TARGET_PREFIX = "目標値"

MARK = "○"
_TRUE_MARKS = {"○", "〇", "◯", "●", "◎", "✓", "✔", "1", "true", "yes", "はい", "有", "あり"}
_FALSE_MARKS = {"", "×", "✕", "0", "false", "no", "いいえ", "無", "なし", "-", "ー", "―", "—"}
_SPLIT_DEPARTMENTS = re.compile(r"[、,，;；\n]+")
_CODE_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
_DIRECTION_CODE = re.compile(r"^(\d+)-(\d+)-(\d+)(?:\s+(.*))?$", re.DOTALL)
_YEAR_COLUMN = re.compile(r"^(実施計画|目標値)\s*(令和|平成)(元|\d+)年度$")

GUIDE = [
    "金沢市行政経営プラン　プランの構成（取組・指標・実施計画）の一覧",
    "",
    "このブックの使い方",
    "・推進本部が改訂（例: 令和7年4月改訂）を準備するときに使います。書き出したブックを"
    "編集し、管理画面の「取組」→「Excelから取り込む（改訂）」で読み込みます。",
    "・読み込むと、まず変更の一覧（プレビュー）が表示されます。取組ごとに、変わる項目の"
    "「変更前 → 変更後」、新しく追加される取組（新規）、問題のある行とその理由が出ます。"
    "この時点ではまだ何も変わりません。",
    "・「この内容で取り込む」を押すと、すべての行をまとめて反映します。1行でも問題が"
    "あるときは何も反映しません（直してから読み込み直してください）。",
    "・取り込みは改訂として記録されます（取り込み画面で改訂の表示名と年月を入れます）。"
    "誰が、いつ、どのファイルから取り込んだかは、改訂と各取組の「履歴」に残ります。",
    "",
    "シート",
    f"・「{INITIATIVE_SHEET}」: 1行が1つの取組です。「{CODE}」で取組を見分けます。",
    f"・「{INDICATOR_SHEET}」: 1行が1つの指標（数値目標）です。「{CODE}」と「{INDICATOR_NAME}」"
    "で指標を見分けます。",
    f"・「{DIRECTION_SHEET}」「{DEPARTMENT_SHEET}」: 取組シートに書ける値の一覧です"
    "（読み込みません）。",
    f"・「{GUIDE_SHEET}」: このシートです（読み込みません）。",
    "・シートの名前と1行目の見出しは変えないでください。列を増やしたり消したりしないで"
    "ください。行の並べ替えはかまいません。",
    "",
    "取組シートの書き方",
    f"・{CODE}: 既にある番号なら、その取組を書き換えます。新しい番号（例: R7-1）なら"
    "新しい取組を追加します（【改訂コード新規】として、取り込み時に指定した改訂に"
    "ひも付きます）。半角英数字とハイフンで書きます。同じ番号を2行に書くことはできません。",
    f"・{NAME}、{DIRECTION}、{DEPARTMENTS}は必ず入力します。",
    f"・{DIRECTION}: 「{DIRECTION_SHEET}」シートの値（例: 1-1-1 デジタル技術を活用した"
    "働く環境の充実）をそのまま選びます。先頭のコード（方針-施策-方向性）だけでも"
    "読み込めます。",
    f"・{DEPARTMENTS}: 「{DEPARTMENT_SHEET}」シートの名前を「、」で区切って書きます"
    "（書いた順に表示されます）。新しい担当課は、先に管理画面の「担当課」で登録してください"
    "（このブックからは作れません）。",
    f"・{NUMERIC_TARGET}、ヒト、カネ、モノ、情報: 該当するときは「{MARK}」、しないときは空欄です。",
    f"・{RELATED_PLANS}: 1つのセルに、1行に1つずつ書きます（セル内の改行は Alt+Enter）。",
    f"・{PLAN_PREFIX}（年度ごとの列）: その年度の実施計画です。空欄の年度は、その取組が"
    "まだプランにない年度です（【R6新規】の令和5年度など）。既にある実施計画を空欄に"
    "することはできません。推進期間の外の年度の列は作れません。",
    f"・{ADDED_IN}: 参考です。書き換えても読み込みません。",
    "・新しい取組は、同じ取組の方向性の中で、シートで直前にある取組の次に並びます。"
    "既にある取組の並び順は変わりません。",
    "",
    "指標シートの書き方",
    f"・{CODE}は、取組シートかプランにある番号です。{NAME_REFERENCE}は参考です（読み込みません）。",
    f"・{COMPARISON}: 以上・以下・未満・同値・基準との比較 のいずれかです。"
    f"「基準との比較」のときは{BENCHMARK}（例: 中核市平均以下）を書きます。",
    f"・{TARGET_PREFIX}（年度ごとの列）: 数値で書きます（1,234 や 98.3% も読めます）。"
    "目標値がない年度は空欄です。実施計画のない年度には書けません。",
    "・指標名を変えると、新しい指標として追加されます（名前の変更や指標の削除は管理画面で"
    "行います）。",
    "",
    "できないこと",
    "・取組・指標・実施計画の削除: シートにない取組や指標は、変更せずにそのまま残します。",
    "・実施結果（達成状況・実績値など）の変更: このブックには含まれず、取り込んでも変わりません。",
    "・【再掲】の設定、方針・施策・取組の方向性そのものの変更: 管理画面で行います。",
    "",
    "ファイルの形式",
    "・Excel ブック（.xlsx）で保存して読み込みます。CSV（UTF-8 または Shift_JIS）も"
    "読めますが、CSV に入るのは取組シートだけです（指標は変わりません）。",
    f"・ファイルの大きさは {MAX_UPLOAD_LABEL} までです。",
    "・「=」「+」「-」「@」で始まる文字は、式として動かないよう先頭に「'」を付けて"
    "書き出しています。読み込むときに、その「'」は取り除かれます。",
]


def direction_code(direction: Direction) -> str:
    """方針-施策-方向性, e.g. 1-1-1 for 方針1 (1) ①."""
    return f"{direction.measure.policy.number}-{direction.measure.number}-{direction.number}"


def direction_label(direction: Direction) -> str:
    return f"{direction_code(direction)} {direction.title}"


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.start_year, plan.end_year + 1))


def _plan_column(year: int) -> str:
    return f"{PLAN_PREFIX} {era_label(year)}"


def _target_column(year: int) -> str:
    return f"{TARGET_PREFIX} {era_label(year)}"


def _code(raw) -> str:
    return unicodedata.normalize("NFKC", cell_text(raw)).strip().upper()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# --- widgets: one value, rendered for the sheet and read back ----------------------------


class TextWidget(widgets.Widget):
    """Text as typed; the export's safety apostrophe removed, line breaks as \\n."""

    def __init__(self, *, required: bool = False, max_length: int | None = None) -> None:
        super().__init__()
        self.required = required
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value)
        if self.required and not text:
            raise ValidationError("入力してください（必須です）。")
        if self.max_length and len(text) > self.max_length:
            raise ValidationError(f"{self.max_length}文字以内にしてください（{len(text)}文字）。")
        return text

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class CodeWidget(TextWidget):
    def __init__(self) -> None:
        super().__init__(required=True, max_length=Initiative._meta.get_field("code").max_length)

    def clean(self, value, row=None, **kwargs) -> str:
        code = _code(super().clean(value, row, **kwargs))
        if not _CODE_PATTERN.match(code):
            raise ValidationError(
                f"取組No.は半角英数字とハイフンで書いてください（例: 91、R7-1。入力値: {code}）。"
            )
        return code


class FlagWidget(widgets.Widget):
    """○ or empty."""

    def clean(self, value, row=None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        text = _nfkc(cell_text(value)).lower()
        if text in {m.lower() for m in _TRUE_MARKS}:
            return True
        if text in _FALSE_MARKS:
            return False
        raise ValidationError(f"「{MARK}」か空欄にしてください（入力値: {cell_text(value)}）。")

    def render(self, value, obj=None, **kwargs) -> str:
        return MARK if value else ""


class LinesWidget(widgets.Widget):
    """A list of strings, one per line of the cell."""

    def clean(self, value, row=None, **kwargs) -> list[str]:
        return [line.strip() for line in cell_text(value).split("\n") if line.strip()]

    def render(self, value, obj=None, **kwargs) -> str:
        return "\n".join(value or [])


class DirectionWidget(widgets.Widget):
    """取組の方向性 by its code (1-1-1), with or without its title, or by its title alone."""

    def __init__(self, directions: list[Direction]) -> None:
        super().__init__()
        self.by_code = {direction_code(d): d for d in directions}
        self.by_title = {_nfkc(d.title): d for d in directions}

    def clean(self, value, row=None, **kwargs) -> Direction:
        text = _nfkc(cell_text(value))
        if not text:
            raise ValidationError(
                f"入力してください（必須です）。「{DIRECTION_SHEET}」シートの値を選びます。"
            )
        match = _DIRECTION_CODE.match(text)
        if match:
            code = "-".join(match.group(i) for i in (1, 2, 3))
            direction = self.by_code.get(code)
            if direction is None:
                raise ValidationError(
                    f"「{cell_text(value)}」はプランにない方向性です。"
                    f"「{DIRECTION_SHEET}」シートの値を選んでください。"
                )
            title = (match.group(4) or "").strip()
            if title and title != _nfkc(direction.title):
                raise ValidationError(
                    f"コード {code} と名称が合いません（{code} は「{direction.title}」です）。"
                )
            return direction
        direction = self.by_title.get(text)
        if direction is None:
            raise ValidationError(
                f"「{cell_text(value)}」はプランにない方向性です。"
                f"「{DIRECTION_SHEET}」シートの値（例: 1-1-1 …）を選んでください。"
            )
        return direction

    def render(self, value, obj=None, **kwargs) -> str:
        return direction_label(value) if value else ""


class DepartmentsWidget(widgets.Widget):
    """担当課: existing departments by name, separated by 「、」, in the order written."""

    def __init__(self, departments: list[Department]) -> None:
        super().__init__()
        self.by_name = {_nfkc(d.name): d for d in departments}

    def clean(self, value, row=None, **kwargs) -> list[Department]:
        names = [n.strip() for n in _SPLIT_DEPARTMENTS.split(cell_text(value)) if n.strip()]
        if not names:
            raise ValidationError("担当課を1つ以上入力してください（必須です）。")
        unknown = [n for n in names if _nfkc(n) not in self.by_name]
        if unknown:
            raise ValidationError(
                "登録されていない担当課です: "
                + "、".join(f"「{n}」" for n in unknown)
                + f"。「{DEPARTMENT_SHEET}」シートの名前で書いてください"
                "（新しい担当課は、先に管理画面の「担当課」で登録します）。"
            )
        chosen = [self.by_name[_nfkc(n)] for n in names]
        if len({d.pk for d in chosen}) != len(chosen):
            raise ValidationError("同じ担当課が2回書かれています。")
        return chosen

    def render(self, value, obj=None, **kwargs) -> str:
        return "、".join(d.name for d in value or [])


class ComparisonWidget(widgets.Widget):
    LABELS = {str(label): value for value, label in Indicator.Comparison.choices}

    def clean(self, value, row=None, **kwargs) -> str:
        text = _nfkc(cell_text(value))
        if text in self.LABELS:
            return self.LABELS[text]
        if text in self.LABELS.values():
            return text
        raise ValidationError(
            f"{'・'.join(self.LABELS)} のいずれかにしてください（入力値: {cell_text(value)}）。"
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return str(Indicator.Comparison(value).label) if value else ""


class NumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        return parse_number_cell(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return number_text(value) or ""


# --- resources: the columns of each sheet ------------------------------------------------


class InitiativeResource(resources.Resource):
    """The 取組 sheet. Instances are Initiatives fetched by `_initiatives`."""

    def __init__(self, *, plan: Plan, directions: list[Direction], departments: list[Department]):
        super().__init__()
        self.years = plan_years(plan)
        get = Initiative._meta.get_field
        spec = [
            ("code", fields.Field("code", CODE, CodeWidget())),
            (
                "name",
                fields.Field(
                    "name",
                    NAME,
                    TextWidget(required=True, max_length=get("name").max_length),
                ),
            ),
            ("direction", fields.Field("direction", DIRECTION, DirectionWidget(directions))),
            (
                "departments",
                fields.Field(None, DEPARTMENTS, DepartmentsWidget(departments)),
            ),
            ("numeric_target", fields.Field("numeric_target", NUMERIC_TARGET, FlagWidget())),
            ("added_in", fields.Field(None, ADDED_IN, TextWidget(), readonly=True)),
            ("summary", fields.Field("summary", SUMMARY, TextWidget())),
            ("target_state", fields.Field("target_state", TARGET_STATE, TextWidget())),
            ("related_plans", fields.Field("related_plans", RELATED_PLANS, LinesWidget())),
        ]
        spec += [(name, fields.Field(name, label, FlagWidget())) for name, label in RESOURCES]
        spec += [
            (f"plan_{year}", fields.Field(None, _plan_column(year), TextWidget()))
            for year in self.years
        ]
        for name, field_ in spec:
            self.fields[name] = field_

    def dehydrate_departments(self, initiative: Initiative) -> str:
        return self.fields["departments"].widget.render(
            [o.department for o in initiative.owners.all()]
        )

    def dehydrate_added_in(self, initiative: Initiative) -> str:
        return initiative.added_in.code if initiative.added_in_id else ""

    def export_field(self, field_, instance, **kwargs):
        name = self.get_field_name(field_)
        if name.startswith("plan_"):
            year = int(name.removeprefix("plan_"))
            return next(
                (p.text for p in instance.year_plans.all() if p.fiscal_year.year == year), ""
            )
        return super().export_field(field_, instance, **kwargs)

    @property
    def reference_columns(self) -> list[str]:
        return [ADDED_IN]


class IndicatorResource(resources.Resource):
    """The 指標 sheet. Instances are Indicators with their initiative and targets."""

    def __init__(self, *, plan: Plan):
        super().__init__()
        self.years = plan_years(plan)
        get = Indicator._meta.get_field
        spec = [
            ("code", fields.Field("initiative__code", CODE, CodeWidget())),
            ("initiative_name", fields.Field("initiative__name", NAME_REFERENCE, readonly=True)),
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
        ]
        spec += [
            (f"target_{year}", fields.Field(None, _target_column(year), NumberWidget()))
            for year in self.years
        ]
        for name, field_ in spec:
            self.fields[name] = field_

    def export_field(self, field_, instance, **kwargs):
        name = self.get_field_name(field_)
        if name.startswith("target_"):
            year = int(name.removeprefix("target_"))
            value = next(
                (t.value for t in instance.targets.all() if t.fiscal_year.year == year), None
            )
            return field_.widget.render(value)
        return super().export_field(field_, instance, **kwargs)

    @property
    def reference_columns(self) -> list[str]:
        return [NAME_REFERENCE]


def _directions(plan: Plan) -> list[Direction]:
    return list(
        Direction.objects.filter(measure__policy__plan=plan)
        .select_related("measure__policy")
        .order_by("measure__policy__number", "measure__number", "number")
    )


def _initiatives(plan: Plan):
    return (
        Initiative.objects.filter(plan=plan)
        .select_related("direction__measure__policy", "added_in")
        .prefetch_related(
            Prefetch(
                "owners",
                queryset=InitiativeDepartment.objects.select_related("department").order_by(
                    "order", "pk"
                ),
            ),
            Prefetch("year_plans", queryset=YearPlan.objects.select_related("fiscal_year")),
        )
        .order_by("order")
    )


def _indicators(plan: Plan):
    return (
        Indicator.objects.filter(initiative__plan=plan)
        .select_related("initiative")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("fiscal_year"))
        )
        .order_by("initiative__order", "order", "pk")
    )


def _resources(plan: Plan) -> tuple[InitiativeResource, IndicatorResource]:
    return (
        InitiativeResource(
            plan=plan, directions=_directions(plan), departments=list(Department.objects.all())
        ),
        IndicatorResource(plan=plan),
    )


# --- export ----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_REFERENCE_FILL = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TEXT = "@"
_EXTRA_ROWS = 200  # formatted empty rows below the data, for new initiatives

INITIATIVE_WIDTHS = {
    CODE: 9,
    NAME: 38,
    DIRECTION: 34,
    DEPARTMENTS: 18,
    NUMERIC_TARGET: 9,
    ADDED_IN: 11,
    SUMMARY: 50,
    TARGET_STATE: 40,
    RELATED_PLANS: 30,
    PLAN_PREFIX: 36,
}
INDICATOR_WIDTHS = {
    CODE: 9,
    NAME_REFERENCE: 36,
    INDICATOR_NAME: 30,
    UNIT: 8,
    COMPARISON: 14,
    BENCHMARK: 20,
    TARGET_PREFIX: 13,
}


def _width(header: str, widths: dict[str, int]) -> int:
    for prefix, width in widths.items():
        if header == prefix or header.startswith(prefix + " "):
            return width
    return 8


def _write_table(
    sheet,
    dataset: tablib.Dataset,
    widths: dict[str, int],
    reference: list[str],
) -> None:
    headers = list(dataset.headers)
    sheet.append(headers)
    for row in dataset:
        sheet.append([neutralise("" if v is None else str(v)) or None for v in row])
    column_widths = []
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        width = _width(header, widths)
        column_widths.append(width)
        dimension = sheet.column_dimensions[letter]
        dimension.width = width
        dimension.number_format = _TEXT
        dimension.alignment = _WRAP
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        head.number_format = _TEXT
        for row_index in range(2, dataset.height + 2 + _EXTRA_ROWS):
            cell = sheet.cell(row=row_index, column=index)
            cell.number_format = _TEXT
            cell.alignment = _WRAP
            if header in reference:
                cell.fill = _REFERENCE_FILL
    for row_index, row in enumerate(dataset, start=2):
        lines = max(
            (wrapped_lines(str(v or ""), w) for v, w in zip(row, column_widths, strict=True)),
            default=1,
        )
        sheet.row_dimensions[row_index].height = min(15 * lines + 3, 300)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{dataset.height + 1}"


def _list_validation(sheet, header: str, headers: list[str], formula: str, rows: int) -> None:
    if header not in headers:
        return
    letter = get_column_letter(headers.index(header) + 1)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = "一覧の値を選んでください。"
    validation.errorTitle = "入力できない値です"
    validation.prompt = "一覧から選びます。"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{rows + 1 + _EXTRA_ROWS}")


def export_plan_workbook(*, plan: Plan | None = None) -> bytes:
    """The plan's structure as an .xlsx workbook (see the module docstring for its layout)."""
    plan = plan or get_plan()
    initiative_resource, indicator_resource = _resources(plan)
    initiatives = initiative_resource.export(_initiatives(plan))
    indicators = indicator_resource.export(_indicators(plan))
    directions = _directions(plan)

    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    guide.column_dimensions["A"].width = 110
    for line in GUIDE:
        guide.append([neutralise(line) or None])
    for row in guide.iter_rows(min_row=1, max_row=len(GUIDE)):
        cell = row[0]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.number_format = _TEXT
        text = cell.value or ""
        if text and not text.startswith("・"):
            cell.font = Font(bold=True, size=14 if cell.row == 1 else 12)
        else:
            guide.row_dimensions[cell.row].height = 15 * wrapped_lines(text, 110) + 3

    sheet = workbook.create_sheet(INITIATIVE_SHEET)
    _write_table(sheet, initiatives, INITIATIVE_WIDTHS, initiative_resource.reference_columns)
    headers = list(initiatives.headers)
    rows = initiatives.height
    _list_validation(
        sheet, DIRECTION, headers, f"'{DIRECTION_SHEET}'!$A$2:$A${len(directions) + 1}", rows
    )
    for header in (NUMERIC_TARGET, *(label for _n, label in RESOURCES)):
        _list_validation(sheet, header, headers, f'"{MARK}"', rows)
    workbook.active = workbook.sheetnames.index(INITIATIVE_SHEET)

    sheet = workbook.create_sheet(INDICATOR_SHEET)
    _write_table(sheet, indicators, INDICATOR_WIDTHS, indicator_resource.reference_columns)
    _list_validation(
        sheet,
        COMPARISON,
        list(indicators.headers),
        '"' + ",".join(ComparisonWidget.LABELS) + '"',
        indicators.height,
    )

    sheet = workbook.create_sheet(DIRECTION_SHEET)
    table = tablib.Dataset(headers=[DIRECTION, "方針", "施策"])
    for direction in directions:
        measure = direction.measure
        table.append(
            [
                direction_label(direction),
                f"方針{measure.policy.number} {measure.policy.title}",
                f"（{measure.number}）{measure.title}",
            ]
        )
    _write_table(sheet, table, {DIRECTION: 50, "方針": 30, "施策": 36}, [])

    sheet = workbook.create_sheet(DEPARTMENT_SHEET)
    table = tablib.Dataset(headers=[DEPARTMENTS])
    for department in Department.objects.order_by("name"):
        table.append([department.name])
    _write_table(sheet, table, {DEPARTMENTS: 30}, [])

    for worksheet in workbook.worksheets:
        worksheet.sheet_view.tabSelected = worksheet.title == INITIATIVE_SHEET
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_filename(*, today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    return f"行政経営プラン_構成_{today:%Y%m%d}.xlsx"


# --- import: reading and comparing (no writes) --------------------------------------------


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class RowReport:
    """One row of a sheet as the preview shows it."""

    sheet: str
    line: int
    key: str
    label: str
    new: bool = False
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.problems:
            return "問題あり"
        if self.new:
            return "新規"
        return "変更" if self.changes else "変更なし"

    @property
    def changed(self) -> bool:
        return not self.problems and (self.new or bool(self.changes))


@dataclass
class PlanImportPreview:
    """What an import would do; nothing has been written."""

    file_problems: list[str] = field(default_factory=list)
    initiative_rows: list[RowReport] = field(default_factory=list)
    indicator_rows: list[RowReport] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unlisted_codes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[RowReport]:
        return self.initiative_rows + self.indicator_rows

    @property
    def problem_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.problem_rows

    @property
    def has_changes(self) -> bool:
        return any(r.changed for r in self.rows)

    @property
    def can_apply(self) -> bool:
        return self.ok and self.has_changes

    def count(self, rows: list[RowReport], kind: str) -> int:
        return sum(1 for r in rows if r.kind == kind)

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        return {
            sheet: {
                kind: self.count(rows, kind) for kind in ("新規", "変更", "変更なし", "問題あり")
            }
            for sheet, rows in (
                (INITIATIVE_SHEET, self.initiative_rows),
                (INDICATOR_SHEET, self.indicator_rows),
            )
        }

    @property
    def fingerprint(self) -> str:
        """Identifies the changes shown, so that a confirm applies exactly what was seen."""
        shown = [
            [r.sheet, r.key, r.new, [[c.column, c.old, c.new] for c in r.changes]]
            for r in self.rows
            if r.changed
        ]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def _sheet_names(content: bytes) -> list[str] | None:
    """The sheet names of an .xlsx (None for a CSV); the file was already read once."""
    if not content.startswith(b"PK\x03\x04"):
        return None
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _check_columns(
    dataset: tablib.Dataset, resource: resources.Resource, years: list[int], sheet: str
) -> list[str]:
    problems = []
    period = f"{era_label(years[0])}～{era_label(years[-1])}"
    outside = []
    for header in dataset.headers or []:
        match = _YEAR_COLUMN.match(normalise_header(header))
        if match:
            number = 1 if match.group(3) == "元" else int(match.group(3))
            year = (2018 if match.group(2) == "令和" else 1988) + number
            if year not in years:
                outside.append(header)
    if outside:
        problems.append(
            f"「{sheet}」シート: "
            + "、".join(f"「{h}」" for h in outside)
            + f"はプランの推進期間（{period}）の外の年度です。"
            "推進期間の年度の列だけにしてください。"
        )
    headers = [f.column_name for f in resource.fields.values()]
    required = [h for h in headers if h not in resource.reference_columns]
    try:
        require_columns(dataset, required, allowed=resource.reference_columns)
    except ValidationError as error:
        problems.extend(f"「{sheet}」シート: {m}" for m in error.messages)
    return problems


def _row_dict(dataset: tablib.Dataset, row) -> dict:
    return {normalise_header(h): v for h, v in zip(dataset.headers, row, strict=False)}


def _clean_row(resource: resources.Resource, raw: dict) -> tuple[dict, list[str]]:
    """Every non-reference column of a row through its widget; problems by column."""
    values, problems = {}, []
    for name, field_ in resource.fields.items():
        if field_.column_name in resource.reference_columns:
            continue
        try:
            values[name] = field_.widget.clean(raw.get(normalise_header(field_.column_name)))
        except ValidationError as error:
            problems.extend(f"{field_.column_name}: {m}" for m in error.messages)
    return values, problems


def _same_text(old: str, new: str) -> bool:
    return old.replace("\r\n", "\n").strip() == new


def preview_plan_import(content: bytes, *, plan: Plan | None = None) -> PlanImportPreview:
    """Read a workbook (or CSV) and compare it with the plan; writes nothing."""
    plan = plan or get_plan()
    preview = PlanImportPreview()
    initiative_resource, indicator_resource = _resources(plan)
    years = initiative_resource.years
    try:
        initiative_data = read_content(content, sheet=INITIATIVE_SHEET)
    except SpreadsheetError as error:
        preview.file_problems.extend(error.messages)
        return preview
    names = _sheet_names(content)
    indicator_data = None
    if names is not None and INITIATIVE_SHEET not in names:
        preview.file_problems.append(
            f"「{INITIATIVE_SHEET}」シートがありません（このファイルのシート: "
            f"{'、'.join(names)}）。書き出したブックのシート名を変えずに使ってください。"
        )
        return preview
    if names is not None and INDICATOR_SHEET in names:
        try:
            indicator_data = read_content(content, sheet=INDICATOR_SHEET)
        except SpreadsheetError as error:
            preview.file_problems.extend(
                f"「{INDICATOR_SHEET}」シート: {m}" for m in error.messages
            )
            return preview
    preview.sheets.append(INITIATIVE_SHEET)
    if indicator_data is not None:
        preview.sheets.append(INDICATOR_SHEET)
    elif names is None:
        preview.notes.append("CSV ファイルなので、取組シートだけを読みました。指標は変わりません。")
    else:
        preview.notes.append(f"「{INDICATOR_SHEET}」シートがないので、指標は変わりません。")

    preview.file_problems += _check_columns(
        initiative_data, initiative_resource, years, INITIATIVE_SHEET
    )
    if indicator_data is not None:
        preview.file_problems += _check_columns(
            indicator_data, indicator_resource, years, INDICATOR_SHEET
        )
    if preview.file_problems:
        return preview
    if not initiative_data.height:
        preview.file_problems.append(f"「{INITIATIVE_SHEET}」シートに取組の行がありません。")
        return preview

    existing = {i.code.upper(): i for i in _initiatives(plan)}
    final_years = _compare_initiatives(preview, initiative_data, initiative_resource, existing)
    if indicator_data is not None:
        _compare_indicators(
            preview, indicator_data, indicator_resource, plan, existing, final_years
        )
    listed = {r.key for r in preview.initiative_rows}
    preview.unlisted_codes = [i.code for i in existing.values() if i.code.upper() not in listed]
    return preview


def _compare_initiatives(
    preview: PlanImportPreview,
    dataset: tablib.Dataset,
    resource: InitiativeResource,
    existing: dict[str, Initiative],
) -> dict[str, set[int]]:
    """One RowReport per row of the 取組 sheet; returns each code's plan years after import."""
    years = resource.years
    seen: dict[str, int] = {}
    final_years: dict[str, set[int]] = {
        code: {p.fiscal_year.year for p in i.year_plans.all()} for code, i in existing.items()
    }
    for position, row in enumerate(dataset):
        index = source_line(dataset, position)
        raw = _row_dict(dataset, row)
        values, problems = _clean_row(resource, raw)
        code = values.get("code") or _code(raw.get(normalise_header(CODE)))
        initiative = existing.get(code) if code else None
        report = RowReport(
            sheet=INITIATIVE_SHEET,
            line=index,
            key=code or f"{index}行目",
            label=values.get("name") or (initiative.name if initiative else ""),
            new=initiative is None and bool(code),
            problems=problems,
            values=values,
        )
        if code:
            if code in seen:
                report.problems.append(
                    f"取組No. {code} が {seen[code]}行目にもあります。"
                    "1つの取組は1行にしてください。"
                )
                first = next(r for r in preview.initiative_rows if r.line == seen[code])
                first.problems.append(f"取組No. {code} が {index}行目にもあります。")
            else:
                seen[code] = index
        preview.initiative_rows.append(report)
        plans = {year: values.get(f"plan_{year}", "") for year in years}
        if report.problems:
            if code:
                final_years.setdefault(code, set()).update(y for y, t in plans.items() if t)
            continue
        if initiative is None:
            report.changes = _new_initiative_changes(resource, values, plans)
            final_years[code] = {year for year, text in plans.items() if text}
            continue
        report.changes, year_problems = _initiative_changes(resource, initiative, values, plans)
        report.problems += year_problems
        final_years[code] |= {year for year, text in plans.items() if text}
    return final_years


def _new_initiative_changes(resource: InitiativeResource, values: dict, plans: dict) -> list:
    changes = []
    for name, field_ in resource.fields.items():
        if field_.column_name in resource.reference_columns or name.startswith("plan_"):
            continue
        shown = field_.widget.render(values[name])
        if shown:
            changes.append(Change(field_.column_name, "", shown))
    changes += [Change(_plan_column(y), "", text) for y, text in plans.items() if text]
    return changes


def _initiative_changes(
    resource: InitiativeResource, initiative: Initiative, values: dict, plans: dict
) -> tuple[list[Change], list[str]]:
    changes, problems = [], []
    current = {
        "name": initiative.name,
        "direction": initiative.direction,
        "departments": [o.department for o in initiative.owners.all()],
        "numeric_target": initiative.numeric_target,
        "summary": initiative.summary,
        "target_state": initiative.target_state,
        "related_plans": list(initiative.related_plans),
        **{name: getattr(initiative, name) for name, _label in RESOURCES},
    }
    for name, old in current.items():
        new = values[name]
        field_ = resource.fields[name]
        if isinstance(old, str):
            same = _same_text(old, new)
        elif name == "direction":
            same = old.pk == new.pk
        elif name == "departments":
            same = [d.pk for d in old] == [d.pk for d in new]
        else:
            same = old == new
        if not same:
            changes.append(
                Change(field_.column_name, field_.widget.render(old), field_.widget.render(new))
            )
    by_year = {p.fiscal_year.year: p.text for p in initiative.year_plans.all()}
    for year, new in plans.items():
        old = by_year.get(year)
        if old is None:
            if new:
                changes.append(Change(_plan_column(year), "", new))
        elif not new:
            if old.strip():
                problems.append(
                    f"{_plan_column(year)}: 既にある実施計画を空欄にはできません"
                    "（実施計画の削除は管理画面で行います）。"
                )
        elif not _same_text(old, new):
            changes.append(Change(_plan_column(year), old, new))
    return changes, problems


def _compare_indicators(
    preview: PlanImportPreview,
    dataset: tablib.Dataset,
    resource: IndicatorResource,
    plan: Plan,
    existing: dict[str, Initiative],
    final_years: dict[str, set[int]],
) -> None:
    years = resource.years
    indicators = {(i.initiative.code.upper(), i.name): i for i in _indicators(plan)}
    sheet_codes = {r.key for r in preview.initiative_rows if not r.key.endswith("行目")}
    seen: dict[tuple[str, str], int] = {}
    for position, row in enumerate(dataset):
        index = source_line(dataset, position)
        raw = _row_dict(dataset, row)
        values, problems = _clean_row(resource, raw)
        code, name = values.get("code", ""), values.get("name", "")
        indicator = indicators.get((code, name))
        report = RowReport(
            sheet=INDICATOR_SHEET,
            line=index,
            key=f"{code} {name}".strip() or f"{index}行目",
            label=name,
            new=indicator is None and bool(code and name),
            problems=problems,
            values=values,
        )
        preview.indicator_rows.append(report)
        if code and code not in existing and code not in sheet_codes:
            report.problems.append(
                f"取組No. {code} は「{INITIATIVE_SHEET}」シートにもプランにもありません。"
            )
        if code and name:
            if (code, name) in seen:
                report.problems.append(
                    f"取組No. {code} の指標「{name}」が {seen[(code, name)]}行目にもあります。"
                )
            else:
                seen[(code, name)] = index
        if report.problems:
            continue
        if values["comparison"] == Indicator.Comparison.BENCHMARK and not values["benchmark"]:
            report.problems.append(f"{BENCHMARK}: 「基準との比較」のときは基準を書いてください。")
        planned = final_years.get(code, set())
        for year in years:
            if values[f"target_{year}"] is not None and year not in planned:
                report.problems.append(
                    f"{_target_column(year)}: {era_label(year)}の実施計画がないため、"
                    "目標値は書けません。"
                )
        if report.problems:
            continue
        if indicator is None:
            report.changes = [
                Change(f.column_name, "", f.widget.render(values[n]))
                for n, f in resource.fields.items()
                if f.column_name not in resource.reference_columns
                and n != "code"
                and f.widget.render(values[n])
            ]
            continue
        for name_ in ("unit", "comparison", "benchmark"):
            old, new = getattr(indicator, name_), values[name_]
            if old.strip() != new:
                widget = resource.fields[name_].widget
                report.changes.append(
                    Change(
                        resource.fields[name_].column_name, widget.render(old), widget.render(new)
                    )
                )
        targets = {t.fiscal_year.year: t for t in indicator.targets.all()}
        for year in years:
            new = values[f"target_{year}"]
            target = targets.get(year)
            old = target.value if target else None
            if old == new:  # also: no target and nothing written
                continue
            report.changes.append(
                Change(_target_column(year), number_text(old) or "", number_text(new) or "")
            )


# --- import: applying ----------------------------------------------------------------------


@dataclass
class RevisionSpec:
    """The revision an import is recorded as: an existing one, or one to create."""

    code: str
    label: str
    date: datetime.date
    existing: PlanRevision | None = None


def resolve_revision(*, plan: Plan, code: str, label: str, date: datetime.date) -> RevisionSpec:
    """Check the revision fields of the import form; raise ValidationError in Japanese."""
    code = _nfkc(code).upper() or era_short(date.year)
    label = label.strip()
    if not re.match(r"^[0-9A-Z][0-9A-Z-]*$", code) or len(code) > 20:
        raise ValidationError(
            {"revision_code": "改訂コードは半角英数字とハイフンで、20文字以内にしてください。"}
        )
    existing = plan.revisions.filter(code=code).first()
    if existing is not None:
        if existing.kind != PlanRevision.Kind.REVISION:
            raise ValidationError(
                {
                    "revision_code": (
                        f"改訂コード {code} は「{existing.label}」（実施結果の更新）です。"
                        "別のコードにしてください。"
                    )
                }
            )
        if existing.label != label or existing.date != date:
            raise ValidationError(
                {
                    "revision_code": (
                        f"改訂コード {code} は既にあります（「{existing.label}」、"
                        f"{existing.date:%Y年%m月%d日}）。同じ改訂に追加するときは表示名と"
                        "年月も同じにし、別の改訂にするときは別のコードにしてください。"
                    )
                }
            )
    return RevisionSpec(code=code, label=label, date=date, existing=existing)


@dataclass
class AppliedImport:
    revision: PlanRevision
    created: list[str]
    changed: list[str]
    indicators_created: int
    indicators_changed: int


class StalePreviewError(ValidationError):
    """The data changed after the preview; the user must look at the new preview."""


@transaction.atomic
def apply_plan_import(
    *,
    content: bytes,
    filename: str,
    user,
    revision: RevisionSpec,
    fingerprint: str | None = None,
) -> AppliedImport:
    """Write the previewed changes, all or none, and record the revision and who did it."""
    check(user, None, Action.CHANGE_STRUCTURE)
    plan = Plan.objects.select_for_update().get(pk=get_plan().pk)
    preview = preview_plan_import(content, plan=plan)
    if not preview.ok:
        raise ValidationError(
            preview.file_problems
            + [f"{r.sheet} {r.key}: {p}" for r in preview.problem_rows for p in r.problems]
        )
    if not preview.has_changes:
        raise ValidationError("取り込む変更がありません。")
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise StalePreviewError(
            "プレビューの後に、プランのデータが変わりました。新しいプレビューを確認してください。"
        )
    revision = resolve_revision(
        plan=plan, code=revision.code, label=revision.label, date=revision.date
    )
    record = revision.existing
    if record is None:
        record = PlanRevision(
            plan=plan,
            code=revision.code,
            label=revision.label,
            kind=PlanRevision.Kind.REVISION,
            date=revision.date,
        )
        record.full_clean()
        record.save()
    fiscal_years = {
        year: FiscalYear.objects.get_or_create(year=year)[0] for year in plan_years(plan)
    }
    existing = {i.code.upper(): i for i in _initiatives(plan)}
    created, changed, placed = [], [], []
    log: list[tuple[Initiative, int, str]] = []
    source = f"ファイル「{filename}」から取り込み（{record.label}）"
    for position, report in enumerate(preview.initiative_rows):
        if not report.changed:
            continue
        initiative = existing.get(report.key)
        moved = initiative is not None and initiative.direction_id != report.values["direction"].pk
        initiative = _write_initiative(
            plan, initiative, report.values, record, fiscal_years, position
        )
        existing[report.key] = initiative
        if report.new or moved:
            placed.append((initiative, position))
        if report.new:
            created.append(initiative.code)
            log.append((initiative, ADDITION, f"{source}で追加"))
        else:
            changed.append(initiative.code)
            columns = "、".join(dict.fromkeys(c.column for c in report.changes))
            log.append((initiative, CHANGE, f"{source}: {columns} を変更"))
    positions = {
        existing[r.key].pk: position
        for position, r in enumerate(preview.initiative_rows)
        if r.key in existing
    }
    _reorder(plan, placed, positions)

    indicators_created = indicators_changed = 0
    for report in preview.indicator_rows:
        if not report.changed:
            continue
        initiative = existing[report.values["code"]]
        _write_indicator(initiative, report, fiscal_years)
        if report.new:
            indicators_created += 1
        else:
            indicators_changed += 1
        if not any(entry[0].pk == initiative.pk for entry in log):
            log.append((initiative, CHANGE, f"{source}: 指標を変更"))

    summary = (
        f"{source}: 取組 新規{len(created)}件・変更{len(changed)}件、"
        f"指標 新規{indicators_created}件・変更{indicators_changed}件"
    )
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[record],
        action_flag=ADDITION if revision.existing is None else CHANGE,
        change_message=summary,
    )
    for initiative, flag, message in log:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[initiative], action_flag=flag, change_message=message
        )
    # A year already open for entry gets 未入力 results for the plans this revision added.
    for period in open_periods():
        services.create_entry_rows(
            fiscal_year=period.fiscal_year, user=user, reason=f"{source}（入力期間中の改訂）"
        )
    return AppliedImport(
        revision=record,
        created=created,
        changed=changed,
        indicators_created=indicators_created,
        indicators_changed=indicators_changed,
    )


_PARK = 1_000_000


def _write_initiative(
    plan: Plan,
    initiative: Initiative | None,
    values: dict,
    revision: PlanRevision,
    fiscal_years: dict[int, FiscalYear],
    position: int,
) -> Initiative:
    if initiative is None:
        # A temporary order out of the way; `_reorder` puts it in its place.
        initiative = Initiative(
            plan=plan, code=values["code"], order=2 * _PARK + position, added_in=revision
        )
        old_departments: list[int] | None = None
        old_plans: dict[int, YearPlan] = {}
    else:
        old_departments = [o.department_id for o in initiative.owners.all()]
        old_plans = {p.fiscal_year.year: p for p in initiative.year_plans.all()}
    for name in ("direction", "numeric_target", "related_plans"):
        setattr(initiative, name, values[name])
    for name, _label in RESOURCES:
        setattr(initiative, name, values[name])
    for name in ("name", "summary", "target_state"):
        # Text equal but for surrounding spaces is kept as stored.
        if not _same_text(getattr(initiative, name), values[name]):
            setattr(initiative, name, values[name])
    initiative.full_clean(validate_unique=False, validate_constraints=False)
    initiative.save()

    departments = [d.pk for d in values["departments"]]
    if departments != old_departments:
        initiative.owners.all().delete()
        InitiativeDepartment.objects.bulk_create(
            InitiativeDepartment(initiative=initiative, department_id=pk, order=index)
            for index, pk in enumerate(departments)
        )
    for year, fiscal_year in fiscal_years.items():
        text = values[f"plan_{year}"]
        year_plan = old_plans.get(year)
        if year_plan is None:
            if text:
                YearPlan.objects.create(initiative=initiative, fiscal_year=fiscal_year, text=text)
        elif text and not _same_text(year_plan.text, text):
            year_plan.text = text
            year_plan.save(update_fields=["text"])
    return initiative


def _reorder(plan: Plan, placed: list[tuple[Initiative, int]], positions: dict[int, int]) -> None:
    """Put new (and moved) initiatives after the row above them in the same direction.

    Everything else keeps its relative order; only rows whose order changes are written.
    """
    if not placed:
        return
    placed_ids = {initiative.pk for initiative, _p in placed}
    everyone = list(Initiative.objects.filter(plan=plan).order_by("order"))
    sequences: dict[int, list[Initiative]] = {d.pk: [] for d in _directions(plan)}
    for initiative in everyone:
        if initiative.pk not in placed_ids:
            sequences.setdefault(initiative.direction_id, []).append(initiative)
    for initiative, position in sorted(placed, key=lambda item: item[1]):
        sequence = sequences.setdefault(initiative.direction_id, [])
        before = [i for i in sequence if positions.get(i.pk, -1) < position and i.pk in positions]
        after = [i for i in sequence if positions.get(i.pk, -1) > position]
        if before:
            anchor = max(before, key=lambda i: positions[i.pk])
            sequence.insert(sequence.index(anchor) + 1, initiative)
        elif after:
            anchor = min(after, key=lambda i: positions[i.pk])
            sequence.insert(sequence.index(anchor), initiative)
        else:
            sequence.append(initiative)
    final = [i for sequence in sequences.values() for i in sequence]
    moves = {i.pk: index for index, i in enumerate(final, start=1) if i.order != index}
    if not moves:
        return
    current = {i.pk: i.order for i in everyone}
    for pk in moves:
        Initiative.objects.filter(pk=pk).update(order=current[pk] + _PARK)
    for pk, order in moves.items():
        Initiative.objects.filter(pk=pk).update(order=order)


def _write_indicator(
    initiative: Initiative, report: RowReport, fiscal_years: dict[int, FiscalYear]
) -> None:
    values = report.values
    indicator = initiative.indicators.filter(name=values["name"]).first()
    if indicator is None:
        last = initiative.indicators.order_by("-order").values_list("order", flat=True).first()
        indicator = Indicator(
            initiative=initiative, name=values["name"], order=0 if last is None else last + 1
        )
    for name in ("unit", "comparison", "benchmark"):
        if getattr(indicator, name).strip() != values[name]:
            setattr(indicator, name, values[name])
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    indicator.save()
    planned = set(initiative.year_plans.values_list("fiscal_year__year", flat=True))
    targets = {t.fiscal_year.year: t for t in indicator.targets.select_related("fiscal_year")}
    for year, fiscal_year in fiscal_years.items():
        value = values[f"target_{year}"]
        target = targets.get(year)
        if target is None:
            # New indicators get a target (maybe empty) in every planned year, as the plan's
            # data does; existing ones only where a value is written.
            if value is not None or (report.new and year in planned):
                Target.objects.create(indicator=indicator, fiscal_year=fiscal_year, value=value)
        elif target.value != value:
            target.value = value
            target.save(update_fields=["value"])


# --- the import form ----------------------------------------------------------------------


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="ファイル",
        help_text=(
            f"このシステムから書き出したブック（.xlsx）を編集したもの。CSV は取組シートだけです。"
            f"{MAX_UPLOAD_LABEL} まで。"
        ),
    )
    revision_label = forms.CharField(
        label="改訂の表示名",
        max_length=PlanRevision._meta.get_field("label").max_length,
        help_text="例: 令和7年4月 改訂版",
    )
    revision_date = forms.DateField(
        label="改訂の年月日",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="例: 2025-04-01",
    )
    revision_code = forms.CharField(
        label="改訂コード",
        max_length=20,
        required=False,
        help_text=(
            "新しい取組に【コード新規】と表示されます（例: R7）。空欄なら年月から決めます。"
            "既にある改訂のコードを書くと、その改訂に追加します。"
        ),
    )

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.content: bytes | None = None
        self.revision: RevisionSpec | None = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.content = read_upload_bytes(uploaded)
        except SpreadsheetError as error:
            raise ValidationError(error.messages) from None
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("revision_label") and data.get("revision_date"):
            try:
                self.revision = resolve_revision(
                    plan=self.plan,
                    code=data.get("revision_code", ""),
                    label=data["revision_label"],
                    date=data["revision_date"],
                )
            except ValidationError as error:
                for name, errors in error.error_dict.items():
                    self.add_error(name, errors)
        return data
