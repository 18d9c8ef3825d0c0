"""The product's words, defined once: era labels of fiscal years, the resource names
(ヒト・カネ・モノ・情報), status and state labels, comparison kinds, the column headings
shared by every workbook, table and report, and how numbers are read from people and
written for them. Everything that shows or parses these asks here."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- statuses, states, comparisons -------------------------------------------------------


class Status(models.TextChoices):
    """達成状況: how an initiative's year turned out."""

    ACHIEVED = "achieved", _("達成")
    NOT_ACHIEVED = "not_achieved", _("未達成")
    UNDETERMINED = "undetermined", _("未確定")


class State(models.TextChoices):
    """入力状況: where a result is in the workflow (the transitions live in
    `initiatives.results.transitions`)."""

    NOT_STARTED = "not_started", _("未入力")
    DRAFT = "draft", _("入力中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認済")
    PUBLISHED = "published", _("公開")


class Comparison(models.TextChoices):
    """How an indicator's actual value is compared with its target."""

    AT_LEAST = "at_least", _("以上")
    AT_MOST = "at_most", _("以下")
    LESS_THAN = "less_than", _("未満")
    EQUAL = "equal", _("同値")
    BENCHMARK = "benchmark", _("基準との比較")


# The shape shown beside a status word, so that a status is never told by colour alone.
STATUS_MARKS = {
    Status.ACHIEVED: "●",
    Status.NOT_ACHIEVED: "▲",
    Status.UNDETERMINED: "◆",
}
STATUS_ORDER = (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.UNDETERMINED)


# How an empty value reads in history and correction lists.
NONE = "（なし）"


def status_label(code: str | None, *, empty: str = "") -> str:
    """達成 / 未達成 / 未確定 for a status code; `empty` when there is none."""
    return str(Status(code).label) if code else empty


def status_words(separator: str = "・") -> str:
    """The statuses as staff choose them, for messages and drop-downs: 達成・未達成・未確定."""
    return separator.join(status_label(code) for code in STATUS_ORDER)


def status_from_label(text: str) -> str | None:
    """The status code of a label as people type it (達成, ＿未達成＿ …); None if unknown."""
    normalised = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    for code, label in Status.choices:
        if normalised == str(label):
            return code
    return None


# --- resources ----------------------------------------------------------------------------

# The four resources an initiative secures, in the document's order, with their model field.
RESOURCE_FIELDS = {
    "ヒト": "secures_people",
    "カネ": "secures_money",
    "モノ": "secures_things",
    "情報": "secures_information",
}
RESOURCE_LABELS = tuple(RESOURCE_FIELDS)


# --- column headings shared by the workbooks, open data and reports ------------------------

CODE_HEADING = "取組No."
NAME_HEADING = "取組事項名"
DEPARTMENTS_HEADING = "担当課"
STATUS_HEADING = "達成状況"
RESULT_TEXT_HEADING = "実施結果"
NOTE_HEADING = "確定時期"
PLAN_TEXT_HEADING = "実施計画"
TARGET_HEADING = "目標値"
ACTUAL_HEADING = "実績値"
POLICY_HEADING = "方針"
MEASURE_HEADING = "施策"
DIRECTION_HEADING = "取組の方向性"
NUMERIC_TARGET_HEADING = "数値目標"
ADDED_IN_HEADING = "追加した改訂"
SUMMARY_HEADING = "概要"
TARGET_STATE_HEADING = "めざす姿"
RELATED_PLANS_HEADING = "関連計画"
INDICATOR_HEADING = "指標名"
UNIT_HEADING = "単位"
COMPARISON_HEADING = "目標の種類"
BENCHMARK_HEADING = "比較の基準"
STATE_HEADING = "入力状況"
FISCAL_YEAR_HEADING = "年度"


# --- eras ---------------------------------------------------------------------------------

# (first Western year of the era, era name, one-letter abbreviation)
_ERAS = (
    (2019, "令和", "R"),
    (1989, "平成", "H"),
    (1926, "昭和", "S"),
)


def _era(year: int) -> tuple[str, str, int]:
    for first_year, name, letter in _ERAS:
        if year >= first_year:
            return name, letter, year - first_year + 1
    raise ValueError(f"{year} 年は対応する元号の範囲外です。")


def era_label(year: int) -> str:
    """2023 → 令和5年度; the first year of an era reads 元年度."""
    name, _letter, number = _era(year)
    return f"{name}{'元' if number == 1 else number}年度"


def era_label_western(year: int) -> str:
    """2024 → 令和6年度（2024年度）: the era label with the Western fiscal year beside it."""
    return f"{era_label(year)}（{year}年度）"


def fiscal_year_of(day: datetime.date) -> int:
    """The Japanese fiscal year (April–March) a day falls in: 2027-03-31 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def era_short(year: int) -> str:
    """2023 → R5."""
    _name, letter, number = _era(year)
    return f"{letter}{number}"


# --- numbers ------------------------------------------------------------------------------

NUMBER_ERROR = "数値で入力してください（例: 113、1,234、98.3%、120件）。"
# How numbers may be typed: said in the same words on the entry screen and in the workbooks.
NUMBER_HELP = (
    "数字で入力します。全角数字、「1,234」のような桁区切りのカンマ、"
    "「120件」「98.3%」のような単位付きの数字も読み取ります。"
)
MAX_DECIMALS = 4
_LIMIT = Decimal("1e12")

# Units read after a number (「120件」「98.3%」) by the entry screen and the imports alike;
# an indicator's own unit is added to these.
UNITS = (
    "%",
    "件",
    "人",
    "名",
    "円",
    "千円",
    "万円",
    "億円",
    "回",
    "時間",
    "日",
    "か月",
    "ヵ月",
    "ヶ月",
    "ケ月",
    "カ月",
    "月",
    "年",
    "分",
    "秒",
    "地区",
    "団体",
    "住戸",
    "世帯",
    "戸",
    "社",
    "校",
    "施設",
    "事業",
    "か所",
    "カ所",
    "ヶ所",
    "箇所",
    "台",
    "枚",
    "冊",
    "本",
    "個",
    "ビュー",
    "ポイント",
    "pt",
    "倍",
    "t",
    "kg",
    "ha",
    "km",
    "m",
    "m2",
    "kWh",
)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def number_text(value: Decimal | None) -> str | None:
    """A stored decimal as people read it: no exponent, no trailing zeros (113.0000 → 113)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _strip_unit(text: str, units: Iterable[str]) -> str:
    known = sorted(
        {unicodedata.normalize("NFKC", u).strip() for u in (*UNITS, *units) if u and u.strip()},
        key=len,
        reverse=True,
    )
    for unit in known:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)].rstrip()
    return text


def checked_number(value: Decimal) -> Decimal:
    """A number within what the system stores: below 10^12, at most 4 decimals."""
    if abs(value) >= _LIMIT:
        raise ValidationError("数値が大きすぎます（12桁まで）。")
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    value = value.normalize()
    if -value.as_tuple().exponent > MAX_DECIMALS:
        raise ValidationError(
            f"小数点以下は{MAX_DECIMALS}桁までで入力してください（入力値: {number_text(value)}）。"
        )
    return value


def parse_number(raw: str | None, *, units: Iterable[str] = ()) -> Decimal | None:
    """A number as staff type it, on the entry screen and in a spreadsheet cell alike:
    full-width digits, thousands separators (1,234) and a trailing unit (120件, 98.3%).
    Empty → None; anything else is refused with NUMBER_ERROR."""
    original = raw or ""
    text = unicodedata.normalize("NFKC", original).strip().replace("，", ",")
    text = text.replace("−", "-").replace(" ", "")
    if not text:
        return None
    text = _strip_unit(text, units)
    if "," in text:
        if not _GROUPED.match(text):
            raise ValidationError(
                f"桁区切りのカンマの位置が正しくありません（例: 1,234）（入力値: {original}）。"
            )
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise ValidationError(f"{NUMBER_ERROR}（入力値: {original}）")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(f"{NUMBER_ERROR}（入力値: {original}）") from exc
    return checked_number(value)
