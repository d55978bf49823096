"""DMU coverage: the share of key stakeholders engaged in the period.

The denominator is each account's decision-making unit: its stakeholders marked ``is_key``.
The numerator is the account's ``dmu_key_engaged`` fact — how many of those key stakeholders
had a documented, substantive contact in the period (capped at the number of key
stakeholders). Accounts are credited by weight (days assigned / days in the period * share):

    coverage = Σ weight * min(engaged, key) / Σ weight * key      (share: 0.6 = 60 %)

over the KAM's accounts that have key stakeholders and report ``dmu_key_engaged``. No data
when none does.
"""

import numpy as np

from kamscore import Metric, MetricResult, hookimpl


class DMUCoverage(Metric):
    name = "dmu_coverage"
    title = "DMU coverage (key stakeholders engaged)"
    kind = "qualitative"
    unit = "share"
    direction = "higher"
    version = "1"
    facts = ("dmu_key_engaged",)
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    def compute(self, ctx, params):
        key = ctx.stakeholders.key_count(len(ctx.accounts)).astype(float)
        engaged = ctx.facts.account_totals("dmu_key_engaged")
        counted = (key > 0) & ~np.isnan(engaged)
        engaged_capped = np.where(counted, np.minimum(engaged, key), np.nan)
        key_counted = np.where(counted, key, np.nan)
        numerator = ctx.credit(engaged_capped)
        denominator = ctx.credit(key_counted)
        ok = denominator.known_accounts > 0
        value = np.where(ok, numerator.total / np.where(ok, denominator.total, 1.0), np.nan)
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"key_stakeholders_engaged": numerator.total,
                    "key_stakeholders": denominator.total,
                    "accounts_counted": denominator.known_accounts},
            reasons=np.where(numerator.accounts == 0, "no account assigned in the period",
                             "no key stakeholders or no engagement reported").tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [DMUCoverage]
