"""Account-plan execution: objectives met and actions done by their due date.

Over the account plans a KAM owns in the period:

- objectives part = objectives met / objectives assessed (``met`` set; not yet assessed ones
  are left out);
- actions part = actions done by their due date (+ ``grace_days``) / actions due by the end
  of the period (actions due later are not due yet and are left out);

    execution = objectives_weight * objectives part + (1 - objectives_weight) * actions part

(share: 0.8 = 80 %). When only one part has anything to count it is used alone (the inputs
say which). No data when neither has.
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl


class PlanExecution(Metric):
    name = "plan_execution"
    title = "Account-plan execution"
    kind = "qualitative"
    unit = "share"
    direction = "higher"
    version = "1"
    facts = ()
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        objectives_weight = fields.Float(load_default=0.5, validate=validate.Range(0, 1))
        grace_days = fields.Integer(load_default=0, validate=validate.Range(min=0))

    def compute(self, ctx, params):
        size = len(ctx.kams)
        owner = ctx.plans.owner
        obj = ctx.objectives
        obj_owner = owner[obj.plan] if len(obj) else np.empty(0, dtype=np.int64)
        assessed = (obj_owner >= 0) & ~np.isnan(obj.met)
        n_assessed = np.bincount(obj_owner[assessed], minlength=size)
        n_met = np.bincount(obj_owner[assessed], weights=obj.met[assessed], minlength=size)

        act = ctx.actions
        act_owner = owner[act.plan] if len(act) else np.empty(0, dtype=np.int64)
        due = (act_owner >= 0) & (act.due <= np.datetime64(ctx.period.end, "D"))
        deadline = act.due + np.timedelta64(params["grace_days"], "D")
        on_time = due & ~np.isnat(act.done) & (act.done <= deadline)
        n_due = np.bincount(act_owner[due], minlength=size)
        n_on_time = np.bincount(act_owner[on_time], minlength=size)

        obj_part = np.where(n_assessed > 0, n_met / np.maximum(n_assessed, 1), np.nan)
        act_part = np.where(n_due > 0, n_on_time / np.maximum(n_due, 1), np.nan)
        w = params["objectives_weight"]
        value = np.where(
            np.isnan(obj_part), act_part,
            np.where(np.isnan(act_part), obj_part, w * obj_part + (1 - w) * act_part))
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"objectives_met": n_met.astype(np.int64), "objectives_assessed": n_assessed,
                    "actions_on_time": n_on_time, "actions_due": n_due,
                    "objectives_part": obj_part, "actions_part": act_part},
            reasons=["no objective assessed and no action due in the period"] * size,
        )


@hookimpl
def kamscore_register_metrics():
    return [PlanExecution]
