"""Geometry for the progress charts: numbers in, SVG coordinates out.

The charts are drawn as inline SVG by the templates (``role="img"`` with a title and a
description) and every number is also in a real table beside them, so the SVG is a
picture for sighted readers and never the only way to the figures. Kept pure so the
scales are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from confide.api.web.format import day

__all__ = ["Bar", "BarChart", "LineChart", "Point", "Series", "bar_chart", "line_chart"]

WIDTH = 640
HEIGHT = 260
LEFT = 44
RIGHT = 16
TOP = 20
BOTTOM = 44


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    label_x: float


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) for the gridlines


def _nice_max(value: int) -> int:
    """A round top for the axis: at least 1, then 2, 4, 5, 10, 20, 50 …"""
    for step in (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value <= step:
            return step
    return value


def bar_chart(values: Sequence[tuple[date, int]]) -> BarChart:
    """Bars for weekly counts; the y axis starts at zero so bar heights compare honestly."""
    top = _nice_max(max((v for _, v in values), default=0))
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    baseline = float(TOP + inner_h)
    slot = inner_w / max(1, len(values))
    bar_w = slot * 0.6
    bars = []
    for i, (start, value) in enumerate(values):
        h = inner_h * value / top
        x = LEFT + i * slot + (slot - bar_w) / 2
        bars.append(Bar(round(x, 1), round(baseline - h, 1), round(bar_w, 1), round(h, 1),
                        value, day(start), round(x + bar_w / 2, 1)))
    step = max(1, top // 4)
    ticks = [(round(baseline - inner_h * v / top, 1), v) for v in range(0, top + 1, step)]
    return BarChart(WIDTH, HEIGHT, baseline, bars, ticks)


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    series: list[Series]
    ticks: list[tuple[float, int]]  # ratings 1..5
    x_labels: list[tuple[float, str]]


def line_chart(series: Sequence[tuple[str, Sequence[tuple[date, int]]]]) -> LineChart:
    """Ratings (1–5) over time, one line per partner, on a shared time axis."""
    days = sorted({d for _, pts in series for d, _ in pts})
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    first = days[0] if days else date.today()
    span = max(1, (days[-1] - first).days) if days else 1

    def x_of(d: date) -> float:
        if len(days) <= 1:
            return round(LEFT + inner_w / 2, 1)
        return round(LEFT + inner_w * (d - first).days / span, 1)

    def y_of(rating: int) -> float:
        return round(TOP + inner_h * (5 - rating) / 4, 1)

    drawn = [Series(name, [Point(x_of(d), y_of(r), r, day(d)) for d, r in pts])
             for name, pts in series]
    ticks = [(y_of(r), r) for r in range(1, 6)]
    shown = days if len(days) <= 6 else [days[0], days[len(days) // 2], days[-1]]
    return LineChart(WIDTH, HEIGHT, drawn, ticks, [(x_of(d), day(d)) for d in shown])
