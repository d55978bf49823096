"""Account-plan quality: the manager's rating of the KAM's account plans (1-5).

Each account plan of the period carries the manager's assessment of its quality
(``quality_rating``, 1 = poor … 5 = excellent, imported with the plans). A KAM's score is the
mean rating of the plans he owns in the period:

    quality = Σ rating / rated plans                     (score on 1..5)

Plans not rated yet are left out (``plans_rated`` shows how many count). No data when none of
his plans is rated — or when there are fewer rated plans than ``min_plans``.
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl


class PlanQuality(Metric):
    name = "plan_quality"
    title = "Account-plan quality (manager's rating)"
    kind = "qualitative"
    unit = "score"
    direction = "higher"
    version = "1"
    facts = ()
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        min_plans = fields.Integer(load_default=1, validate=validate.Range(min=1))

    def compute(self, ctx, params):
        plans, size = ctx.plans, len(ctx.kams)
        owned = plans.owner >= 0
        rated = owned & ~np.isnan(plans.quality_rating)
        count = np.bincount(plans.owner[rated], minlength=size)
        total = np.bincount(plans.owner[rated], weights=plans.quality_rating[rated],
                            minlength=size)
        all_plans = np.bincount(plans.owner[owned], minlength=size)
        ok = count >= params["min_plans"]
        value = np.where(ok, total / np.maximum(count, 1), np.nan)
        # each KAM's reason picked from the three (shared strings, not a string per KAM)
        said = np.array(["no account plan in the period", "no account plan rated yet",
                         f"fewer than {params['min_plans']} rated account plans"], dtype=object)
        reasons = said[np.where(all_plans == 0, 0, np.where(count == 0, 1, 2))]
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"plans": all_plans, "plans_rated": count},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [PlanQuality]
