"""What one row of a results file says about its result: the status, texts and actual
values read from its cells, how they differ from what is stored (the preview's changes),
and why a changed row cannot be saved (whose it is, its state, its version, what is
missing). Works on what `lookup.SheetLookup` loaded: it neither queries nor writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from initiatives.models import Indicator, Result
from initiatives.results import transitions
from initiatives.sheets.io import cell_text
from initiatives.sheets.results_workbook.columns import (
    COL_NOTE,
    COL_STATUS,
    COL_TEXT,
    COL_VERSION,
    indicator_column,
    indicator_columns,
)
from initiatives.sheets.results_workbook.preview import Change
from initiatives.sheets.results_workbook.widgets import NumberWidget
from initiatives.vocabulary import (
    ACTUAL_HEADING,
    State,
    Status,
    number_text,
    status_label,
    status_words,
)

EMPTY = "（空）"


@dataclass
class SheetEntry:
    """A row's values as the file has them, and what would change if it were saved."""

    version: int | None
    status: str
    text: str
    note: str
    actuals: dict[int, Decimal | None] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return bool(self.text.strip()) or any(v is not None for v in self.actuals.values())


def shown(value) -> str:
    """A value as the preview shows it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return norm(a) == norm(b)


def compare_texts(result: Result, entry: SheetEntry) -> None:
    """Keep stored text that differs only in spaces or line endings; list the changes."""
    if same_text(entry.text, result.text):
        entry.text = result.text
    if same_text(entry.note, result.note):
        entry.note = result.note
    if entry.status != result.status:
        before, after = status_label(result.status), status_label(entry.status)
        entry.changes.append(Change(COL_STATUS, shown(before), shown(after)))
    if entry.text != result.text:
        entry.changes.append(Change(COL_TEXT, shown(result.text), shown(entry.text)))
    if entry.note != result.note:
        entry.changes.append(Change(COL_NOTE, shown(result.note), shown(entry.note)))


# --- actual values -----------------------------------------------------------------------


def read_actuals(
    row: dict,
    entry: SheetEntry,
    *,
    indicators: list[Indicator],
    current: dict[int, Decimal | None],
) -> None:
    """The actual value of each of the result's `indicators` (in the sheet's order), from
    its 指標k実績値 column, compared with the `current` values (indicator id → value)."""
    for k, indicator in enumerate(indicators, start=1):
        old = current.get(indicator.pk)
        entry.actuals[indicator.pk] = old
        try:
            value = _actual(row, k, indicator, count=len(indicators))
        except ValidationError as error:
            entry.problems.extend(error.messages)
            continue
        entry.actuals[indicator.pk] = value
        if value != old:
            label = f"{ACTUAL_HEADING}（{indicator.name}）"
            entry.changes.append(Change(label, shown(old), shown(value)))
    entry.problems.extend(_values_without_indicator(row, count=len(indicators)))


def _actual(row: dict, k: int, indicator: Indicator, *, count: int) -> Decimal | None:
    name_col, _unit_col, _target_col, actual_col = indicator_columns(k)
    if actual_col not in row:
        raise ValidationError(
            f"列「{actual_col}」がありません（この取組には指標が{count}つ"
            "あります）。書き出し直したファイルを使ってください。"
        )
    named = cell_text(row.get(name_col)) if name_col in row else ""
    if named and named != indicator.name:
        raise ValidationError(
            f"{name_col}が「{named}」ですが、この取組の指標{k}は「{indicator.name}」です。"
            "指標が変わった可能性があるので、書き出し直してください。"
        )
    try:
        return NumberWidget().clean(row.get(actual_col), units=[indicator.unit])
    except ValidationError as error:
        raise ValidationError(
            [f"{actual_col}（{indicator.name}）: {m}" for m in error.messages]
        ) from error


def _values_without_indicator(row: dict, *, count: int) -> list[str]:
    """Actual values written for an indicator the initiative does not have."""
    problems = []
    for header in row:
        column = indicator_column(header)
        extra = column is not None and column[1] == ACTUAL_HEADING and column[0] > count
        if extra and cell_text(row.get(header)):
            problems.append(
                f"この取組には指標{column[0]}がありません"
                f"（{header}: {cell_text(row.get(header))}）。値を消してください。"
            )
    return problems


# --- why a changed row is refused ----------------------------------------------------------


def refusals(result: Result, entry: SheetEntry, *, editable: bool) -> list[str]:
    """Why a changed row cannot be saved (empty when it can)."""
    if not editable:
        return [_locked(result)]
    return [*_version_problems(result, entry.version), *_missing(entry)]


def _locked(result: Result) -> str:
    reason = transitions.locked_reason(result.state)
    if reason:
        return f"{State(result.state).label}のため取り込めません。{reason}"
    return (
        "入力期間外のため取り込めません（推進本部が入力期間を開始していないか、"
        "受付を終了しました）。"
    )


def _version_problems(result: Result, version: int | None) -> list[str]:
    if version is None:
        return [
            f"「{COL_VERSION}」が空か数字ではありません。"
            f"書き出したファイルの「{COL_VERSION}」は変えないでください。"
        ]
    if version == result.version:
        return []
    who = result.updated_by.get_username() if result.updated_by else "他の人"
    when = timezone.localtime(result.updated_at).strftime("%m月%d日 %H:%M")
    return [
        f"書き出した後に {who} さんがこの実施結果を更新しました（{when}、"
        f"書き出し時の版 {version} → 現在の版 {result.version}）。上書きを防ぐため"
        "取り込みません。もう一度書き出して、入力し直してください。"
    ]


def _missing(entry: SheetEntry) -> list[str]:
    problems = []
    if not entry.status and entry.filled:
        problems.append(
            "達成状況が空です。実施結果や実績値を入力した行では、"
            f"達成状況（{status_words()}）も選んでください。"
        )
    if entry.status and not entry.text.strip():
        problems.append("実施結果が空です。達成状況を選んだ行では、実施結果も入力してください。")
    undetermined = status_label(Status.UNDETERMINED)
    if entry.status == Status.UNDETERMINED and not entry.note.strip():
        problems.append(
            f"確定時期が空です。{undetermined}のときは、いつ確定するか（確定時期）を"
            "入力してください。"
        )
    return problems
