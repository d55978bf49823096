"""Win-to-lose ratio: tenders and formulary decisions won against those lost.

Each account's decisions of the period — ``tenders_won`` + ``formulary_wins`` against
``tenders_lost`` + ``formulary_losses`` (either kind can be left out with ``tenders: false``
or ``formulary: false``) — are credited to the KAM by weight (days assigned / days in the
period * share):

    ratio = Σ weight * wins / Σ weight * losses

With wins but no losses the ratio is undefined; ``when_no_losses: wins`` (the default)
counts it as if one decision had been lost (ratio = credited wins), ``no_data`` makes it no
data. No data when his accounts had no decision at all in the period.
"""

import numpy as np
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from kamscore import FactNeeds, Metric, MetricResult, hookimpl


class WinLossRatio(Metric):
    name = "win_loss_ratio"
    title = "Win-to-lose ratio (tenders and formulary decisions)"
    kind = "quantitative"
    unit = "ratio"
    direction = "higher"
    version = "1"
    description = __doc__

    class Params(Schema):
        tenders = fields.Boolean(load_default=True)
        formulary = fields.Boolean(load_default=True)
        when_no_losses = fields.String(load_default="wins",
                                       validate=validate.OneOf(["wins", "no_data"]))

        @validates_schema
        def _some_decisions(self, data, **_kwargs):
            if not (data["tenders"] or data["formulary"]):
                raise ValidationError("count tenders, formulary decisions or both")

    @classmethod
    def fact_needs(cls, params):
        return FactNeeds.of([n for pair in _pairs(params) for n in pair], (), ())

    def compute(self, ctx, params):
        names = _pairs(params)
        wins = losses = np.full(len(ctx.accounts), np.nan)
        for won, lost in names:
            wins = _add(wins, ctx.facts.account_totals(won))
            losses = _add(losses, ctx.facts.account_totals(lost))
        credited_wins = ctx.credit(wins).total
        credited_losses = ctx.credit(losses).total
        w, lo = np.nan_to_num(credited_wins), np.nan_to_num(credited_losses)
        decided = (w + lo) > 0
        ok = decided if params["when_no_losses"] == "wins" else decided & (lo > 0)
        value = np.where(ok, w / np.where(lo > 0, lo, 1.0), np.nan)
        reasons = np.where(~decided, "no tender or formulary decision in the period",
                           "no decision lost: the ratio is undefined")
        return MetricResult.from_arrays(
            ctx.kams.codes, value,
            inputs={"wins": w, "losses": lo},
            reasons=reasons.tolist(),
        )


def _pairs(params):
    """The (won, lost) fact names the parameters count."""
    names = []
    if params["tenders"]:
        names.append(("tenders_won", "tenders_lost"))
    if params["formulary"]:
        names.append(("formulary_wins", "formulary_losses"))
    return names


def _add(total, more):
    """Sum of two per-account arrays where NaN means "not reported" (NaN + NaN stays NaN)."""
    return np.where(np.isnan(total) & np.isnan(more), np.nan,
                    np.nan_to_num(total) + np.nan_to_num(more))


@hookimpl
def kamscore_register_metrics():
    return [WinLossRatio]
