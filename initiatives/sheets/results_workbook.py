"""The department results spreadsheet: export an .xlsx to fill offline, then import it.

Layout (sheet 「実施結果」, one row per result = per initiative, in the plan's order):

    取組番号 取組名 担当課 実施計画 入力状況 | 達成状況 実施結果 確定時期 |
    指標1名 指標1単位 指標1目標値 指標1実績値 … 指標N… | 年度 版

Only 達成状況 / 実施結果 / 確定時期 / 指標k実績値 are filled in (unlocked, yellow); every
other cell is reference (locked, grey). N is the largest number of indicators among the
exported initiatives; an initiative with fewer leaves the rest empty. 年度 and 版 (the
result's version when exported) identify the row and detect lost updates.

The import is django-import-export's: `ResultSheetResource.import_data(dry_run=True)` gives
the preview; the confirmation runs it again for real in one transaction, rolled back if any
row is refused. Each changed row is saved through `services.save_draft` (permissions,
optimistic locking, WorkflowEvent, simple-history), never by saving the model directly.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from import_export.results import RowResult
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from initiatives.models import (
    Department,
    FiscalYear,
    Indicator,
    Result,
    Target,
    YearPlan,
)
from initiatives.results import services, transitions
from initiatives.results.permissions import Action, allowed, restrict
from initiatives.results.selectors import current_actuals
from initiatives.roles import department_ids
from initiatives.sheets.io import (
    MAX_UPLOAD_LABEL,
    SpreadsheetError,
    cell_text,
    neutralise,
    normalise_header,
    parse_number_cell,
    parse_status,
    read_content,
    require_columns,
    source_line,
)
from initiatives.vocabulary import number_text, status_label

SHEET_TITLE = "実施結果"
HELP_TITLE = "説明"
PURPOSE = "result-import"

COL_CODE = "取組番号"
COL_NAME = "取組名"
COL_DEPARTMENTS = "担当課"
COL_PLAN = "実施計画"
COL_STATE = "入力状況"
COL_STATUS = "達成状況"
COL_TEXT = "実施結果"
COL_NOTE = "確定時期"
COL_YEAR = "年度"
COL_VERSION = "版"

REQUIRED_COLUMNS = [COL_CODE, COL_STATUS, COL_TEXT, COL_NOTE, COL_YEAR, COL_VERSION]
READ_ONLY_MARK = "（この行は変更できません）"

_INDICATOR_COLUMN = re.compile(r"^指標(\d+)(名|単位|目標値|実績値)$")


def indicator_columns(k: int) -> tuple[str, str, str, str]:
    """The column headers of the k-th indicator (1-based): name, unit, target, actual."""
    return (f"指標{k}名", f"指標{k}単位", f"指標{k}目標値", f"指標{k}実績値")


def _number_cell(value: Decimal | None):
    """A Decimal as a spreadsheet number: an int when whole, else a float (≤ 4 decimals)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return norm(a) == norm(b)


# --- preview -----------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class RowPreview:
    """One row of the file as the preview shows it."""

    line: int
    code: str = ""
    name: str = ""
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    remark: str = ""

    @property
    def outcome(self) -> str:
        if self.problems:
            return "取り込めません"
        return "変更あり" if self.changes else "変更なし"


@dataclass
class ImportPreview:
    """What importing a file does (or, after a refused confirmation, would have done)."""

    filename: str
    rows: list[RowPreview]
    years: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> list[RowPreview]:
        return [r for r in self.rows if r.changes and not r.problems]

    @property
    def refused(self) -> list[RowPreview]:
        return [r for r in self.rows if r.problems]

    @property
    def unchanged(self) -> list[RowPreview]:
        return [r for r in self.rows if not r.changes and not r.problems]

    @property
    def can_apply(self) -> bool:
        return bool(self.changed) and not self.refused


@dataclass
class _Parsed:
    """A row's parsed values, kept on the instance between import_instance and save."""

    version: int | None
    status: str
    text: str
    note: str
    actuals: dict[int, Decimal | None]
    changes: list[Change]


# The sheet's column order (the model field names among them would otherwise come first).
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

# --- the resource ------------------------------------------------------------------------


class ResultSheetResource(resources.ModelResource):
    """The mapping between Result rows and the sheet's columns (export and import)."""

    code = Field(column_name=COL_CODE, readonly=True)
    name = Field(column_name=COL_NAME, readonly=True)
    departments = Field(column_name=COL_DEPARTMENTS, readonly=True)
    plan = Field(column_name=COL_PLAN, readonly=True)
    state = Field(column_name=COL_STATE, readonly=True)
    status = Field(column_name=COL_STATUS, attribute="status")
    text = Field(column_name=COL_TEXT, attribute="text")
    note = Field(column_name=COL_NOTE, attribute="note")
    year = Field(column_name=COL_YEAR, readonly=True)
    version = Field(column_name=COL_VERSION, readonly=True)

    class Meta:
        model = Result
        fields = _FIELD_ORDER
        skip_diff = True  # the preview shows its own old → new per field
        report_skipped = True  # unchanged rows are listed as 変更なし
        clean_model_instances = False  # services.save_draft validates

    def __init__(self, *, user, indicator_slots: int = 0, filename: str = "") -> None:
        super().__init__()
        self.user = user
        self.indicator_slots = indicator_slots
        self.filename = filename
        self.reason = f"ファイルから取り込み: {filename}"[:100]
        self.editable_ids: set[int] = set()
        self.previews: dict[int, RowPreview] = {}
        ordered = {}
        for key in _FIELD_ORDER:
            if key == "year":
                for k in range(1, indicator_slots + 1):
                    for part, column in zip(
                        ("name", "unit", "target", "actual"), indicator_columns(k), strict=True
                    ):
                        ordered[f"indicator{k}_{part}"] = Field(
                            column_name=column,
                            readonly=True,
                            dehydrate_method=self._indicator_dehydrator(k, part),
                        )
            ordered[key] = self.fields[key]
        self.fields = ordered

    def get_export_order(self):
        return tuple(self.fields)

    # --- export ---

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

    def dehydrate_code(self, result: Result) -> str:
        return result.initiative.code

    def dehydrate_name(self, result: Result) -> str:
        return result.initiative.name

    def dehydrate_departments(self, result: Result) -> str:
        return result.initiative.department_names

    def dehydrate_plan(self, result: Result) -> str:
        return self._plans.get((result.initiative_id, result.fiscal_year_id), "")

    def dehydrate_state(self, result: Result) -> str:
        label = str(Result.State(result.state).label)
        return label if result.pk in self.editable_ids else f"{label}{READ_ONLY_MARK}"

    def dehydrate_status(self, result: Result) -> str:
        return status_label(result.status)

    def dehydrate_year(self, result: Result) -> str:
        return result.fiscal_year.label

    def dehydrate_version(self, result: Result) -> int:
        return result.version

    def _indicator_dehydrator(self, k: int, part: str):
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
                return _number_cell(self._targets.get((indicator.pk, result.fiscal_year_id)))
            return _number_cell(self._actuals[result.pk].get(indicator.pk))

        return dehydrate

    # --- import ---

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        self._dataset = dataset
        self._years = _year_lookup()
        self._lines_by_code: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(dataset.dict):
            code = cell_text(row.get(COL_CODE))
            if code:
                self._lines_by_code[code].append(source_line(dataset, index))
        self._departments = set(department_ids(self.user))

    def before_import_row(self, row, **kwargs) -> None:
        number = kwargs["row_number"]
        self._current = number
        self.previews[number] = RowPreview(line=source_line(self._dataset, number - 1))

    def get_or_init_instance(self, instance_loader, row):
        preview = self.previews[self._current]  # get_or_init_instance gets no row_number
        code = cell_text(row.get(COL_CODE))
        preview.code = code
        if not code:
            raise ValidationError(
                "取組番号が空です。書き出したファイルの「取組番号」は消さないでください。"
            )
        lines = self._lines_by_code.get(code, [])
        if len(lines) > 1:
            raise ValidationError(
                f"取組番号 {code} の行が{len(lines)}つあります"
                f"（{'・'.join(f'{n}行目' for n in lines)}）。1つの取組は1行にしてください。"
            )
        year_text = cell_text(row.get(COL_YEAR))
        fiscal_year = self._years.get(unicodedata.normalize("NFKC", year_text).replace(" ", ""))
        if fiscal_year is None:
            raise ValidationError(
                f"年度「{year_text or '（空）'}」が読み取れません。書き出したファイルの"
                "「年度」の列は変えないでください（例: 令和6年度）。"
            )
        result = (
            Result.objects.select_related("initiative", "fiscal_year", "updated_by")
            .prefetch_related("initiative__owners__department")
            .filter(initiative__code=code, fiscal_year=fiscal_year)
            .first()
        )
        if result is None:
            raise ValidationError(
                f"取組番号「{code}」の{fiscal_year.label}の実施結果はありません。"
                "取組番号が正しいか確かめてください（書き出したファイルの番号を使います）。"
            )
        preview.name = result.initiative.name
        owners = {owner.department_id for owner in result.initiative.owners.all()}
        if not owners & self._departments:
            raise ValidationError(
                f"担当課ではない取組です（担当課: {result.initiative.department_names}）。"
                "自分の課の取組の行だけを取り込めます。"
            )
        return result, False

    def import_instance(self, instance: Result, row, **kwargs) -> None:
        preview = self.previews[kwargs["row_number"]]
        problems: list[str] = []
        try:
            status = parse_status(row.get(COL_STATUS))
        except ValidationError as error:
            problems.extend(error.messages)
            status = instance.status
        text = cell_text(row.get(COL_TEXT))
        note = cell_text(row.get(COL_NOTE))
        if _same_text(text, instance.text):
            text = instance.text
        if _same_text(note, instance.note):
            note = instance.note
        indicators = list(
            Indicator.objects.filter(initiative=instance.initiative_id).order_by("order", "pk")
        )
        current = current_actuals(instance)
        actuals: dict[int, Decimal | None] = {}
        changes: list[Change] = []
        if status != instance.status:
            changes.append(
                Change(
                    COL_STATUS, _shown(status_label(instance.status)), _shown(status_label(status))
                )
            )
        if text != instance.text:
            changes.append(Change(COL_TEXT, _shown(instance.text), _shown(text)))
        if note != instance.note:
            changes.append(Change(COL_NOTE, _shown(instance.note), _shown(note)))
        for k, indicator in enumerate(indicators, start=1):
            name_col, _unit_col, _target_col, actual_col = indicator_columns(k)
            old = current.get(indicator.pk)
            actuals[indicator.pk] = old
            if actual_col not in row:
                problems.append(
                    f"列「{actual_col}」がありません（この取組には指標が{len(indicators)}つ"
                    "あります）。書き出し直したファイルを使ってください。"
                )
                continue
            named = cell_text(row.get(name_col)) if name_col in row else ""
            if named and named != indicator.name:
                problems.append(
                    f"{name_col}が「{named}」ですが、この取組の指標{k}は「{indicator.name}」です。"
                    "指標が変わった可能性があるので、書き出し直してください。"
                )
                continue
            try:
                value = parse_number_cell(row.get(actual_col), units=[indicator.unit])
            except ValidationError as error:
                problems.extend(f"{actual_col}（{indicator.name}）: {m}" for m in error.messages)
                continue
            actuals[indicator.pk] = value
            if value != old:
                changes.append(Change(f"実績値（{indicator.name}）", _shown(old), _shown(value)))
        for header in row:
            match = _INDICATOR_COLUMN.match(str(header))
            extra = match and match.group(2) == "実績値" and int(match.group(1)) > len(indicators)
            if extra and cell_text(row.get(header)):
                problems.append(
                    f"この取組には指標{match.group(1)}がありません"
                    f"（{header}: {cell_text(row.get(header))}）。値を消してください。"
                )
        version = _parse_version(row.get(COL_VERSION))
        preview.changes = changes
        if changes:
            problems.extend(self._refusals(instance, version, status, text, note, actuals))
        if not allowed(self.user, instance, Action.EDIT):
            preview.remark = f"参照のみ（{Result.State(instance.state).label}）"
        instance._sheet = _Parsed(version, status, text, note, actuals, changes)
        if problems:
            raise ValidationError(problems)

    def _refusals(self, result, version, status, text, note, actuals) -> list[str]:
        """Why a changed row cannot be saved (empty when it can)."""
        if not allowed(self.user, result, Action.EDIT):
            if transitions.locked_reason(result.state):
                label = Result.State(result.state).label
                return [f"{label}のため取り込めません。{transitions.locked_reason(result.state)}"]
            return [
                "入力期間外のため取り込めません（推進本部が入力期間を開始していないか、"
                "受付を終了しました）。"
            ]
        problems = []
        if version is None:
            problems.append(
                "「版」が空か数字ではありません。書き出したファイルの「版」は変えないでください。"
            )
        elif version != result.version:
            who = result.updated_by.get_username() if result.updated_by else "他の人"
            when = timezone.localtime(result.updated_at).strftime("%m月%d日 %H:%M")
            problems.append(
                f"書き出した後に {who} さんがこの実施結果を更新しました（{when}、"
                f"書き出し時の版 {version} → 現在の版 {result.version}）。上書きを防ぐため"
                "取り込みません。もう一度書き出して、入力し直してください。"
            )
        filled = bool(text.strip()) or any(v is not None for v in actuals.values())
        if not status and filled:
            problems.append(
                "達成状況が空です。実施結果や実績値を入力した行では、"
                "達成状況（達成・未達成・未確定）も選んでください。"
            )
        if status and not text.strip():
            problems.append(
                "実施結果が空です。達成状況を選んだ行では、実施結果も入力してください。"
            )
        if status == Result.Status.UNDETERMINED and not note.strip():
            problems.append(
                "確定時期が空です。未確定のときは、いつ確定するか（確定時期）を入力してください。"
            )
        return problems

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        parsed = getattr(instance, "_sheet", None)
        return not import_validation_errors and parsed is not None and not parsed.changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance: Result, is_create: bool, row, **kwargs) -> None:
        parsed: _Parsed = instance._sheet
        try:
            services.save_draft(
                result=instance,
                user=self.user,
                version=parsed.version,
                status=parsed.status,
                text=parsed.text,
                note=parsed.note,
                actuals=parsed.actuals,
                reason=self.reason,
                comment=self.reason,
            )
        except services.StaleResultError as error:
            raise ValidationError(str(error)) from error
        except PermissionDenied as error:
            raise ValidationError(str(error) or "この実施結果は今は編集できません。") from error

    def save_m2m(self, instance, row, **kwargs) -> None:
        return None


def _parse_version(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
    return int(text) if text.isdigit() else None


def _year_lookup() -> dict[str, FiscalYear]:
    years = {}
    for fiscal_year in FiscalYear.objects.all():
        for key in (fiscal_year.label, fiscal_year.short_label, str(fiscal_year.year)):
            years[unicodedata.normalize("NFKC", key).replace(" ", "")] = fiscal_year
        years[f"{fiscal_year.year}年度"] = fiscal_year
    return years


# --- export ------------------------------------------------------------------------------


def exportable_results(*, user, fiscal_year: FiscalYear):
    """The results a user's sheet holds: what they may see of the year, in the plan's order."""
    return (
        restrict(Result.objects.all(), user, Action.VIEW)
        .filter(fiscal_year=fiscal_year)
        .select_related("initiative", "fiscal_year")
        .prefetch_related("initiative__owners__department", "actuals")
        .order_by("initiative__order")
    )


def export_filename(*, user, fiscal_year: FiscalYear) -> str:
    names = list(
        Department.objects.filter(pk__in=department_ids(user)).values_list("name", flat=True)
    )
    who = "・".join(names) if names and len(names) <= 2 else ("全課" if not names else "複数課")
    return f"実施結果_{fiscal_year.label}_{who}_{timezone.localdate():%Y%m%d}.xlsx"


_FILL_COLOR = PatternFill("solid", fgColor="FFF8D6")
_REF_COLOR = PatternFill("solid", fgColor="F0F0F0")
_LOCKED_ROW_COLOR = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="FFE08A")
_HEADER_REF = PatternFill("solid", fgColor="C9D3E0")
_THIN = Side(style="thin", color="A0A0A0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WIDTHS = {
    COL_CODE: 9,
    COL_NAME: 32,
    COL_DEPARTMENTS: 18,
    COL_PLAN: 40,
    COL_STATE: 16,
    COL_STATUS: 11,
    COL_TEXT: 60,
    COL_NOTE: 22,
    COL_YEAR: 11,
    COL_VERSION: 6,
}
_INDICATOR_WIDTHS = {"名": 22, "単位": 7, "目標値": 11, "実績値": 12}


def _is_fill_column(header: str) -> bool:
    if header in (COL_STATUS, COL_TEXT, COL_NOTE):
        return True
    match = _INDICATOR_COLUMN.match(header)
    return bool(match and match.group(2) == "実績値")


def _safe(value):
    """A cell value that can be written and never runs as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return neutralise(value) if value else None
    return value


def export_workbook(*, user, fiscal_year: FiscalYear) -> bytes:
    """The .xlsx of the user's results of `fiscal_year` (see the module docstring)."""
    results = list(exportable_results(user=user, fiscal_year=fiscal_year))
    counts = defaultdict(int)
    for indicator_initiative in Indicator.objects.filter(
        initiative__in=[r.initiative_id for r in results]
    ).values_list("initiative", flat=True):
        counts[indicator_initiative] += 1
    slots = max(counts.values(), default=0)
    resource = ResultSheetResource(user=user, indicator_slots=slots)
    dataset = resource.export(queryset=results)
    editable = [r.pk in resource.editable_ids for r in results]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    headers = list(dataset.headers)
    sheet.append([_safe(h) for h in headers])
    for row in dataset:
        sheet.append([_safe(v) for v in row])

    for col, header in enumerate(headers, start=1):
        letter = get_column_letter(col)
        match = _INDICATOR_COLUMN.match(header)
        width = _INDICATOR_WIDTHS[match.group(2)] if match else _WIDTHS.get(header, 14)
        sheet.column_dimensions[letter].width = width
        cell = sheet.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL if _is_fill_column(header) else _HEADER_REF
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
        cell.protection = Protection(locked=True)
        for index, row_editable in enumerate(editable, start=2):
            cell = sheet.cell(row=index, column=col)
            fill = _is_fill_column(header) and row_editable
            cell.protection = Protection(locked=not fill)
            cell.fill = _FILL_COLOR if fill else (_REF_COLOR if row_editable else _LOCKED_ROW_COLOR)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = _BORDER
            if cell.data_type == "s":
                cell.number_format = "@"
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "C2"

    if results:
        status_col = get_column_letter(headers.index(COL_STATUS) + 1)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(str(label) for _v, label in Result.Status.choices) + '"',
            allow_blank=True,
            showDropDown=False,  # False shows the ▼ (the XML attribute means "hide")
            showErrorMessage=True,
            errorTitle="達成状況",
            error="達成・未達成・未確定から選んでください（空欄も可）。",
            showInputMessage=True,
            promptTitle="達成状況",
            prompt="▼から 達成・未達成・未確定 を選びます。",
        )
        validation.add(f"{status_col}2:{status_col}{len(results) + 1}")
        sheet.add_data_validation(validation)

    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # staff may widen columns and rows
    sheet.protection.formatRows = False
    sheet.protection.selectLockedCells = False
    sheet.protection.selectUnlockedCells = False

    _help_sheet(workbook, user=user, fiscal_year=fiscal_year, rows=len(results), slots=slots)
    workbook.active = 0
    workbook.properties.creator = "金沢市行政経営プラン 進捗管理システム"
    workbook.properties.title = f"{fiscal_year.label} 実施結果"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def help_lines(*, fiscal_year_label: str, slots: int | None) -> list[str]:
    """The 説明 sheet's text (also shown on the import screen)."""
    lines = [
        f"{fiscal_year_label} 実施結果の入力シート — 入力のしかたと取り込みのしかた",
        "",
        "■ 入力のしかた",
        "・「実施結果」シートの黄色いセル（達成状況・実施結果・確定時期・指標の実績値）"
        "だけを入力します。",
        "・灰色のセルは参照用で、変更できません（シートを保護しています。"
        "保護にパスワードはありません）。",
        "・1行が1つの取組です。行の追加・削除・並べ替え、1行目の見出しの変更はしないでください。",
        "・達成状況：セルを選ぶと出る ▼ から「達成」「未達成」「未確定」を選びます。",
        "・実施結果：実施したことと、その結果を書きます。セル内の改行は Alt+Enter"
        "（LibreOffice は Ctrl+Enter、Mac の Excel は Option+Return）です。",
        "・確定時期：「未確定」のときは必ず、いつ確定するかを書きます"
        "（例: 令和7年9月の決算で確定）。",
        "・達成状況と実施結果はセットで入力します。どちらか片方だけの行は取り込めません。",
        "・実績値：数字で入力します。全角数字（１２３）、カンマ（1,234）、"
        "単位付き（98.3%、120件）も読み取れます。「約120」のような文字は読み取れません。",
    ]
    if slots is None or slots:
        most = f"（最大 {slots} 個）" if slots else ""
        lines.append(
            f"・指標が複数ある取組は「指標1」「指標2」…の列に並びます{most}。"
            "指標のない取組・使わない指標の列は空のままにします。目標値は参照用です。"
        )
    lines += [
        "・入力状況に「（この行は変更できません）」とある行（提出済・承認済・公開、"
        "または入力期間外）は参照用です。変更しても取り込めません。",
        "・「年度」と「版」は取り込みに使います。変えないでください。"
        "「版」は書き出した時点の番号で、書き出した後に他の人が同じ取組をシステムで"
        "更新していた場合、その行は上書きを防ぐため取り込みません。",
        "",
        "■ 取り込みのしかた",
        "・Excel ブック（.xlsx）のまま保存するのがおすすめです。CSV（UTF-8 または "
        f"Shift_JIS）でも取り込めます。ファイルの大きさは {MAX_UPLOAD_LABEL} までです。",
        "・管理画面の「実施結果」一覧で「ファイルから取り込む」を押し、ファイルを選んで"
        "「内容を確認する」を押します。",
        "・確認画面に、行ごとの変更（変更前 → 変更後）と問題が表示されます。この時点では"
        "まだ何も変わっていません。",
        "・問題のある行が1行でもあると取り込めません（全部の行を取り込むか、"
        "何も取り込まないかのどちらかです）。ファイルを直してから、もう一度選んでください。",
        "・「取り込む」を押すと一時保存されます（提出はされません）。"
        "内容を確かめてから、入力画面の「提出する」で提出してください。",
        "・取り込んだ変更は、取り込んだ人・日時とともに「ファイルから取り込み: ファイル名」"
        "として各取組の履歴に残ります。",
    ]
    return lines


def _help_sheet(workbook: Workbook, *, user, fiscal_year: FiscalYear, rows: int, slots: int):
    sheet = workbook.create_sheet(HELP_TITLE)
    sheet.column_dimensions["A"].width = 110
    now = timezone.localtime()
    departments = "、".join(
        Department.objects.filter(pk__in=department_ids(user)).values_list("name", flat=True)
    )
    lines = help_lines(fiscal_year_label=fiscal_year.label, slots=slots)
    lines[1] = (
        f"書き出し: {now:%Y年%m月%d日 %H:%M}（{user.get_username()}）／ "
        f"担当課: {departments or '（所属なし・参照用）'} ／ {rows}件"
    )
    for index, line in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1, value=_safe(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1:
            cell.font = Font(bold=True, size=14)
        elif line.startswith("■"):
            cell.font = Font(bold=True)
    sheet.protection.sheet = True


# --- import ------------------------------------------------------------------------------


def read_sheet(content: bytes) -> tablib.Dataset:
    """The rows of an uploaded results file; SpreadsheetError for file-level problems."""
    dataset = read_content(content, sheet=SHEET_TITLE)
    require_columns(dataset, REQUIRED_COLUMNS)
    if not len(dataset):
        raise SpreadsheetError(
            "見出しの行しかありません。取り込む行がありません。", code="spreadsheet"
        )
    return dataset


def _ignored_columns(headers: list[str]) -> list[str]:
    known = {
        COL_CODE,
        COL_NAME,
        COL_DEPARTMENTS,
        COL_PLAN,
        COL_STATE,
        COL_STATUS,
        COL_TEXT,
        COL_NOTE,
        COL_YEAR,
        COL_VERSION,
    }
    return [h for h in headers if h and h not in known and not _INDICATOR_COLUMN.match(h)]


def _run(*, user, content: bytes, filename: str, dry_run: bool) -> ImportPreview:
    dataset = read_sheet(content)
    headers = [normalise_header(h) for h in dataset.headers]
    resource = ResultSheetResource(user=user, filename=filename)
    outcome = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    if outcome.base_errors:
        raise SpreadsheetError(
            "ファイルを読み込めませんでした（" + str(outcome.base_errors[0].error) + "）。",
            code="spreadsheet",
        )
    rows = []
    for number, row_result in enumerate(outcome.rows, start=1):
        preview = resource.previews.get(number) or RowPreview(line=source_line(dataset, number - 1))
        if row_result.validation_error is not None:
            preview.problems = _unique(row_result.validation_error.messages)
        elif row_result.errors:
            preview.problems = [
                f"予期しないエラーのため取り込めません（{type(e.error).__name__}）。"
                for e in row_result.errors
            ]
        if row_result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
            preview.problems = preview.problems or ["この行は取り込めません。"]
        rows.append(preview)
    years = sorted(
        {
            cell_text(v)
            for v in (dataset[COL_YEAR] if COL_YEAR in dataset.headers else [])
            if cell_text(v)
        }
    )
    return ImportPreview(
        filename=filename,
        rows=rows,
        years=years,
        ignored_columns=_ignored_columns(headers),
    )


def _unique(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def preview_import(*, user, content: bytes, filename: str) -> ImportPreview:
    """The dry run: every row's change and problems; the database is left as it was."""
    return _run(user=user, content=content, filename=filename, dry_run=True)


class ImportRefused(Exception):
    """Confirming found a refused row (or nothing to change): nothing was applied."""

    def __init__(self, preview: ImportPreview, message: str) -> None:
        super().__init__(message)
        self.preview = preview


def apply_import(*, user, content: bytes, filename: str) -> ImportPreview:
    """Apply every row in one transaction, or none: raises ImportRefused with the preview."""
    with transaction.atomic():
        preview = _run(user=user, content=content, filename=filename, dry_run=False)
        if preview.refused:
            transaction.set_rollback(True)
            raise ImportRefused(
                preview,
                f"取り込めない行が{len(preview.refused)}行あったため、何も取り込んでいません"
                "（確認のあとで他の人が更新したなど）。問題を直してから、もう一度読み込んでください。",
            )
        if not preview.changed:
            raise ImportRefused(preview, "変更のある行がないため、何も取り込んでいません。")
    preview.applied = True
    return preview
