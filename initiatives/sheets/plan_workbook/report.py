"""What a plan import would do, row by row, as the preview shows it: each row's changes
(old → new), whether it is new, its problems, and a fingerprint of the changes shown so
that a confirmation applies exactly what was seen. Nothing here reads or writes the
database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from initiatives.sheets.plan_workbook.columns import INDICATOR_SHEET, INITIATIVE_SHEET

NEW, CHANGED, UNCHANGED, PROBLEM = "新規", "変更", "変更なし", "問題あり"


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
            return PROBLEM
        if self.new:
            return NEW
        return CHANGED if self.changes else UNCHANGED

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
            sheet: {kind: self.count(rows, kind) for kind in (NEW, CHANGED, UNCHANGED, PROBLEM)}
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
