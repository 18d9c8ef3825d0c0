"""The product's words, defined once: era labels of fiscal years, the resource names
(ヒト・カネ・モノ・情報), status and state labels, comparison kinds, and how numbers are read
from people and written for them. Everything that shows or parses these asks here."""

from __future__ import annotations

# The four resources an initiative secures, in the document's order.
RESOURCE_LABELS = ("ヒト", "カネ", "モノ", "情報")

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


def era_short(year: int) -> str:
    """2023 → R5."""
    _name, letter, number = _era(year)
    return f"{letter}{number}"
