"""CSAT: the share of satisfied customers — answers of 4 or 5 on a 1-5 scale.

Reads the customer-survey results about the KAM's accounts (survey ``customer_satisfaction``,
question ``overall_satisfaction``, all raters, by default) and pools the responses of every
account he was assigned to in the period, each account once:

    csat = Σ answers ≥ top_box / Σ responses          (share: 0.75 = 75 % satisfied)

``n`` is the number of responses behind it (only results with a per-answer histogram
count). Fewer than ``min_responses`` responses is no data, never zero.
"""

from marshmallow import Schema, fields, validate

from kamscore import FactNeeds, Metric, MetricResult, hookimpl
from kamscore.metrics.survey_pool import (
    excluded_responses,
    gate_response_rate,
    gate_responses,
    pool_account_results,
    response_rates,
)
from kamscore.metrics.survey_results import SUBJECT_ACCOUNT


class CSAT(Metric):
    name = "csat"
    title = "Customer satisfaction (CSAT, top-two box)"
    kind = "qualitative"
    unit = "share"
    direction = "higher"
    version = "1"
    facts = ()
    previous_facts = ()
    description = __doc__

    class Params(Schema):
        survey = fields.String(load_default="customer_satisfaction")
        measure = fields.String(load_default="overall_satisfaction")
        rater_group = fields.String(load_default="all")
        top_box = fields.Integer(load_default=4, validate=validate.Range(min=1))
        min_responses = fields.Integer(load_default=3, validate=validate.Range(min=1))
        min_response_rate = fields.Float(
            load_default=None, allow_none=True, validate=validate.Range(min=0, max=1),
            metadata={"description": "share of the invited who answered, e.g. 0.3"})

    @classmethod
    def fact_needs(cls, params):
        return FactNeeds.of(cls.facts, cls.previous_facts, [params["measure"]])

    def compute(self, ctx, params):
        pool = pool_account_results(ctx, params["survey"], params["measure"],
                                    params["rater_group"])
        n = pool.hist_n
        satisfied = pool.count_between(params["top_box"], float("inf"))
        share = satisfied / n.clip(min=1)
        value, reasons = gate_responses(share, n, params["min_responses"])
        rates = response_rates(ctx, params["survey"], SUBJECT_ACCOUNT)
        value, reasons = gate_response_rate(value, reasons, rates,
                                            params["min_response_rate"])
        return MetricResult.from_arrays(
            ctx.kams.codes, value, n=n,
            inputs={"excluded": excluded_responses(ctx, params["survey"], SUBJECT_ACCOUNT),
                    "response_rate": rates,
                    "satisfied": satisfied, "responses": n, "accounts": pool.subjects(),
                    "source": [ctx.survey_results.source] * len(ctx.kams)},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [CSAT]
