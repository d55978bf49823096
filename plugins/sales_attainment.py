"""Sales attainment: net sales over the sales target, credited through assignments.

A KAM is credited with ``weight = days assigned in the period / days in the period * share``
of each account's ``net_sales`` and ``sales_target`` (so a KAM who changes accounts
mid-period is measured on each account for the days he had it), and

    attainment = Σ weight * net_sales / Σ weight * sales_target      (ratio: 1.0 = on target)

over his accounts (and their products, or only those named in ``products``). A
``sales_target`` fact about the KAM himself (the target an approved target round set for him)
replaces Σ weight * sales_target of his accounts, when the metric reads every product. No
data when he had no account in the period, or no target was set for him or his accounts (or
it sums to 0 or less), or none of his accounts reported net sales.
"""

import numpy as np
from marshmallow import Schema, fields

from kamscore import Metric, MetricResult, hookimpl


class SalesAttainment(Metric):
    name = "sales_attainment"
    title = "Sales attainment"
    kind = "quantitative"
    unit = "ratio"
    direction = "higher"
    version = "2"  # 2: a KAM's own sales_target (a target round's) replaces his accounts'
    facts = ("net_sales", "sales_target")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        products = fields.List(fields.String(), load_default=None,
                               metadata={"description": "only these product codes"})

    def compute(self, ctx, params):
        actual = ctx.credit(ctx.facts.account_totals("net_sales", params["products"]))
        target = ctx.credit(ctx.facts.account_totals("sales_target", params["products"])).total
        if params["products"] is None:  # a target round's target is for every product
            own = ctx.facts.person_totals("sales_target", ctx.kams.index, len(ctx.kams))
            target = np.where(np.isnan(own), target, own)
        ok = (target > 0) & ~np.isnan(actual.total)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(ok, actual.total / np.where(ok, target, 1), np.nan)
        reasons = np.where(
            actual.accounts == 0, "no account assigned in the period",
            np.where(~(target > 0), "no sales target for the assigned accounts",
                     np.where(np.isnan(actual.total), "no net sales reported", None)))
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"net_sales": actual.total, "sales_target": target,
                    "assignments": ctx.assignment_inputs()},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [SalesAttainment]
