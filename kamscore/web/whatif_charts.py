"""What-if's charts as inline SVG, drawn on the server (no JavaScript, no CDN).

Two series on every chart — the published plan and the draft — told apart without colour:
the published plan is drawn as an outline filled with diagonal hatching, the draft as a
solid bar, each named in a legend that shows the same pattern; every bar of the draft has
its value written next to it. ``<title>`` and ``<desc>`` state every figure in words.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

WIDTH = 640
INK, DRAFT, BASE = "#1a1a1a", "#1f5f99", "#5c5c5c"
_ids = itertools.count(1)

Format = Callable[[float], str]


def _head(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<path d="M0 0V6" stroke="{BASE}" stroke-width="2"/></pattern></defs>',
    ]


def _legend(chart_id: str, y: float, names: tuple[str, str]) -> str:
    base = escape(_("%(name)s (hatched)", name=names[0]))
    draft = escape(_("%(name)s (solid)", name=names[1]))
    return (f'<rect x="8" y="{y}" width="16" height="12" fill="url(#{chart_id}-hatch)" '
            f'stroke="{BASE}"/><text x="30" y="{y + 11}" font-size="13" fill="{INK}">{base}'
            f'</text><rect x="240" y="{y}" width="16" height="12" fill="{DRAFT}"/>'
            f'<text x="262" y="{y + 11}" font-size="13" fill="{INK}">{draft}</text>')


def _names(names: tuple[str, str] | None) -> tuple[str, str]:
    return names or (_("Published"), _("Draft"))


def histogram_chart(bins: Sequence[Mapping[str, Any]], *, money: Format, count: Format,
                    names: tuple[str, str] | None = None) -> Markup:
    """The number of KAMs per payout range, the published plan's hatched and the draft's
    solid and narrower in front of it."""
    chart_id = f"wic{next(_ids)}"
    left, right, top, plot_h = 48, 12, 28, 170
    height = top + plot_h + 44
    most = max([1, *(max(b["baseline"], b["draft"]) for b in bins)])
    slot = (WIDTH - left - right) / max(1, len(bins))
    names = _names(names)
    desc = "; ".join(_("%(low)s to %(high)s: %(base)s %(base_count)s, %(draft)s %(draft_count)s "
                       "KAMs", low=money(b["low"]), high=money(b["high"]), base=names[0],
                       base_count=count(b["baseline"]), draft=names[1],
                       draft_count=count(b["draft"])) for b in bins) + "."
    parts = _head(chart_id, height, _("Number of KAMs by payout"), desc)
    parts.append(_legend(chart_id, 4, names))

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / most

    for i, b in enumerate(bins):
        x = left + i * slot
        if b["baseline"]:
            parts.append(f'<rect x="{x + 2:.1f}" y="{y(b["baseline"]):.1f}" '
                         f'width="{slot - 4:.1f}" height="{top + plot_h - y(b["baseline"]):.1f}"'
                         f' fill="url(#{chart_id}-hatch)" stroke="{BASE}"/>')
        if b["draft"]:
            parts.append(f'<rect x="{x + slot * 0.25:.1f}" y="{y(b["draft"]):.1f}" '
                         f'width="{slot * 0.5:.1f}" height="{top + plot_h - y(b["draft"]):.1f}" '
                         f'fill="{DRAFT}"/>')
        label_y = min(y(b["draft"]), y(b["baseline"])) - 3
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{label_y:.1f}" font-size="11" '
                     f'text-anchor="middle" fill="{INK}">{escape(count(b["draft"]))}</text>')
        if i % max(1, round(len(bins) / 6)) == 0:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" '
                         f'text-anchor="middle" fill="#4a4a4a">{escape(money(b["low"]))}</text>')
    parts.append(f'<path d="M{left} {top + plot_h}H{WIDTH - right}" stroke="#6b6b6b"/>')
    parts.append(f'<text x="{left}" y="{top + plot_h + 36}" font-size="11" fill="#4a4a4a">'
                 f'{escape(_("Payout per KAM (bars: KAMs in the range; number: under the draft)"))}'
                 '</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _name(row: Mapping[str, Any]) -> str:
    return str(row.get("label") or row["group"])


def paired_bars(rows: Sequence[Mapping[str, Any]], *, title: str, money: Format,
                names: tuple[str, str] | None = None) -> Markup:
    """Cost per group: a hatched bar (published) above a solid one (draft), each with its
    amount written after it; a group is named by its ``label`` (a team's name, a variant's
    title), its ``group`` id when it has none."""
    chart_id = f"wic{next(_ids)}"
    label_w, value_w, bar, gap, top = 170, 130, 12, 10, 26
    row_h = 2 * bar + gap
    height = top + row_h * len(rows) + 6
    most = max([1.0, *(max(r["baseline"], r["draft"]) for r in rows)])
    plot = WIDTH - label_w - value_w
    names = _names(names)
    desc = "; ".join(_("%(group)s: %(base)s %(base_amount)s, %(draft)s %(draft_amount)s",
                       group=_name(r), base=names[0], base_amount=money(r["baseline"]),
                       draft=names[1], draft_amount=money(r["draft"])) for r in rows) + "."
    parts = _head(chart_id, height, title, desc)
    parts.append(_legend(chart_id, 4, names))
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        name = _name(r)
        short = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y0 + bar + 4}" font-size="13" '
                     f'text-anchor="end" fill="{INK}">{escape(short)}</text>')
        for k, (key, fill) in enumerate((("baseline", f"url(#{chart_id}-hatch)"),
                                         ("draft", DRAFT))):
            width = plot * r[key] / most
            yy = y0 + k * bar
            stroke = f' stroke="{BASE}"' if key == "baseline" else ""
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{width:.1f}" height="{bar - 1}" '
                         f'fill="{fill}"{stroke}/>')
            parts.append(f'<text x="{label_w + width + 4:.1f}" y="{yy + bar - 2}" '
                         f'font-size="11" fill="{INK}">{escape(money(r[key]))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
