"""Market share: the product's share of its market at the KAM's accounts.

Reads the ``market_share`` facts (percent, 0-100) of each account — one per account, or one
per account and product, then their plain mean per account (only ``products`` when given).
A KAM's market share is the mean over his accounts weighted by the credit weight (days
assigned / days in the period * share) times the account's ``net_sales`` (``weight:
net_sales``, the default: a point of share at a large account counts more) or by the credit
weight alone (``weight: equal``):

    market_share = Σ w * share_account / Σ w     with w = weight * net_sales (or weight)

returned as a share (0.325 for 32.5 %). No data when none of his accounts has both a market
share and, with ``weight: net_sales``, net sales above zero.
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl


class MarketShare(Metric):
    name = "market_share"
    title = "Market share"
    kind = "quantitative"
    unit = "share"
    direction = "higher"
    version = "1"
    facts = ("market_share", "net_sales")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        weight = fields.String(load_default="net_sales",
                               validate=validate.OneOf(["net_sales", "equal"]))
        products = fields.List(fields.String(), load_default=None)

    def compute(self, ctx, params):
        weight_by = "net_sales" if params["weight"] == "net_sales" else None
        value = ctx.credited_fact_mean("market_share", weight_by=weight_by,
                                       products=params["products"]) / 100.0
        counted = ctx.credit(ctx.facts.account_means("market_share", params["products"]))
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"accounts_with_share": counted.known_accounts, "weighted_by": [
                params["weight"]] * len(ctx.kams)},
            reasons=np.where(counted.accounts == 0, "no account assigned in the period",
                             "no market share reported for the assigned accounts").tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [MarketShare]
