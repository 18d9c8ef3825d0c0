"""The plan workbook's cells: one django-import-export widget per kind of value, which
renders it for the sheet on export and reads it back (with a Japanese message saying what
to write instead) on import."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from import_export import widgets

from initiatives.models import Department, Direction, Initiative
from initiatives.sheets.io import cell_text, parse_number_cell
from initiatives.sheets.plan_workbook.columns import (
    CODE,
    DEPARTMENT_SHEET,
    DIRECTION_SHEET,
    MARK,
    code_of,
    direction_code,
    direction_label,
    nfkc,
)
from initiatives.vocabulary import Comparison, number_text

_TRUE_MARKS = {"○", "〇", "◯", "●", "◎", "✓", "✔", "1", "true", "yes", "はい", "有", "あり"}
_FALSE_MARKS = {"", "×", "✕", "0", "false", "no", "いいえ", "無", "なし", "-", "ー", "―", "—"}
_SPLIT_DEPARTMENTS = re.compile(r"[、,，;；\n]+")
_CODE_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
_DIRECTION_CODE = re.compile(r"^(\d+)-(\d+)-(\d+)(?:\s+(.*))?$", re.DOTALL)


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
    """取組No.: half-width letters, digits and hyphens (91, R7-1)."""

    def __init__(self) -> None:
        super().__init__(required=True, max_length=Initiative._meta.get_field("code").max_length)

    def clean(self, value, row=None, **kwargs) -> str:
        code = code_of(super().clean(value, row, **kwargs))
        if not _CODE_PATTERN.match(code):
            raise ValidationError(
                f"{CODE}は半角英数字とハイフンで書いてください（例: 91、R7-1。入力値: {code}）。"
            )
        return code


class FlagWidget(widgets.Widget):
    """○ or empty."""

    def clean(self, value, row=None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        text = nfkc(cell_text(value)).lower()
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
        self.by_title = {nfkc(d.title): d for d in directions}

    def clean(self, value, row=None, **kwargs) -> Direction:
        text = nfkc(cell_text(value))
        if not text:
            raise ValidationError(
                f"入力してください（必須です）。「{DIRECTION_SHEET}」シートの値を選びます。"
            )
        match = _DIRECTION_CODE.match(text)
        if match:
            return self._by_code(match, shown=cell_text(value))
        direction = self.by_title.get(text)
        if direction is None:
            raise ValidationError(
                f"「{cell_text(value)}」はプランにない方向性です。"
                f"「{DIRECTION_SHEET}」シートの値（例: 1-1-1 …）を選んでください。"
            )
        return direction

    def _by_code(self, match: re.Match, *, shown: str) -> Direction:
        code = "-".join(match.group(i) for i in (1, 2, 3))
        direction = self.by_code.get(code)
        if direction is None:
            raise ValidationError(
                f"「{shown}」はプランにない方向性です。"
                f"「{DIRECTION_SHEET}」シートの値を選んでください。"
            )
        title = (match.group(4) or "").strip()
        if title and title != nfkc(direction.title):
            raise ValidationError(
                f"コード {code} と名称が合いません（{code} は「{direction.title}」です）。"
            )
        return direction

    def render(self, value, obj=None, **kwargs) -> str:
        return direction_label(value) if value else ""


class DepartmentsWidget(widgets.Widget):
    """担当課: existing departments by name, separated by 「、」, in the order written."""

    def __init__(self, departments: list[Department]) -> None:
        super().__init__()
        self.by_name = {nfkc(d.name): d for d in departments}

    def clean(self, value, row=None, **kwargs) -> list[Department]:
        names = [n.strip() for n in _SPLIT_DEPARTMENTS.split(cell_text(value)) if n.strip()]
        if not names:
            raise ValidationError("担当課を1つ以上入力してください（必須です）。")
        unknown = [n for n in names if nfkc(n) not in self.by_name]
        if unknown:
            raise ValidationError(
                "登録されていない担当課です: "
                + "、".join(f"「{n}」" for n in unknown)
                + f"。「{DEPARTMENT_SHEET}」シートの名前で書いてください"
                "（新しい担当課は、先に管理画面の「担当課」で登録します）。"
            )
        chosen = [self.by_name[nfkc(n)] for n in names]
        if len({d.pk for d in chosen}) != len(chosen):
            raise ValidationError("同じ担当課が2回書かれています。")
        return chosen

    def render(self, value, obj=None, **kwargs) -> str:
        return "、".join(d.name for d in value or [])


class ComparisonWidget(widgets.Widget):
    """目標の種類 by its label (以上, 基準との比較 …) or its stored value."""

    LABELS = {str(label): value for value, label in Comparison.choices}

    def clean(self, value, row=None, **kwargs) -> str:
        text = nfkc(cell_text(value))
        if text in self.LABELS:
            return self.LABELS[text]
        if text in self.LABELS.values():
            return text
        raise ValidationError(
            f"{'・'.join(self.LABELS)} のいずれかにしてください（入力値: {cell_text(value)}）。"
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return str(Comparison(value).label) if value else ""


class NumberWidget(widgets.Widget):
    """A target value, read in the same forms as the entry screen reads numbers."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        return parse_number_cell(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return number_text(value) or ""
