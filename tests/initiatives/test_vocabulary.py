from __future__ import annotations

import pytest

from initiatives.models import FiscalYear
from initiatives.vocabulary import era_label, era_short


@pytest.mark.parametrize(
    ("year", "label", "short"),
    [
        (2023, "令和5年度", "R5"),
        (2024, "令和6年度", "R6"),
        (2025, "令和7年度", "R7"),
        (2026, "令和8年度", "R8"),
        (2019, "令和元年度", "R1"),
        (2018, "平成30年度", "H30"),
    ],
)
def test_it_labels_fiscal_years_in_the_japanese_era(year: int, label: str, short: str) -> None:
    assert era_label(year) == label
    assert era_short(year) == short
    assert FiscalYear(year=year).label == label
    assert FiscalYear(year=year).short_label == short


def test_it_refuses_years_before_the_supported_eras() -> None:
    with pytest.raises(ValueError, match="範囲外"):
        era_label(1900)
