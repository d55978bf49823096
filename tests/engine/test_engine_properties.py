"""Property-based tests of the engine (hypothesis).

- the vectorised engine equals the per-KAM reference evaluator (tests.engine.reference)
  on random rulesets and random inputs;
- a payout never exceeds its caps and never goes below its floors;
- a non-decreasing curve or tier table gives a non-decreasing payout.

Random rulesets are generated as YAML data and go through the real loader, so every generated
plan is one an analyst could have written.
"""

from __future__ import annotations

import json
import math
import os
from decimal import Decimal

import numpy as np
import yaml
from conftest import CATALOGUE, FUNCTIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_evaluate

from kamscore.engine import Items, MetricValues, Population, Status, Treatment, evaluate
from kamscore.engine.loader import load_ruleset

SEGMENTS = ["strategic", "key", "development"]
METRICS = ["sales_attainment", "growth", "team_goal_attainment"]  # ratio metrics, 0..2

finite = st.floats(min_value=0.0, max_value=2.0, allow_nan=False).map(lambda x: round(x, 3))
factors = st.floats(min_value=0.0, max_value=2.0, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def increasing(draw, count: int, low: float = 0.0, high: float = 2.0) -> list[float]:
    values = draw(st.lists(st.integers(min_value=int(low * 100), max_value=int(high * 100)),
                           min_size=count, max_size=count, unique=True))
    return [v / 100 for v in sorted(values)]


@st.composite
def transforms(draw, monotone: bool = False) -> dict:
    kinds = ["curve", "flat", "marginal", "interpolated"]
    if not monotone:
        kinds += ["lookup", "formula"]
    kind = draw(st.sampled_from(kinds))
    count = draw(st.integers(min_value=2, max_value=4))
    ats = draw(increasing(count))
    pays = sorted(draw(st.lists(factors, min_size=count, max_size=count)))
    if kind == "curve":
        below = draw(st.sampled_from([0.0, pays[0]]))
        return {"curve": {"points": [{"at": a, "pays": p} for a, p in zip(ats, pays, strict=True)],
                          "below": below}}
    if kind in ("flat", "interpolated", "marginal"):
        key = "rate" if kind == "marginal" else "pays"
        rows = [{"from": a, key: p} for a, p in zip(ats, pays, strict=True)]
        return {"tiers": {"mode": kind, "rows": rows}}
    if kind == "lookup":
        table = {a: p for a, p in zip(ats, pays, strict=True)}
        spec: dict = {"table": table}
        if draw(st.booleans()):
            spec["default"] = draw(factors)
        return {"lookup": spec}
    formula = draw(st.sampled_from([
        "clip(value * 1.2, 0, 1.5)",
        "if(value >= 1, 1 + (value - 1) * 2, value ** 2)",
        "max(value - 0.5, 0) * 2",
        "min(value, 1.3) + 0.1",
        "double(value) / 2",
        "if(segment == 'strategic', value * 1.1, value)",
        "coalesce(c0, 1) * value",
        "value / (c0 - 1)",
    ]))
    return {"formula": formula}


@st.composite
def rulesets(draw, monotone_component: bool = False) -> dict:
    count = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=count - 1,
                                max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    components = []
    for index in range(count):
        component = {
            "id": f"c{index}",
            "metric": draw(st.sampled_from(METRICS)),
            "weight": weights[index],
            "missing": draw(st.sampled_from(["exclude", "zero", "at_target", "hold"])),
            "part": draw(st.sampled_from(["individual", "team"])),
        }
        component.update(draw(transforms(monotone=monotone_component)))
        if draw(st.booleans()):
            component["cap"] = draw(st.floats(min_value=0.5, max_value=3.0).map(
                lambda x: round(x, 2)))
        if draw(st.booleans()):
            component["floor"] = draw(st.floats(min_value=0.0, max_value=0.5).map(
                lambda x: round(x, 2)))
        components.append(component)
    if not monotone_component and draw(st.booleans()):
        components.append(draw(commissions()))
    data: dict = {
        "name": "random", "version": 1, "period": draw(st.sampled_from(["quarter", "year"])),
        "currency": "EUR",
        "rounding": {"step": draw(st.sampled_from(["0.01", "0.05", "1"])),
                     "mode": draw(st.sampled_from(["half_even", "half_up", "down", "up"]))},
        "eligibility": {"roles": ["kam"], "min_days": draw(st.sampled_from([0, 30])),
                        "prorate": draw(st.booleans())},
        "target_incentive": draw(st.sampled_from([
            {"amount": 1234.5},
            {"salary_share": "12.5%"},
            {"by": "grade", "values": {"K1": {"amount": 1000}, "K2": {"salary_share": "10%"}}},
            {"by": "grade", "values": {"K1": {"amount": 1000}}, "default": {"amount": 800}},
        ])),
        "components": components,
    }
    if draw(st.booleans()):
        targets = ["plan", "c0", *(["k"] if components[-1]["id"] == "k" else [])]
        target = draw(st.sampled_from(targets))
        data["gates"] = [{
            "id": "g", "component": "c0", "at_least": draw(finite),
            "applies_to": target if target == "plan" else [target],
            "otherwise": draw(st.sampled_from([0, 0.5])),
            "if_missing": draw(st.sampled_from(["fail", "pass", "hold"])),
        }]
        if target != "plan" and draw(st.booleans()):
            data["gates"][0]["blocks"] = "accelerator"
        if draw(st.booleans()):
            data["gates"].append({"id": "responses", "when": "n(c0) >= 3",
                                  "if_missing": "pass"})
    if draw(st.booleans()):
        data["modifiers"] = [
            {"id": "m", "multiplier": {"by": "segment", "values": {"strategic": 1.2},
                                       "default": 1},
             "applies_to": draw(st.sampled_from(["plan", ["c0"]]))},
        ]
        if draw(st.booleans()):
            data["modifiers"].append({"id": "m2", "multiplier": "clip(c0, 0.8, 1.2)",
                                      "when": "eligible_days > 60"})
    if count >= 2 and draw(st.booleans()):
        data["variants"] = [{
            "id": "dev", "when": {"segment": "development"},
            "weights": {"c0": weights[1], "c1": weights[0]},
        }]
    if not monotone_component and draw(st.booleans()):
        on = draw(st.sampled_from(["target_incentive", "quota"]))
        data["ramp"] = {"applies_to": on, "periods": draw(st.lists(
            st.sampled_from(["25%", "50%", "80%"]), min_size=1, max_size=3))}
        if on == "quota":
            data["ramp"]["components"] = ["c0"]
    if draw(st.booleans()):
        data["limits"] = {"cap": draw(st.sampled_from([1.0, 1.5, 2.0])),
                          "floor": draw(st.sampled_from([0, 0.1]))}
        if draw(st.booleans()):
            data["limits"]["cap_amount"] = 1500
    return data


@st.composite
def commissions(draw) -> dict:
    """A commission component `k` on an amount (0 to 200,000)."""
    mode = draw(st.sampled_from(["flat", "marginal"]))
    basis = draw(st.sampled_from(["amount", "attainment"]))
    rating = "period" if basis == "attainment" else draw(st.sampled_from(["period",
                                                                          "transaction"]))
    count = draw(st.integers(min_value=1, max_value=3))
    if basis == "amount":
        lowers = [0.0, *[b * 1000.0 for b in sorted(draw(st.lists(
            st.integers(1, 150), min_size=count - 1, max_size=count - 1, unique=True)))]]
    else:
        lowers = draw(increasing(count))
    rates = [r / 1000 for r in draw(st.lists(st.integers(0, 80), min_size=count,
                                             max_size=count))]
    if mode == "flat":
        rates.sort()
    commission: dict = {"mode": mode, "basis": basis, "rating": rating,
                        "rows": [{"from": a, "rate": r}
                                 for a, r in zip(lowers, rates, strict=True)]}
    if basis == "attainment":
        commission["attainment"] = "c0"
    if draw(st.booleans()):
        commission["base_rate"] = draw(st.sampled_from([0, 0.01, 0.03]))
    return {"id": "k", "metric": "amount", "commission": commission,
            "missing": draw(st.sampled_from(["exclude", "zero", "hold"]))}


@st.composite
def populations(draw, size: int) -> tuple[Population, dict[str, list]]:
    columns = {
        "role": draw(st.lists(st.sampled_from(["kam", "kam", "kam", "msl"]), min_size=size,
                              max_size=size)),
        "grade": draw(st.lists(st.sampled_from(["K1", "K2", "K3", None]), min_size=size,
                               max_size=size)),
        "segment": draw(st.lists(st.sampled_from([*SEGMENTS, None]), min_size=size,
                                 max_size=size)),
        "eligible_days": draw(st.lists(st.integers(min_value=0, max_value=92), min_size=size,
                                       max_size=size)),
        "period_days": [91] * size,
        "base_salary": draw(st.lists(st.sampled_from([72000.0, 86000.0, None]), min_size=size,
                                     max_size=size)),
        "tenure_periods": draw(st.lists(st.sampled_from([1, 2, 3, 4, None]), min_size=size,
                                        max_size=size)),
    }
    codes = [f"K{i}" for i in range(size)]
    return Population.from_columns(codes, **columns), columns


def metric_inputs(draw, ids: list[str], size: int) -> dict[str, tuple[list, list]]:
    inputs = {}
    for cid in ids:
        if cid == "k":  # an amount and its transactions
            deals = draw(st.lists(st.lists(st.integers(0, 90).map(lambda x: x * 1000.0),
                                           max_size=3), min_size=size, max_size=size))
            missing = draw(st.lists(st.booleans(), min_size=size, max_size=size))
            inputs[cid] = ([None if gone else sum(d) for d, gone in
                            zip(deals, missing, strict=True)], deals)
            continue
        values = draw(st.lists(st.one_of(st.none(), finite), min_size=size, max_size=size))
        counts = draw(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=size,
                               max_size=size))
        inputs[cid] = (values, counts)
    return inputs


def _load(data: dict):
    return load_ruleset(yaml.safe_dump(data, sort_keys=False), "random.yaml", CATALOGUE,
                        FUNCTIONS)


# KAMSCORE_HYPOTHESIS_EXAMPLES=2000 for a long hunt; 150 keeps the suite fast
SETTINGS = settings(max_examples=int(os.environ.get("KAMSCORE_HYPOTHESIS_EXAMPLES", "150")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_the_vectorised_engine_equals_the_per_kam_reference(data):
    ruleset = _load(data.draw(rulesets()))
    size = data.draw(st.integers(min_value=1, max_value=12))
    population, columns = data.draw(populations(size))
    ids = [c.id for c in ruleset.components]
    inputs = metric_inputs(data.draw, ids, size)
    evaluation = evaluate(ruleset, population, engine_inputs(inputs))
    step = ruleset.rounding.step
    for i in range(size):
        attributes = {name: column[i] for name, column in columns.items()}
        expected = reference_evaluate(
            ruleset, attributes, {cid: inputs[cid][0][i] for cid in ids},
            {cid: None if cid == "k" else inputs[cid][1][i] for cid in ids}, FUNCTIONS,
            {"k": inputs["k"][1][i]} if "k" in inputs else None)
        got_status = Status(int(evaluation.status[i])).label
        assert got_status == expected.status, (i, attributes)
        assert ruleset.variant_ids[evaluation.variant[i]] == expected.variant
        assert math.isclose(evaluation.amount[i], expected.amount, rel_tol=1e-9, abs_tol=1e-7)
        payout = evaluation.payout_decimal(i)
        if payout != expected.payout:
            # only when the two float paths straddle a rounding boundary: one step apart
            assert _near_boundary(expected.amount, step), (payout, expected.payout)
            assert abs(payout - expected.payout) <= step
        for component in evaluation.components:
            if expected.status == "paid":
                assert math.isclose(component.factor[i], expected.factors[component.id],
                                    rel_tol=1e-9, abs_tol=1e-12)
                assert math.isclose(component.effective_weight[i],
                                    expected.effective_weights[component.id], rel_tol=1e-9,
                                    abs_tol=1e-12)


def engine_inputs(inputs: dict) -> dict[str, MetricValues]:
    """The engine's metric values of ``metric_inputs`` (the commission `k` with its items)."""
    out = {}
    for cid, (values, second) in inputs.items():
        if cid == "k":
            owner = [i for i, deals in enumerate(second) for _ in deals]
            out[cid] = MetricValues.of(values, items=Items.of(
                owner, [x for deals in second for x in deals]))
        else:
            out[cid] = MetricValues.of(values, second)
    return out


def _near_boundary(amount: float, step: Decimal) -> bool:
    fraction = (Decimal(amount) / step) % 1
    return min(abs(fraction - Decimal("0.5")), fraction, 1 - fraction) < Decimal("1e-6")


@SETTINGS
@given(data=st.data())
def test_payouts_respect_every_cap_and_floor(data):
    ruleset = _load(data.draw(rulesets()))
    size = data.draw(st.integers(min_value=1, max_value=12))
    population, _columns = data.draw(populations(size))
    ids = [c.id for c in ruleset.components]
    inputs = metric_inputs(data.draw, ids, size)
    evaluation = evaluate(ruleset, population, engine_inputs(inputs))
    for index, result in enumerate(evaluation.components):
        scorings = [ruleset.scoring_of(int(v))[result.id] for v in evaluation.variant]
        paying = np.isin(result.treatment, [Treatment.SCORED, Treatment.AT_TARGET])
        for i, spec in enumerate(scorings):
            if not paying[i]:
                assert result.factor[i] == 0, index
                continue
            if spec.cap is not None:
                assert result.factor[i] <= spec.cap + 1e-12
            # a floor holds for the factor before gates (a failed gate may cut below it)
            assert result.factor[i] >= spec.floor * result.gate_factor[i] - 1e-12
    limits = ruleset.limits
    paid = evaluation.status == Status.PAID
    assert (evaluation.payout_minor >= 0).all()
    assert (evaluation.payout_minor[~paid] == 0).all()
    if limits.cap is not None:
        assert (evaluation.final_factor <= limits.cap + 1e-12).all()
    floor_kept = evaluation.final_factor >= limits.floor * evaluation.plan_gate_factor - 1e-12
    assert floor_kept.all()
    if limits.cap_amount is not None:
        assert (evaluation.payout <= limits.cap_amount).all()
    if limits.cap is not None:
        for i in np.flatnonzero(paid):
            ceiling = evaluation.target[i] * evaluation.proration[i] * limits.cap
            commission = 0 if evaluation.commission is None else evaluation.commission[i]
            assert evaluation.amount[i] - commission <= ceiling + 1e-9
    for statement in evaluation.statements():  # plain JSON: no NaN, no infinity
        json.dumps(statement.to_dict(), allow_nan=False)
    parts = sum(evaluation.part_minor.values())
    assert (parts == evaluation.payout_minor).all()
    horizons = sum(evaluation.horizon_minor.values())
    assert (horizons == evaluation.payout_minor).all()


@SETTINGS
@given(data=st.data())
def test_a_non_decreasing_curve_gives_a_non_decreasing_payout(data):
    spec = data.draw(rulesets(monotone_component=True))
    for gate in spec.get("gates", []):
        gate["if_missing"] = "fail"
    ruleset = _load(spec)
    size = 25
    values = sorted(data.draw(st.lists(finite, min_size=size, max_size=size)))
    population = Population.from_columns(
        [f"K{i}" for i in range(size)], role=["kam"] * size, grade=["K1"] * size,
        segment=["key"] * size, eligible_days=[91] * size, period_days=[91] * size,
        base_salary=[80000.0] * size)
    others = {c.id: MetricValues.of([data.draw(finite)] * size, [5] * size)
              for c in ruleset.components[1:]}
    evaluation = evaluate(ruleset, population, {
        "c0": MetricValues.of(values, [5] * size), **others})
    payouts = evaluation.payout_minor
    assert (np.diff(payouts) >= 0).all(), (values, payouts.tolist())
