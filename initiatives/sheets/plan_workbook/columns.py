"""The plan workbook's sheets and columns: sheet names, column headings (the shared ones
from `initiatives.vocabulary`), the year columns of the plan period, how a 取組の方向性 is
written, and how codes and names in cells are compared."""

from __future__ import annotations

import re
import unicodedata

from initiatives.models import Direction, Plan
from initiatives.sheets.io import cell_text
from initiatives.vocabulary import (
    ADDED_IN_HEADING,
    BENCHMARK_HEADING,
    CODE_HEADING,
    COMPARISON_HEADING,
    DEPARTMENTS_HEADING,
    DIRECTION_HEADING,
    INDICATOR_HEADING,
    NAME_HEADING,
    NUMERIC_TARGET_HEADING,
    PLAN_TEXT_HEADING,
    RELATED_PLANS_HEADING,
    RESOURCE_FIELDS,
    SUMMARY_HEADING,
    TARGET_HEADING,
    TARGET_STATE_HEADING,
    UNIT_HEADING,
    era_label,
)

INITIATIVE_SHEET = "取組"
INDICATOR_SHEET = "指標"
DIRECTION_SHEET = "方向性一覧"
DEPARTMENT_SHEET = "担当課一覧"
GUIDE_SHEET = "説明"

REFERENCE = "（参考）"

CODE = CODE_HEADING
NAME = NAME_HEADING
DIRECTION = DIRECTION_HEADING
DEPARTMENTS = DEPARTMENTS_HEADING
NUMERIC_TARGET = NUMERIC_TARGET_HEADING
ADDED_IN = ADDED_IN_HEADING + REFERENCE
SUMMARY = SUMMARY_HEADING
TARGET_STATE = TARGET_STATE_HEADING
RELATED_PLANS = RELATED_PLANS_HEADING
# (model field, column) of the four resources, in the document's order.
RESOURCES = tuple((field, label) for label, field in RESOURCE_FIELDS.items())
NAME_REFERENCE = NAME_HEADING + REFERENCE
INDICATOR_NAME = INDICATOR_HEADING
UNIT = UNIT_HEADING
COMPARISON = COMPARISON_HEADING
BENCHMARK = BENCHMARK_HEADING
PLAN_PREFIX = PLAN_TEXT_HEADING
TARGET_PREFIX = TARGET_HEADING

MARK = "○"

_YEAR_COLUMN = re.compile(rf"^({PLAN_PREFIX}|{TARGET_PREFIX})\s*(令和|平成)(元|\d+)年度$")
_ERA_START = {"令和": 2018, "平成": 1988}


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.start_year, plan.end_year + 1))


def plan_column(year: int) -> str:
    return f"{PLAN_PREFIX} {era_label(year)}"


def target_column(year: int) -> str:
    return f"{TARGET_PREFIX} {era_label(year)}"


def year_of_column(header: str) -> int | None:
    """The fiscal year of a 実施計画/目標値 column (実施計画 令和7年度 → 2025); None otherwise."""
    match = _YEAR_COLUMN.match(header)
    if not match:
        return None
    number = 1 if match.group(3) == "元" else int(match.group(3))
    return _ERA_START[match.group(2)] + number


def direction_code(direction: Direction) -> str:
    """方針-施策-方向性, e.g. 1-1-1 for 方針1 (1) ①."""
    return f"{direction.measure.policy.number}-{direction.measure.number}-{direction.number}"


def direction_label(direction: Direction) -> str:
    return f"{direction_code(direction)} {direction.title}"


def nfkc(text: str) -> str:
    """Text as compared: full-width letters and digits as half-width, ends trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def code_of(raw) -> str:
    """A 取組No. cell as stored: half-width, upper case (r7-1 → R7-1)."""
    return nfkc(cell_text(raw)).upper()


def same_text(old: str, new: str) -> bool:
    """Stored text equal to a cell but for line endings and surrounding spaces."""
    return old.replace("\r\n", "\n").strip() == new
