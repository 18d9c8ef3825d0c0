"""Geometry of the server-rendered SVG charts; the templates only draw what this computes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from initiatives.public.selectors import PublicIndicator, Tally
from initiatives.vocabulary import number_text

BAR_WIDTH = 100.0  # the stacked bars are drawn in a 0–100 viewBox (percent)


@dataclass
class Segment:
    status: str
    label: str
    count: int
    share: float
    x: float
    width: float
    text_x: float
    show_text: bool


@dataclass
class StackedBar:
    tally: Tally
    segments: list[Segment]


def stacked_bar(tally: Tally) -> StackedBar:
    """One 100% bar of a tally: a segment per status, its width the status's share."""
    segments = []
    x = 0.0
    for count in tally.counts:
        width = BAR_WIDTH * count.count / tally.total if tally.total else 0.0
        segments.append(
            Segment(
                status=count.status,
                label=count.label,
                count=count.count,
                share=count.share,
                x=round(x, 2),
                width=round(width, 2),
                text_x=round(x + width / 2, 2),
                show_text=width >= 9,
            )
        )
        x += width
    return StackedBar(tally=tally, segments=segments)


@dataclass
class Bar:
    kind: str  # "target" or "actual"
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float


@dataclass
class YearBars:
    year_label: str
    label_x: float
    bars: list[Bar]


@dataclass
class IndicatorChart:
    indicator: PublicIndicator
    width: int
    height: int
    baseline: float
    label_y: float
    groups: list[YearBars]
    max_text: str
    has_values: bool


CHART_WIDTH = 480
CHART_HEIGHT = 220
PLOT_TOP = 24
PLOT_BOTTOM = 180
BAR = 26


def indicator_chart(indicator: PublicIndicator) -> IndicatorChart:
    """Target and published actual per fiscal year as pairs of vertical bars."""
    values = [v for year in indicator.years for v in (year.target, year.actual) if v is not None]
    top = max((abs(v) for v in values), default=Decimal(0))
    unit = indicator.indicator.unit
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = CHART_WIDTH / max(len(indicator.years), 1)
    groups = []
    for index, year in enumerate(indicator.years):
        centre = slot * index + slot / 2
        bars = []
        for offset, kind, label, value in (
            (-BAR - 2, "target", "目標値", year.target),
            (2, "actual", "実績値", year.actual),
        ):
            if value is None:
                continue
            height = float(abs(value) / top * plot_height) if top else 0.0
            bars.append(
                Bar(
                    kind=kind,
                    label=label,
                    value_text=f"{number_text(value)}{unit}",
                    x=round(centre + offset, 2),
                    y=round(PLOT_BOTTOM - height, 2),
                    width=BAR,
                    height=round(height, 2),
                    text_x=round(centre + offset + BAR / 2, 2),
                    text_y=round(PLOT_BOTTOM - height - 4, 2),
                )
            )
        groups.append(
            YearBars(year_label=year.fiscal_year.label, label_x=round(centre, 2), bars=bars)
        )
    return IndicatorChart(
        indicator=indicator,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        baseline=PLOT_BOTTOM,
        label_y=PLOT_BOTTOM + 18,
        groups=groups,
        max_text=f"{number_text(top)}{unit}" if values else "",
        has_values=bool(values),
    )
