"""Formulary status: listed / restricted / not listed, mapped to points by parameters.

Each ``formulary_status`` fact (a category per account and product) becomes points —
``listed`` (default 100), ``restricted`` (default 50), ``not_listed`` (default 0), set by the
ruleset. An account's points are the mean over its products (only ``products`` when given);
a KAM's points are the mean over his accounts weighted by the credit weight (days assigned /
days in the period * share):

    points = Σ weight * points_account / Σ weight

A status other than the three is an error of the metric (named in the run), not zero points.
No data when none of his accounts has a formulary status.
"""

import numpy as np
from marshmallow import Schema, fields

from kamscore import Metric, MetricResult, hookimpl

STATUSES = ("listed", "restricted", "not_listed")


class FormularyStatus(Metric):
    name = "formulary_status"
    title = "Formulary status points"
    kind = "quantitative"
    unit = "points"
    direction = "higher"
    version = "1"
    facts = ("formulary_status",)
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        listed = fields.Float(load_default=100.0)
        restricted = fields.Float(load_default=50.0)
        not_listed = fields.Float(load_default=0.0)
        products = fields.List(fields.String(), load_default=None)

    def compute(self, ctx, params):
        cols = ctx.facts.select("formulary_status")
        mask = (cols.account >= 0) & (cols.category != None)  # noqa: E711
        if params["products"] is not None:
            mask &= np.isin(cols.product, np.asarray(params["products"], dtype=object))
        categories = cols.category[mask]
        unknown = sorted(set(categories.tolist()) - set(STATUSES))
        if unknown:
            raise ValueError(f"unknown formulary status {unknown[0]!r}; expected one of "
                             f"{', '.join(STATUSES)}")
        points = np.select([categories == s for s in STATUSES],
                           [params[s] for s in STATUSES], np.nan).astype(float)
        n_accounts = len(ctx.accounts)
        total = np.bincount(cols.account[mask], weights=points, minlength=n_accounts)
        count = np.bincount(cols.account[mask], minlength=n_accounts)
        per_account = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        credited = ctx.credit(per_account)
        return MetricResult.from_arrays(
            ctx.kams.codes, ctx.credited_mean(per_account),
            inputs={"accounts_with_status": credited.known_accounts,
                    "products_with_status": ctx.credit(count.astype(float)).total},
            reasons=["no formulary status for the assigned accounts"] * len(ctx.kams),
        )


@hookimpl
def kamscore_register_metrics():
    return [FormularyStatus]
