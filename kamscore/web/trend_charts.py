"""Trend lines and distributions as inline SVG, drawn on the server (no JavaScript, no CDN).

Sized for a phone: the drawing is 360 units wide and scales to its box, so on a 360 px
screen its text is at its nominal size. Like ``charts.py``: ``<svg role="img">`` with a
``<title>`` and a ``<desc>`` that say every value in words; every point carries its value
as text and a marker, and a reference line is dashed and named — nothing relies on colour.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
HEIGHT = 190
LEFT, RIGHT, TOP, BOTTOM = 14, 14, 22, 40
LINE = "#1f5f99"
INK = "#1a1a1a"
MUTED = "#4a4a4a"
_ids = itertools.count(1)

Format = Callable[[float], str]


@dataclass(frozen=True)
class Point:
    label: str  # the period
    value: float | None  # None: no value that period (a gap in the line)


def _range(values: Sequence[float], floor: float | None) -> tuple[float, float]:
    low, high = min(values), max(values)
    if floor is not None:
        low = min(low, floor)
    if math.isclose(low, high):
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.12
    return (low if floor is not None and low == floor else low - pad), high + pad


def trend_chart(points: Sequence[Point], *, title: str, value_format: Format,
                reference: tuple[float, str] | None = None,
                floor: float | None = None) -> Markup:
    """A line through ``points`` (oldest first), each point's value written above it;
    ``reference`` (value, name) is a dashed line, e.g. the target; ``floor`` keeps the axis
    down to it (0 for money)."""
    chart_id = f"trend{next(_ids)}"
    known = [p.value for p in points if p.value is not None]
    said = "; ".join(f"{p.label}: {value_format(p.value) if p.value is not None else 'none'}"
                     for p in points)
    if reference is not None:
        said += f". {reference[1]}: {value_format(reference[0])}"
    parts = [
        f'<svg class="trend" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(said or "no values")}.</desc>',
    ]
    if not known:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                     f'font-size="13" fill="{MUTED}">No values yet</text></svg>')
        return Markup("".join(parts))
    values = known + ([reference[0]] if reference is not None else [])
    low, high = _range(values, floor)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (step * i if len(points) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    base = TOP + plot_h
    parts.append(f'<path d="M{LEFT} {base:.1f}H{WIDTH - RIGHT}" stroke="#6b6b6b"/>')
    if reference is not None:
        ry = y(reference[0])
        parts.append(f'<path d="M{LEFT} {ry:.1f}H{WIDTH - RIGHT}" stroke="{MUTED}" '
                     f'stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{ry - 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="{MUTED}">{escape(reference[1])}</text>')
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, p in enumerate(points):
        if p.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f} {y(p.value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<path d="M{"L".join(seg)}" stroke="{LINE}" stroke-width="2.5" '
                         f'fill="none"/>')
    crowded = len(points) > 6
    for i, p in enumerate(points):
        anchor = "start" if i == 0 and len(points) > 1 else (
            "end" if i == len(points) - 1 and len(points) > 1 else "middle")
        if not crowded or i % 2 == (len(points) - 1) % 2:
            parts.append(f'<text x="{x(i):.1f}" y="{base + 16}" text-anchor="{anchor}" '
                         f'font-size="12" fill="{MUTED}">{escape(p.label)}</text>')
        if p.value is None:
            continue
        py = y(p.value)
        parts.append(f'<circle cx="{x(i):.1f}" cy="{py:.1f}" r="4" fill="{LINE}" '
                     f'stroke="#ffffff" stroke-width="1.5"/>')
        if not crowded or i == len(points) - 1:
            label_y = py - 9 if py - 9 > TOP - 8 else py + 18
            parts.append(f'<text x="{x(i):.1f}" y="{label_y:.1f}" text-anchor="{anchor}" '
                         f'font-size="12" font-weight="bold" fill="{INK}">'
                         f'{escape(value_format(p.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Bucket:
    label: str  # e.g. "80 to 100 %"
    count: int


def histogram(buckets: Sequence[Bucket], *, title: str, unit: str = "KAMs") -> Markup:
    """Vertical bars, one per bucket, each with its count written above it."""
    chart_id = f"hist{next(_ids)}"
    said = "; ".join(f"{b.label}: {b.count} {unit}" for b in buckets)
    parts = [
        f'<svg class="trend" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(said or "no values")}.</desc>',
    ]
    top = max((b.count for b in buckets), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(buckets), 1)
    base = TOP + plot_h
    for i, b in enumerate(buckets):
        height = plot_h * b.count / top
        bx = LEFT + slot * i + slot * 0.12
        parts.append(f'<rect x="{bx:.1f}" y="{base - height:.1f}" width="{slot * 0.76:.1f}" '
                     f'height="{height:.1f}" fill="{LINE}"/>')
        cx = LEFT + slot * (i + 0.5)
        parts.append(f'<text x="{cx:.1f}" y="{base - height - 5:.1f}" text-anchor="middle" '
                     f'font-size="12" font-weight="bold" fill="{INK}">{b.count}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle" '
                     f'font-size="11" fill="{MUTED}">{escape(b.label)}</text>')
    parts.append(f'<path d="M{LEFT} {base:.1f}H{WIDTH - RIGHT}" stroke="#6b6b6b"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
