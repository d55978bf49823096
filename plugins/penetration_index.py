"""Penetration index: how much the product is used at the KAM's accounts against the market.

Reads the ``penetration_index`` facts (100 = the product is used at the account as much as
in the reference market) — one per account, or per account and product, then their plain
mean per account. A KAM's index is the mean over his accounts weighted by the credit weight
(days assigned / days in the period * share) times the account's ``net_sales`` (``weight:
net_sales``, the default) or by the credit weight alone (``weight: equal``):

    index = Σ w * index_account / Σ w     with w = weight * net_sales (or weight)

No data when none of his accounts has an index (and, by net sales, net sales above zero).
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl


class PenetrationIndex(Metric):
    name = "penetration_index"
    title = "Penetration index"
    kind = "quantitative"
    unit = "index"
    direction = "higher"
    version = "1"
    facts = ("penetration_index", "net_sales")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        weight = fields.String(load_default="net_sales",
                               validate=validate.OneOf(["net_sales", "equal"]))
        products = fields.List(fields.String(), load_default=None)

    def compute(self, ctx, params):
        weight_by = "net_sales" if params["weight"] == "net_sales" else None
        value = ctx.credited_fact_mean("penetration_index", weight_by=weight_by,
                                       products=params["products"])
        counted = ctx.credit(ctx.facts.account_means("penetration_index", params["products"]))
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"accounts_with_index": counted.known_accounts},
            reasons=np.where(counted.accounts == 0, "no account assigned in the period",
                             "no penetration index reported for the assigned accounts").tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [PenetrationIndex]
