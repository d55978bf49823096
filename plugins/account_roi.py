"""Account ROI: net sales over what was invested in the KAM's accounts.

Both credited by weight (days assigned / days in the period * share):

    roi = Σ weight * net_sales / Σ weight * investment       (ratio: 4.0 = 4 of sales per 1)

No data when his accounts report no net sales, or no investment above zero (a return on
nothing invested is undefined, not infinite).
"""

import numpy as np

from kamscore import Metric, MetricResult, hookimpl


class AccountROI(Metric):
    name = "account_roi"
    title = "Account ROI (net sales / investment)"
    kind = "quantitative"
    unit = "ratio"
    direction = "higher"
    version = "1"
    facts = ("net_sales", "investment")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    def compute(self, ctx, params):
        sales = ctx.credit(ctx.facts.account_totals("net_sales")).total
        invested = ctx.credit(ctx.facts.account_totals("investment")).total
        ok = ~np.isnan(sales) & (invested > 0)
        value = np.where(ok, sales / np.where(ok, invested, 1.0), np.nan)
        reasons = np.where(np.isnan(sales), "no net sales reported",
                           "no investment reported for the assigned accounts")
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"net_sales": sales, "investment": invested},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [AccountROI]
