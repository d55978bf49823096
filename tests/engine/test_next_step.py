"""The next step of a component, worked out by hand on the tiny plan's curve and on tiers."""

from __future__ import annotations

import math

import pytest

from kamscore.engine.model import (
    Curve,
    CurvePoint,
    Formula,
    Lookup,
    Scoring,
    Tier,
    TierMode,
    TierTable,
)
from kamscore.engine.next_step import next_step

#: the tiny plan's sales curve: 80 % pays 0.5, 100 % pays 1.0, 120 % pays 1.5 (the cap)
CURVE = Curve((CurvePoint(0.8, 0.5, "threshold"), CurvePoint(1.0, 1.0, "target"),
               CurvePoint(1.2, 1.5, "cap")))
SALES = Scoring(weight=0.7, transform=CURVE)


def test_below_the_threshold_the_threshold_is_next():
    # K3: 70 % pays 0 (below the first point); 80 % pays 0.5
    step = next_step(SALES, 0.7)
    assert (step.factor, step.target_value, step.target_factor, step.label) == (
        0.0, 0.8, 0.5, "threshold")
    assert step.gap == pytest.approx(0.1)
    assert step.factor_gain == 0.5


def test_between_threshold_and_target_the_target_is_next():
    # K2: 90 % is half-way from 0.5 to 1.0: 0.75; the target (100 %) pays 1.0, +0.25
    step = next_step(SALES, 0.9)
    assert step.factor == pytest.approx(0.75)
    assert (step.target_value, step.target_factor, step.label) == (1.0, 1.0, "target")
    assert step.factor_gain == pytest.approx(0.25)


def test_on_a_point_the_next_point_is_next():
    # exactly at target: 1.0; the cap point (120 %) pays 1.5
    step = next_step(SALES, 1.0)
    assert (step.factor, step.target_value, step.target_factor, step.label) == (
        1.0, 1.2, 1.5, "cap")


def test_at_or_above_the_last_point_nothing_more_to_earn():
    # K4: 120 % pays the cap, 1.5; so does 150 %
    for value in (1.2, 1.5):
        step = next_step(SALES, value)
        assert step.at_cap and step.target_value is None and step.factor == 1.5


def test_a_scoring_cap_is_reached_before_the_point():
    # cap 1.2: from 100 % the factor rises 0.5 per 0.2, so 1.2 is reached at
    # 1.0 + 0.2 x (1.2 - 1.0) / (1.5 - 1.0) = 1.08
    capped = Scoring(weight=0.7, transform=CURVE, cap=1.2)
    step = next_step(capped, 1.0)
    assert step.label == "cap" and step.target_factor == 1.2
    assert step.target_value == pytest.approx(1.08, abs=1e-9)
    # at 110 % the factor (1.25) is cut to 1.2: nothing more to earn
    assert next_step(capped, 1.1).at_cap


def test_a_floor_counts_as_the_factor_now():
    floored = Scoring(weight=0.7, transform=CURVE, floor=0.6)
    step = next_step(floored, 0.7)  # pays the floor 0.6; 80 % pays 0.5 < 0.6: not a step
    assert step.factor == 0.6 and step.label == "target" and step.target_value == 1.0


def test_flat_tiers_next_tier_lower_bound():
    tiers = TierTable(TierMode.FLAT, (Tier(0.9, 1.0, 0.5), Tier(1.0, 1.1, 1.0),
                                      Tier(1.1, math.inf, 1.5, "top")))
    scoring = Scoring(weight=0.5, transform=tiers)
    step = next_step(scoring, 0.95)  # tier 1 pays 0.5; tier 2 starts at 1.0 and pays 1.0
    assert (step.factor, step.target_value, step.target_factor, step.label) == (
        0.5, 1.0, 1.0, "tier 2")
    step = next_step(scoring, 1.05)
    assert (step.target_value, step.target_factor, step.label) == (1.1, 1.5, "top")
    assert next_step(scoring, 1.3).at_cap
    below = next_step(scoring, 0.5)  # below the first tier pays 0
    assert (below.factor, below.target_value, below.label) == (0.0, 0.9, "tier 1")


def test_lower_is_better_is_searched_downwards():
    # e.g. days to resolve a complaint: 10 days pays 0.5, 5 days pays 1.0
    curve = Curve((CurvePoint(5, 1.0, "target"), CurvePoint(10, 0.5, "threshold")), below=1.0)
    step = next_step(Scoring(weight=0.2, transform=curve), 8)
    assert step.factor == pytest.approx(0.7)
    assert (step.target_value, step.target_factor, step.label) == (5, 1.0, "target")
    assert step.gap == -3


def test_no_data_no_table_no_weight():
    assert next_step(SALES, None) == next_step(SALES, float("nan"))
    assert next_step(SALES, None).value is None
    assert next_step(Scoring(weight=0.3, transform=Lookup(((1.0, 1.0),))), 1.0) is None
    assert next_step(Scoring(weight=0.0, transform=CURVE), 0.9) is None
    assert next_step(Scoring(weight=0.3, transform=None), 0.9) is None
    assert Formula  # formulas have no breakpoints either (same branch as lookups)
