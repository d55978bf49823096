"""Plan coverage: the share of a KAM's accounts that have an account plan in the period.

Every account assigned to the KAM in the period counts once (whatever the days):

    coverage = accounts with a plan owned by the KAM / accounts assigned

(share: 0.75 = three accounts in four are planned). No data for a KAM with fewer assigned
accounts than ``min_accounts``.
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl

__version__ = "1.0.0"


class PlanCoverage(Metric):
    name = "plan_coverage"
    title = "Account-plan coverage"
    kind = "qualitative"
    unit = "share"
    direction = "higher"
    version = "1"
    # reads plans and assignments only: runs need not load any fact or survey result for it
    facts = ()
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        min_accounts = fields.Integer(load_default=1, validate=validate.Range(min=1))

    def compute(self, ctx, params):
        size = len(ctx.kams)
        a = ctx.assignments
        # each (KAM, account) pair once, however many assignments
        pairs = {(int(k), int(acc)) for k, acc in zip(a.kam, a.account, strict=True)}
        planned = {(int(o), int(acc)) for o, acc in zip(ctx.plans.owner, ctx.plans.account,
                                                        strict=True) if o >= 0}
        assigned = np.zeros(size, dtype=np.int64)
        covered = np.zeros(size, dtype=np.int64)
        for pair in pairs:
            assigned[pair[0]] += 1
            covered[pair[0]] += pair in planned
        enough = assigned >= params["min_accounts"]
        value = np.where(enough, covered / np.maximum(assigned, 1), np.nan)
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"accounts": assigned, "accounts_with_plan": covered},
            reasons=[f"fewer than {params['min_accounts']} accounts assigned"] * size,
        )


@hookimpl
def kamscore_register_metrics():
    return [PlanCoverage]
