"""A first hand-worked evaluation on a ruleset built directly from the model."""

import numpy as np

from kamscore.engine import MetricValues, Population, Status, evaluate
from kamscore.engine.model import (
    Component,
    Curve,
    CurvePoint,
    Eligibility,
    Horizon,
    Missing,
    Part,
    PeriodKind,
    Rounding,
    Ruleset,
    Scoring,
    TargetIncentive,
    TargetRule,
    Tier,
    TierMode,
    TierTable,
)


def _ruleset() -> Ruleset:
    curve = Curve((CurvePoint(0.8, 0.5, "threshold"), CurvePoint(1.0, 1.0, "target"),
                   CurvePoint(1.2, 1.5, "cap")))
    tiers = TierTable(TierMode.FLAT, (Tier(0, 0.6, 0), Tier(0.6, 0.8, 0.5),
                                      Tier(0.8, float("inf"), 1.0)))
    return Ruleset(
        name="t", version="1", title="T", description="", period=PeriodKind.QUARTER,
        currency="EUR", rounding=Rounding(), eligibility=Eligibility(roles=("kam",), min_days=30),
        target=TargetIncentive(None, {}, TargetRule(amount=1000)),
        components=(
            Component("sales", "sales_attainment", "Sales", {}, Part.INDIVIDUAL,
                      Horizon.SHORT_TERM, Scoring(0.7, curve)),
            Component("csat", "csat", "CSAT", {}, Part.TEAM, Horizon.SHORT_TERM,
                      Scoring(0.3, tiers, Missing.AT_TARGET)),
        ),
    )


def test_a_tiny_plan_pays_what_the_hand_arithmetic_says():
    population = Population.from_columns(
        ["a", "b", "c", "d"], role=["kam", "kam", "kam", "msl"],
        eligible_days=[90, 45, 90, 90], period_days=[90] * 4)
    evaluation = evaluate(_ruleset(), population, {
        "sales": MetricValues.of([1.0, 1.1, None, 1.0]),
        "csat": MetricValues.of([0.7, None, 0.9, 0.9]),
    })
    # a: sales 1.0 = target -> 1.0 x 70 % = 0.70; csat 0.7 in tier [0.6, 0.8) -> 0.5 x 30 %
    #    = 0.15; 0.85 x 1000 = 850.00
    # b: sales 1.1 halfway target..cap -> 1.25 x 70 % = 0.875; csat missing, at target
    #    -> 1.0 x 30 % = 0.30; 1.175 x 1000 x 45/90 = 587.50
    # c: sales missing, excluded: csat reweighted to 100 %; 0.9 -> 1.0; 1000.00
    # d: an MSL is not eligible: 0
    assert evaluation.payout.tolist() == [850.0, 587.5, 1000.0, 0.0]
    assert evaluation.status.tolist() == [Status.PAID, Status.PAID, Status.PAID,
                                          Status.INELIGIBLE]
    assert np.isclose(evaluation.component("csat").effective_weight[2], 1.0)
    statement = evaluation.statement(1).to_dict()
    assert statement["payout"] == "587.50"
    assert statement["components"][0]["segment"] == "target to cap"
    assert statement["components"][1]["treatment"] == "at_target"
    # the team part (csat) gets its share of the rounded payout: 0.30 / 1.175 x 587.50
    assert statement["parts"] == {"individual": "437.50", "team": "150.00"}
