"""Sales growth against the same period a year earlier, on the KAM's current accounts.

Both years are credited with the *current* period's assignment weights (days assigned / days
in the period * share), so growth compares like with like — the same accounts, the same
share of them — whatever happened to the portfolio since:

    growth = (Σ weight * net_sales(this period) - Σ weight * net_sales(a year earlier))
             / Σ weight * net_sales(a year earlier)          (ratio: 0.08 = +8 %)

The period a year earlier is the period of the same kind starting a year earlier (2025-Q1 for
2026-Q1). No data when there is no such period, when his accounts have no net sales in one of
the two periods, or when the earlier sales sum to 0 or less (growth from nothing is undefined).
"""

import numpy as np
from marshmallow import Schema, fields

from kamscore import Metric, MetricResult, hookimpl


class SalesGrowth(Metric):
    name = "sales_growth"
    title = "Sales growth vs a year earlier"
    kind = "quantitative"
    unit = "ratio"
    direction = "higher"
    version = "1"
    facts = ("net_sales",)
    previous_facts = ("net_sales",)
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        products = fields.List(fields.String(), load_default=None,
                               metadata={"description": "only these product codes"})

    def compute(self, ctx, params):
        now = ctx.credit(ctx.facts.account_totals("net_sales", params["products"])).total
        before = ctx.credit(ctx.previous_facts.account_totals("net_sales",
                                                              params["products"])).total
        ok = ~np.isnan(now) & (before > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(ok, (now - np.where(ok, before, 1)) / np.where(ok, before, 1),
                             np.nan)
        if ctx.previous_year is None:
            reasons = ["no period a year earlier"] * len(ctx.kams)
        else:
            reasons = np.where(
                np.isnan(now), "no net sales reported this period",
                np.where(~(before > 0), "no net sales a year earlier", None)).tolist()
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"net_sales": now, "net_sales_year_earlier": before,
                    "year_earlier": [ctx.previous_year.code if ctx.previous_year else None]
                    * len(ctx.kams)},
            reasons=reasons,
        )


@hookimpl
def kamscore_register_metrics():
    return [SalesGrowth]
