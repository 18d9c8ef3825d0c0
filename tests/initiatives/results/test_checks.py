"""The consistency rules of a result, each comparison kind at its boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from initiatives.results.checks import Code, Figure, Severity, findings, target_met

D = Decimal


def figure(comparison: str, target: str | None, actual: str | None) -> Figure:
    return Figure(
        name="指標",
        unit="名",
        comparison=comparison,
        target=None if target is None else D(target),
        actual=None if actual is None else D(actual),
    )


@pytest.mark.parametrize(
    ("comparison", "actual", "met"),
    [
        ("at_least", "19.99", False),
        ("at_least", "20", True),
        ("at_least", "20.01", True),
        ("at_most", "19.99", True),
        ("at_most", "20", True),
        ("at_most", "20.01", False),
        ("less_than", "19.99", True),
        ("less_than", "20", False),
        ("less_than", "20.01", False),
        ("equal", "19.99", False),
        ("equal", "20", True),
        ("equal", "20.01", False),
    ],
)
def test_it_judges_each_comparison_at_its_boundary(comparison, actual, met) -> None:
    assert target_met(comparison=comparison, target=D("20"), actual=D(actual)) is met
    codes = [
        f.code
        for f in findings(status="achieved", note="", figures=[figure(comparison, "20", actual)])
    ]
    assert codes == ([] if met else [Code.ACHIEVED_BUT_MISSED])
    codes = [
        f.code
        for f in findings(
            status="not_achieved", note="", figures=[figure(comparison, "20", actual)]
        )
    ]
    assert codes == ([Code.NOT_ACHIEVED_BUT_MET] if met else [])


def test_it_never_judges_a_benchmark_comparison() -> None:
    assert target_met(comparison="benchmark", target=D("1"), actual=D("100")) is None
    assert findings(status="achieved", note="", figures=[figure("benchmark", "1", "100")]) == []
    assert findings(status="not_achieved", note="", figures=[figure("benchmark", "1", "0")]) == []


def test_it_warns_about_achieved_below_target_with_the_figures_in_the_message() -> None:
    (finding,) = findings(status="achieved", note="", figures=[figure("at_least", "20", "15")])
    assert finding.severity is Severity.WARNING and finding.needs_reason
    assert finding.message == "「達成」ですが、指標の実績 15名 は目標 20名以上 に届いていません。"


def test_it_flags_not_achieved_only_when_every_target_is_met() -> None:
    met, missed = figure("at_least", "20", "25"), figure("at_most", "5", "6")
    assert findings(status="not_achieved", note="", figures=[met, missed]) == []
    (finding,) = findings(status="not_achieved", note="", figures=[met, met])
    assert finding.code is Code.NOT_ACHIEVED_BUT_MET
    assert findings(status="not_achieved", note="", figures=[]) == []


def test_it_requires_a_note_for_undetermined_and_an_actual_for_each_target() -> None:
    codes = {
        f.code: f.severity
        for f in findings(status="undetermined", note="  ", figures=[figure("at_least", "1", None)])
    }
    assert codes == {
        Code.UNDETERMINED_WITHOUT_NOTE: Severity.ERROR,
        Code.MISSING_ACTUAL: Severity.ERROR,
    }
    assert (
        findings(status="undetermined", note="令和7年9月", figures=[figure("at_least", None, None)])
        == []
    )
