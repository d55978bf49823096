"""Revenue-to-profit ratio: net sales over gross profit at the KAM's accounts (lower is better).

Both are credited by weight (days assigned / days in the period * share):

    ratio = Σ weight * net_sales / Σ weight * gross_profit

1.4 means 1.40 of revenue for each 1.00 of profit (a margin of about 71 %). No data when his
accounts report no net sales, or gross profit that is missing, zero or negative (the ratio
says nothing about a loss).
"""

import numpy as np
from marshmallow import Schema, fields

from kamscore import Metric, MetricResult, hookimpl


class RevenueToProfit(Metric):
    name = "revenue_to_profit"
    title = "Revenue-to-profit ratio"
    kind = "quantitative"
    unit = "ratio"
    direction = "lower"
    version = "1"
    facts = ("net_sales", "gross_profit")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        products = fields.List(fields.String(), load_default=None)

    def compute(self, ctx, params):
        sales = ctx.credit(ctx.facts.account_totals("net_sales", params["products"])).total
        profit = ctx.credit(ctx.facts.account_totals("gross_profit", params["products"])).total
        ok = ~np.isnan(sales) & (profit > 0)
        value = np.where(ok, sales / np.where(ok, profit, 1.0), np.nan)
        reasons = np.where(np.isnan(sales), "no net sales reported",
                           "no positive gross profit reported")
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"net_sales": sales, "gross_profit": profit},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [RevenueToProfit]
