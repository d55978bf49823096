"""Charts and labels of the campaign result pages (presentation only; template globals).

They turn the report services' results into inline SVG bar charts (``charts.bar_chart``):
response rates, scale means by rater group with the self-rating apart, and NPS with its
confidence interval. The numbers are in tables next to every chart as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from kamscore.surveys.measures import NPS, RATING, SCALE
from kamscore.surveys.reports import GroupStatus, MeasureCells
from kamscore.web.charts import Bar, bar_chart

GROUP_LABELS = {
    "all": _l("All respondents"),
    "others": _l("Colleagues (everyone but the KAM)"),
    "self": _l("Self-rating (shown apart)"),
    "manager": _l("Manager"),
    "peer": _l("Peers"),
    "cross_functional": _l("Cross-functional colleagues"),
    "direct_report": _l("Direct reports"),
    "health_economist": _l("Health economists"),
    "physician": _l("Physicians"),
    "pharmacist": _l("Pharmacists"),
    "procurement": _l("Procurement"),
    "payer": _l("Payers"),
    "administrator": _l("Administrators"),
    "nurse": _l("Nurses"),
    "other": _l("Others"),
}

#: Short names of groups for chart bars.
SHORT_GROUPS = {"others": _l("colleagues"), "all": _l("all"), "self": _l("self")}


def group_label(group: str) -> str:
    """A rater group's name for people ("physician" → "Physicians"), in the page's
    language."""
    if group in GROUP_LABELS:
        return str(GROUP_LABELS[group])
    return group.replace("_", " ").capitalize() + "s"


def percent(value: float | None) -> str:
    """A share as a whole percentage, digits in the page's locale (``0.85`` → ``85 %``)."""
    return "—" if value is None else format_decimal(100 * value, format="#,##0") + " %"


def rates_chart(groups: Sequence[GroupStatus], title: str) -> Markup:
    bars = [Bar(group_label(g.group), g.response_rate, note=_("nobody invited"))
            for g in groups]
    return bar_chart(bars, minimum=0, maximum=1, title=title, value_format=percent,
                     ticks=(0, 0.5, 1))


def scales_chart(measures: Sequence[MeasureCells], groups: Sequence[str], title: str,
                 labels: Mapping[str, str] | None = None) -> Markup | None:
    """Each scale's mean for each of ``groups`` that is reported (self in its own colour);
    ``labels`` (English label → the page's language) names the scales."""
    labels = labels or {}
    bars: list[Bar] = []
    low = high = None
    for entry in measures:
        if entry.measure.kind != SCALE:
            continue
        low, high = entry.measure.scale_min, entry.measure.scale_max
        for group in groups:
            cell = entry.cells.get(group)
            name = labels.get(entry.measure.label, entry.measure.label)
            label = f"{name} · {short_group(group)}"
            if cell is None:
                bars.append(Bar(label, None, note=_("not shown")))
            else:
                bars.append(Bar(label, cell.mean, kind="self" if group == "self" else "default"))
    if not bars or low is None or high is None:
        return None
    return bar_chart(bars, minimum=low, maximum=high, title=title,
                     ticks=list(range(low, high + 1)))


def nps_chart(measures: Sequence[MeasureCells], groups: Sequence[str], title: str
              ) -> Markup | None:
    bars = []
    for entry in measures:
        if entry.measure.kind != NPS:
            continue
        for group in groups:
            cell = entry.cells.get(group)
            if cell is None or "nps" not in cell.details:
                continue
            d = cell.details
            kind = "high" if d["nps"] > 0 else "low" if d["nps"] < 0 else "mid"
            bars.append(Bar(short_group(group), d["nps"], d["nps_ci_low"], d["nps_ci_high"],
                            kind=kind))
    if not bars:
        return None
    return bar_chart(bars, minimum=-100, maximum=100, title=title,
                     value_format=lambda v: f"{v:+.0f}", ticks=(-100, -50, 0, 50, 100))


def top_two_chart(measures: Sequence[MeasureCells], group: str, title: str,
                  labels: Mapping[str, str] | None = None) -> Markup | None:
    """Top-two-box share (CSAT) of the stand-alone rating questions (named by ``labels``)."""
    labels = labels or {}
    bars = [Bar(labels.get(m.measure.label, m.measure.label), m.cells[group].details["csat"])
            for m in measures
            if m.measure.kind == RATING and "." not in m.measure.id and group in m.cells
            and m.cells[group].details.get("csat") is not None]
    if not bars:
        return None
    return bar_chart(bars, minimum=0, maximum=1, title=title, value_format=percent,
                     ticks=(0, 0.5, 1))


def short_group(group: str) -> str:
    if group in SHORT_GROUPS:
        return str(SHORT_GROUPS[group])
    return group_label(group).lower()


def init_app(app: Flask) -> None:
    app.add_template_global(group_label)
    app.add_template_global(rates_chart)
    app.add_template_global(scales_chart)
    app.add_template_global(nps_chart)
    app.add_template_global(top_two_chart)
    app.add_template_filter(percent)
