"""The trend charts of the people pages, from the services' plain data (presentation only).

Numbers on the charts are formatted by the locale filters (``number_format``), like the
tables beside them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from kamscore.scoring.scorecard import is_fraction
from kamscore.scoring.scorecard_page import Scorecard
from kamscore.scoring.team import TeamView
from kamscore.web.number_format import money, number, percent_of
from kamscore.web.trend_charts import Bucket, Point, histogram, trend_chart


def value_format(unit: str | None) -> Any:
    """How a metric value in ``unit`` is written: ratios as percentages."""
    if is_fraction(unit):
        return lambda v: percent_of(v, 0 if abs(v) >= 10 else 1)
    return lambda v: number(v, 2 if abs(v) < 100 else 0)


def scorecard_charts(card: Scorecard, subject: str | None = None) -> dict[str, Any]:
    """The payout trend (only with pay), the score trend and one trend per measure;
    ``subject``: the KAM's name when someone else (his manager) reads the scorecard."""
    history = card.history
    currency = card.currency or "EUR"
    labels = [h.period for h in history]
    own = subject is None
    payout = trend_chart([Point(h.period, h.payout) for h in history],
                         title=_("Your payout by period") if own
                         else _("%(name)s: payout by period", name=subject), floor=0.0,
                         value_format=lambda v: money(v, currency)) if card.with_pay else None
    score = trend_chart([Point(h.period, h.score) for h in history],
                        title=_("Your score by period (100%% = on target)", name="") if own
                        else _("%(name)s: score by period (100%% = on target)", name=subject),
                        value_format=lambda v: percent_of(v, 0), reference=(1.0, _("target")))
    components: list[tuple[str, Markup]] = []
    for cid, title, unit in card.components:
        points = []
        for label, h in zip(labels, history, strict=True):
            found = next((c for c in h.components if c.id == cid), None)
            points.append(Point(label, found.value if found is not None else None))
        chart_title = _("%(measure)s by period", measure=title)
        components.append((title, trend_chart(points, title=chart_title,
                                              value_format=value_format(unit))))
    return {"payout": payout, "score": score, "components": components}


def team_charts(view: TeamView) -> dict[str, Any]:
    """The team's median score and total payout by period, and the latest distribution."""
    charts: dict[str, Any] = {
        "median": trend_chart([Point(s.period, s.median_score) for s in view.summaries],
                              title=_("Team median score by period"),
                              value_format=lambda v: percent_of(v, 0),
                              reference=(1.0, _("target"))),
        "bands": histogram([Bucket(label, count) for label, count in view.bands],
                           title=_("Scores in %(period)s: KAMs per band", period=view.latest),
                           unit=_("KAMs"))
        if view.latest else None,
        "payout": None,
    }
    if view.with_pay:
        currency = view.currency or "EUR"
        charts["payout"] = trend_chart(
            [Point(s.period, s.total_payout) for s in view.summaries],
            title=_("Team payout by period"), floor=0.0,
            value_format=lambda v: money(v, currency))
    return charts
