"""The results sheet's columns: their headings (the shared ones from
`initiatives.vocabulary`), the headings of workbooks exported before those were shared
(still read), the k-th indicator's four columns and which columns staff fill in."""

from __future__ import annotations

import re

from initiatives.vocabulary import (
    ACTUAL_HEADING,
    CODE_HEADING,
    DEPARTMENTS_HEADING,
    FISCAL_YEAR_HEADING,
    NAME_HEADING,
    NOTE_HEADING,
    PLAN_TEXT_HEADING,
    RESULT_TEXT_HEADING,
    STATE_HEADING,
    STATUS_HEADING,
    TARGET_HEADING,
    UNIT_HEADING,
)

SHEET_TITLE = "実施結果"
HELP_TITLE = "説明"

COL_CODE = CODE_HEADING
COL_NAME = NAME_HEADING
COL_DEPARTMENTS = DEPARTMENTS_HEADING
COL_PLAN = PLAN_TEXT_HEADING
COL_STATE = STATE_HEADING
COL_STATUS = STATUS_HEADING
COL_TEXT = RESULT_TEXT_HEADING
COL_NOTE = NOTE_HEADING
COL_YEAR = FISCAL_YEAR_HEADING
COL_VERSION = "版"

COLUMNS = (
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
)
REQUIRED_COLUMNS = [COL_CODE, COL_STATUS, COL_TEXT, COL_NOTE, COL_YEAR, COL_VERSION]
FILLED_COLUMNS = (COL_STATUS, COL_TEXT, COL_NOTE)

# Workbooks exported before the headings were shared say 取組番号 and 取組名; departments
# may still be filling them in, so they are read as the current headings.
LEGACY_HEADINGS = {"取組番号": COL_CODE, "取組名": COL_NAME}

READ_ONLY_MARK = "（この行は変更できません）"

# The parts of an indicator's columns: 指標1名, 指標1単位, 指標1目標値, 指標1実績値.
INDICATOR_PARTS = ("名", UNIT_HEADING, TARGET_HEADING, ACTUAL_HEADING)
_INDICATOR_COLUMN = re.compile(rf"^指標(\d+)({'|'.join(INDICATOR_PARTS)})$")


def indicator_columns(k: int) -> tuple[str, str, str, str]:
    """The column headers of the k-th indicator (1-based): name, unit, target, actual."""
    name, unit, target, actual = (f"指標{k}{part}" for part in INDICATOR_PARTS)
    return name, unit, target, actual


def indicator_column(header: str) -> tuple[int, str] | None:
    """(k, part) of an indicator column (指標3実績値 → (3, 実績値)); None for other columns."""
    match = _INDICATOR_COLUMN.match(str(header))
    return (int(match.group(1)), match.group(2)) if match else None


def is_fill_column(header: str) -> bool:
    """A column staff fill in (yellow and unlocked on editable rows)."""
    indicator = indicator_column(header)
    return header in FILLED_COLUMNS or (indicator is not None and indicator[1] == ACTUAL_HEADING)


def current_headings(headers: list[str]) -> list[str]:
    """The headers of a file with the legacy headings read as today's."""
    return [LEGACY_HEADINGS.get(header, header) for header in headers]


def ignored_columns(headers: list[str]) -> list[str]:
    """Columns of a file the import does not read (shown on the preview)."""
    return [h for h in headers if h and h not in COLUMNS and indicator_column(h) is None]
