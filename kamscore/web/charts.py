"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, no chart library.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that state every
value in words, so a screen reader reads the same figures the eye sees; the pages also put
the numbers in a table next to the chart. All text is escaped. Colours have at least 4.5:1
contrast on white, and values are printed next to the bars, so nothing relies on colour.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 110
ROW = 30
BAR = 18
TOP = 8
AXIS = 22
COLOURS = {"default": "#1f5f99", "self": "#8a4b00", "low": "#a3262a", "mid": "#5c5c5c",
           "high": "#1d6b3a"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` from ``start`` (default: the axis minimum); optional interval
    ``low``..``high`` drawn as a whisker; ``kind`` picks the colour (see ``COLOURS``)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    kind: str = "default"
    note: str = ""  # shown instead of a bar when value is None


def bar_chart(bars: Sequence[Bar], *, minimum: float, maximum: float, title: str,
              value_format: Callable[[float], str] = lambda v: f"{v:.2f}",
              ticks: Sequence[float] | None = None) -> Markup:
    """A horizontal bar chart of ``bars`` on the axis ``minimum``..``maximum``."""
    if maximum <= minimum:
        raise ValueError("the axis maximum must be above its minimum")
    chart_id = f"chart{next(_ids)}"
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW * len(bars) + AXIS

    def x(value: float) -> float:
        clamped = min(max(value, minimum), maximum)
        return LABEL_WIDTH + plot * (clamped - minimum) / (maximum - minimum)

    zero = x(0) if minimum < 0 < maximum else x(minimum)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(bars, value_format))}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        mid = y + ROW / 2
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{mid + 4:.1f}" text-anchor="end" '
                     f'font-size="13" fill="#1a1a1a">{escape(_short(bar.label))}</text>')
        if bar.value is None:
            parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{mid + 4:.1f}" font-size="12" '
                         f'fill="#4a4a4a" font-style="italic">{escape(bar.note)}</text>')
            continue
        start, end = sorted((zero, x(bar.value)))
        colour = COLOURS.get(bar.kind, COLOURS["default"])
        parts.append(f'<rect x="{start:.1f}" y="{mid - BAR / 2:.1f}" width="{end - start:.1f}" '
                     f'height="{BAR}" fill="{colour}"/>')
        if bar.low is not None and bar.high is not None:
            lo, hi = x(bar.low), x(bar.high)
            parts.append(f'<path d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 6:.1f}'
                         f'V{mid + 6:.1f}M{hi:.1f} {mid - 6:.1f}V{mid + 6:.1f}" '
                         f'stroke="#1a1a1a" stroke-width="1.5" fill="none"/>')
        parts.append(f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{mid + 4:.1f}" font-size="13" '
                     f'fill="#1a1a1a">{escape(value_format(bar.value))}</text>')
    axis_y = TOP + ROW * len(bars) + 4
    parts.append(f'<path d="M{LABEL_WIDTH} {axis_y}H{LABEL_WIDTH + plot}" stroke="#6b6b6b"/>')
    for tick in ticks if ticks is not None else (minimum, maximum):
        parts.append(f'<text x="{x(tick):.1f}" y="{axis_y + 15}" font-size="11" '
                     f'text-anchor="middle" fill="#4a4a4a">{escape(value_format(tick))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(bars: Sequence[Bar], value_format: Callable[[float], str]) -> str:
    said = []
    for bar in bars:
        if bar.value is None:
            said.append(f"{bar.label}: {bar.note or 'no value'}")
            continue
        text = f"{bar.label}: {value_format(bar.value)}"
        if bar.low is not None and bar.high is not None:
            text += f" (interval {value_format(bar.low)} to {value_format(bar.high)})"
        said.append(text)
    return "; ".join(said) + "."


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
