"""360° collaboration score: how the KAM's colleagues rate his collaboration.

Reads the 360° results about the KAM himself (survey ``internal_360``, scale
``scale:collaboration``) from the rater group ``others`` — everyone but the KAM: his manager,
peers and cross-functional colleagues. The self-rating is excluded from the score and shown
apart in the inputs (``self_mean``):

    score = mean of the others' answers                         (on the survey's scale)

``n`` is the number of colleagues' responses. Fewer than ``min_responses`` is no data, never
zero (a small group would also break the raters' anonymity).
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import FactNeeds, Metric, MetricResult, hookimpl
from kamscore.metrics.survey_pool import excluded_responses, gate_responses, kam_results
from kamscore.metrics.survey_results import SUBJECT_KAM


class Collaboration360(Metric):
    name = "collaboration_360"
    title = "360° collaboration score"
    kind = "team"
    unit = "score"
    direction = "higher"
    version = "1"
    facts = ()
    previous_facts = ()
    description = __doc__

    class Params(Schema):
        survey = fields.String(load_default="internal_360")
        measure = fields.String(load_default="scale:collaboration")
        rater_group = fields.String(load_default="others")
        min_responses = fields.Integer(load_default=3, validate=validate.Range(min=1))

    @classmethod
    def fact_needs(cls, params):
        return FactNeeds.of(cls.facts, cls.previous_facts, [params["measure"]])

    def compute(self, ctx, params):
        others = kam_results(ctx, params["survey"], params["measure"], params["rater_group"])
        own = kam_results(ctx, params["survey"], params["measure"], "self")
        n = others.mean_n
        value, reasons = gate_responses(others.mean, n, params["min_responses"])
        self_mean = own.mean
        return MetricResult.from_arrays(
            ctx.kams.codes, value, n=n,
            inputs={"excluded": excluded_responses(ctx, params["survey"], SUBJECT_KAM),
                    "others_mean": np.where(n >= params["min_responses"], others.mean, np.nan),
                    "responses": n, "self_mean": self_mean,
                    "source": [ctx.survey_results.source] * len(ctx.kams)},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [Collaboration360]
