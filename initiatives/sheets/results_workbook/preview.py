"""What importing a results file does, row by row, as the confirmation screen shows it:
each row's changes (before → after), its problems, and whether the file can be applied."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    findings: str = ""  # 確認事項: results.consistency.sheet_findings

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
