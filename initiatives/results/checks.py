"""Consistency checks of a result: does its 達成状況 agree with its own figures?

One rule set, used wherever a result is entered, reviewed, approved, published or shown:
- 達成 while an actual misses its target (per the indicator's comparison) → warning;
- 未達成 while every comparable target is met → warning;
- 未確定 without 確定時期 → error (absolute: it cannot be submitted);
- a target without an actual → error (absolute).
A warning may be accepted with a one-line reason (kept with the result and shown publicly
beside the status); an error must be fixed. 「基準との比較」 indicators compare with a
benchmark outside the system, so they are never judged here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from initiatives.vocabulary import Comparison, Status, number_text


class Severity(StrEnum):
    WARNING = "warning"  # may be submitted with a reason
    ERROR = "error"  # must be fixed before submitting


class Code(StrEnum):
    ACHIEVED_BUT_MISSED = "achieved_but_missed"
    NOT_ACHIEVED_BUT_MET = "not_achieved_but_met"
    UNDETERMINED_WITHOUT_NOTE = "undetermined_without_note"
    MISSING_ACTUAL = "missing_actual"


@dataclass(frozen=True)
class Figure:
    """One indicator of a result: its comparison, this year's target and the actual."""

    name: str
    unit: str
    comparison: str
    target: Decimal | None
    actual: Decimal | None


@dataclass(frozen=True)
class Finding:
    """One inconsistency, with a Japanese message for staff and citizens alike."""

    code: Code
    severity: Severity
    message: str
    indicator: str = ""

    @property
    def needs_reason(self) -> bool:
        return self.severity is Severity.WARNING


def target_met(*, comparison: str, target: Decimal, actual: Decimal) -> bool | None:
    """Whether `actual` meets `target`; None when the comparison cannot be judged here."""
    match Comparison(comparison):
        case Comparison.AT_LEAST:
            return actual >= target
        case Comparison.AT_MOST:
            return actual <= target
        case Comparison.LESS_THAN:
            return actual < target
        case Comparison.EQUAL:
            return actual == target
    return None


def _figure_text(figure: Figure, value: Decimal | None) -> str:
    return f"{number_text(value)}{figure.unit}"


def findings(*, status: str, note: str, figures: list[Figure]) -> list[Finding]:
    """The findings of one result (empty when it is consistent)."""
    found: list[Finding] = []
    if status == Status.UNDETERMINED and not note.strip():
        found.append(
            Finding(
                Code.UNDETERMINED_WITHOUT_NOTE,
                Severity.ERROR,
                "未確定のときは、いつ確定するか（確定時期）を入力してください。",
            )
        )
    judged: list[tuple[Figure, bool]] = []
    for figure in figures:
        if figure.target is None:
            continue
        if figure.actual is None:
            found.append(
                Finding(
                    Code.MISSING_ACTUAL,
                    Severity.ERROR,
                    f"「{figure.name}」は目標値があるので、実績値を入力してください。",
                    figure.name,
                )
            )
            continue
        met = target_met(comparison=figure.comparison, target=figure.target, actual=figure.actual)
        if met is not None:
            judged.append((figure, met))
    if status == Status.ACHIEVED:
        for figure, met in judged:
            if not met:
                label = Comparison(figure.comparison).label
                found.append(
                    Finding(
                        Code.ACHIEVED_BUT_MISSED,
                        Severity.WARNING,
                        f"「達成」ですが、{figure.name}の実績 {_figure_text(figure, figure.actual)}"
                        f" は目標 {_figure_text(figure, figure.target)}{label} に届いていません。",
                        figure.name,
                    )
                )
    if status == Status.NOT_ACHIEVED and judged and all(met for _figure, met in judged):
        found.append(
            Finding(
                Code.NOT_ACHIEVED_BUT_MET,
                Severity.WARNING,
                "「未達成」ですが、すべての指標が目標を満たしています。",
            )
        )
    return found
