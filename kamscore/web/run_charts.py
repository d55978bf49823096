"""The run page's chart: how many KAMs got how much (presentation only).

The payout distribution from ``kamscore.scoring.run_report.payout_bins`` as an inline SVG bar
chart (``charts.bar_chart``): one bar per payout band, the number of KAMs printed beside each
bar; the page shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from kamscore.scoring.run_report import Bin
from kamscore.web.charts import Bar, bar_chart
from kamscore.web.number_format import money, number


def band_label(band: Bin, currency: str) -> str:
    """A band as a reader says it: "nothing", "€0.00 to €500.00", "€3,500.00 or more"."""
    if band.zero:
        return _("Paid nothing")
    if band.high is None:
        return _("%(low)s or more", low=money(band.low, currency))
    return _("%(low)s to under %(high)s", low=money(band.low, currency),
             high=money(band.high, currency))


def payout_chart(bins: Sequence[Bin], currency: str) -> Markup | None:
    """The distribution as a bar chart (None when the run has no lines)."""
    if not bins:
        return None
    most = max(band.kams for band in bins)
    bars = [Bar(label=band_label(band, currency), value=float(band.kams),
                kind="mid" if band.zero else "default") for band in bins]
    return bar_chart(bars, minimum=0, maximum=max(most, 1),
                     title=_("Payout distribution: KAMs per payout band"),
                     value_format=lambda v: ngettext("%(count)s KAM", "%(count)s KAMs",
                                                     int(v), count=number(int(v))),
                     ticks=(0, max(most, 1)))
