"""The column-wise line encoding equals the per-KAM reference it replaces, on every KAM.

Two references: the engine's own statement (``Evaluation.statement(i).to_dict()``) for what a
line explains, and the plain canonical JSON of each KAM's inputs for what his input hash
covers. The populations are random (hypothesis) and the ruleset uses every construct that
changes a statement: variants, tiers, lookups, curves, gates (plan and component), modifiers,
each missing-data treatment, caps, floors, eligibility by role and days, targets by grade.
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamscore.engine import MetricValues as EngineValues
from kamscore.engine import Population, evaluate
from kamscore.metrics.compute import MetricFailure, MetricValues
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring import codec
from kamscore.scoring.canonical import dumps_plain, to_plain
from kamscore.scoring.evaluation import component_requests, hold_on_failure
from kamscore.scoring.layout import expand, layout_of

RICH_PLAN = textwrap.dedent("""\
    name: rich
    version: 3
    period: quarter
    currency: EUR
    rounding: {step: 0.05, mode: half_up}
    eligibility: {roles: [kam], min_days: 20, prorate: true}
    target_incentive:
      by: grade
      values:
        K1: {salary_share: 10%}
        K2: {amount: 3000}
    parts: {individual: 70, team: 30}
    components:
      - id: sales
        metric: sales_attainment
        weight: 40
        missing: hold
        cap: 1.6
        curve:
          points:
            - {at: 80%, pays: 0.5, label: threshold}
            - {at: 100%, pays: 1.0, label: target}
            - {at: 120%, pays: 1.5, label: excellence}
      - id: csat
        metric: csat
        weight: 15
        missing: at_target
        tiers:
          mode: flat
          rows:
            - {from: 0, to: 60%, pays: 0}
            - {from: 60%, to: 80%, pays: 0.8}
            - {from: 80%, pays: 1.2}
      - id: formulary
        metric: formulary_status
        weight: 15
        missing: zero
        floor: 0.2
        lookup:
          table: {100: 1.0, 50: 0.5, 0: 0}
          default: 0.1
      - id: plan
        metric: plan_quality
        weight: 0
      - id: collaboration
        metric: collaboration_360
        weight: 30
        part: team
        tiers:
          mode: interpolated
          rows:
            - {from: 3, pays: 0.5}
            - {from: 4, pays: 1.0}
            - {from: 5, pays: 1.25}
    variants:
      - id: development
        when: segment == 'development'
        weights: {sales: 20, csat: 35}
        components:
          formulary: {missing: exclude}
    gates:
      - id: csat_floor
        component: csat
        at_least: 40%
        otherwise: 0.5
        if_missing: pass
      - id: plan_rated
        component: plan
        at_least: 2
        applies_to: [sales]
        if_missing: hold
    modifiers:
      - id: strategic
        multiplier: 110%
        when: segment == 'strategic'
        applies_to: [sales]
      - id: plan_bonus
        multiplier: 105%
        when: plan >= 4
    limits: {cap: 1.8, cap_amount: 6000}
    """)

#: Every component excluded when it has no data: a KAM without any data is held ("no paying
#: component has data"); the target has no default (an unknown grade has no target).
SPARSE_PLAN = textwrap.dedent("""\
    name: sparse
    version: 1
    period: quarter
    currency: EUR
    target_incentive:
      by: grade
      values:
        K1: {amount: 1000}
    components:
      - id: sales
        metric: sales_attainment
        weight: 50
        curve:
          points:
            - {at: 80%, pays: 0.5}
            - {at: 100%, pays: 1.0}
      - id: csat
        metric: csat
        weight: 50
        curve:
          points:
            - {at: 50%, pays: 0.5}
            - {at: 90%, pays: 1.0}
    """)

SEGMENTS = ["strategic", "key", "development", None]
GRADES = ["K1", "K2", "K9", None]
ROLES = ["kam", "kam", "kam", "manager"]


@pytest.fixture(scope="module", params=[RICH_PLAN, SPARSE_PLAN], ids=["rich", "sparse"])
def ruleset(request):
    from kamscore.scoring.lifecycle import parse_source

    return parse_source(request.param, "plan.yaml", build_plugin_manager(entry_points=False))


def _outcome(key: str, metric: str, values: np.ndarray, rng: np.random.Generator,
             kams: np.ndarray) -> MetricValues:
    size = len(values)
    n = np.where(rng.random(size) < 0.5, -1, rng.integers(0, 40, size))
    accounts = np.empty(size, dtype=object)
    accounts[:] = [[{"account": f"A{j}", "days": int(d), "weight": float(d) / 90}
                    for j, d in enumerate(rng.integers(1, 90, rng.integers(0, 3)))]
                   for _ in range(size)]
    reasons = np.empty(size, dtype=object)
    reasons[:] = [None if not math.isnan(v) else "no data for Zürich \"A\"" for v in values]
    return MetricValues(
        key=key, metric=metric, plugin=metric, plugin_version="1", version="1",
        kind="quantitative", unit="ratio", direction="higher", subject_type="kam",
        params={}, kams=kams, values=values, n=n.astype(np.int64), reasons=reasons,
        input_columns={"total": rng.normal(1e6, 1e5, size), "accounts": accounts,
                       "source": np.array(["facts"] * size, dtype=object)},
    )


def _case(ruleset, seed: int, size: int, fail: str | None):
    rng = np.random.default_rng(seed)
    codes = np.array([f"K{i:04d}" for i in range(size)], dtype=object)
    population = Population.from_columns(
        codes.tolist(),
        role=rng.choice(ROLES, size).tolist(),
        grade=[GRADES[i] for i in rng.integers(0, len(GRADES), size)],
        segment=[SEGMENTS[i] for i in rng.integers(0, len(SEGMENTS), size)],
        eligible_days=rng.integers(0, 91, size).tolist(),
        period_days=[90] * size,
        base_salary=np.where(rng.random(size) < 0.1, np.nan,
                             rng.integers(40, 160, size) * 1000.0).tolist(),
    )
    ranges = {"sales": (0.5, 1.4), "csat": (0.2, 1.0), "formulary": (0, 100),
              "plan": (1, 5), "collaboration": (2.5, 5.5)}
    outcomes = {}
    engine_values = {}
    requests = component_requests(ruleset)
    for component in ruleset.components:
        low, high = ranges[component.id]
        values = rng.uniform(low, high, size)
        if component.id == "formulary":
            values = rng.choice([0.0, 50.0, 100.0, 75.0], size)
        if component.id == "plan":
            values = rng.integers(1, 6, size).astype(float)
        values[rng.random(size) < (0.2 if len(ruleset.components) > 2 else 0.6)] = np.nan
        key = requests[component.id].resolved_key
        if component.id == fail:
            outcomes[key] = MetricFailure(key, component.metric, component.metric, {},
                                          "ValueError: broken")
            values = np.full(size, np.nan)
        else:
            outcomes[key] = _outcome(key, component.metric, values, rng, codes)
        engine_values[component.id] = EngineValues(
            values, None if component.id == fail else
            np.where(outcomes[key].n < 0, np.nan, outcomes[key].n.astype(float)))
    effective = hold_on_failure(ruleset, {fail} if fail else set())
    return population, outcomes, evaluate(effective, population, engine_values)


def _reference_record(i, population, outcomes):
    """Plain-data reference of a KAM's input record (what ``input_records`` must encode)."""
    metrics = {}
    for key, outcome in outcomes.items():
        if isinstance(outcome, MetricFailure):
            metrics[key] = {"failed": outcome.error}
            continue
        value = float(outcome.values[i])
        inputs = {name: col[i] for name, col in outcome.input_columns.items()}
        metrics[key] = {"value": None if math.isnan(value) else value,
                        "n": None if outcome.n[i] < 0 else int(outcome.n[i]),
                        "reason": outcome.reasons[i], "inputs": to_plain(inputs)}
    attributes = {}
    for name, col in population.attributes.items():
        item = col[i]
        attributes[name] = None if isinstance(item, float) and math.isnan(item) else item
    return {"kam": population.codes[i], "attributes": to_plain(attributes), "metrics": metrics}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 40),
       fail=st.sampled_from([None, None, "csat", "sales"]))
def test_encoded_lines_equal_the_engine_statements(ruleset, seed, size, fail):
    population, outcomes, ev = _case(ruleset, seed, size, fail)
    sources = {cid: r.resolved_key for cid, r in component_requests(ruleset).items()}
    layout = json.loads(dumps_plain(layout_of(ev.ruleset, sources)))
    records = codec.input_records(population.codes, population.attributes, outcomes)
    details = codec.line_details(records, codec.output_records(ev))
    for i in range(size):
        reference = _reference_record(i, population, outcomes)
        assert records[i] == dumps_plain(reference)
        detail = json.loads(details[i])
        assert dumps_plain(detail) == details[i]  # canonical: keys sorted, floats by repr
        expanded = expand(layout, detail)
        for line in expanded["components"]:
            metric = reference["metrics"][line.pop("source")]
            assert line.pop("inputs") == metric.get("inputs", {})
            if "failed" in metric:
                assert line.pop("failure") == metric["failed"]
                assert line.pop("reason") == "the metric failed: " + metric["failed"]
            else:
                assert line.pop("reason") == metric["reason"]
        assert expanded == json.loads(json.dumps(ev.statement(i).to_dict()))


def test_tokens_follow_canonical_json():
    column = np.array([1.5, np.nan, -0.0, 1e-300, 0.1 + 0.2])
    assert codec.tokens(column) == ["1.5", "null", "0.0", "1e-300", "0.30000000000000004"]
    mixed = np.array(["a\"b", None, np.float64("nan"), 3, {"b": 1, "a": [np.int64(2)]}],
                     dtype=object)
    assert codec.tokens(mixed) == ['"a\\"b"', "null", "null", "3", '{"a":[2],"b":1}']
    assert codec.objects({"b": ["1"], "a": ["2"]}, 1) == ['{"a":2,"b":1}']


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 30))
def test_encoded_lines_of_commissions_ramps_and_accelerators(seed, size):
    """rulesets/commissions.yaml: commission lines, an accelerator gate and a ramp are
    stored and read back as the engine's statements say."""
    from kamscore.content.bundled import checkout_root
    from kamscore.engine import Items
    from kamscore.engine.catalogue import catalogue_of
    from kamscore.engine.loader import load_ruleset

    text = (checkout_root() / "rulesets" / "commissions.yaml").read_text(encoding="utf-8")
    ruleset = load_ruleset(text, "commissions.yaml",
                           *catalogue_of(build_plugin_manager(entry_points=False)))
    rng = np.random.default_rng(seed)
    codes = np.array([f"K{i:04d}" for i in range(size)], dtype=object)
    population = Population.from_columns(
        codes.tolist(), role=["kam"] * size, eligible_days=rng.integers(0, 91, size).tolist(),
        period_days=[90] * size,
        tenure_periods=np.where(rng.random(size) < 0.2, np.nan,
                                rng.integers(1, 5, size)).tolist())
    requests = component_requests(ruleset)
    ranges = {"sales": (0.5, 1.4), "formulary": (0, 100), "volume": (0, 9e5),
              "orders": (0, 9e5)}
    outcomes, engine_values = {}, {}
    for component in ruleset.components:
        values = rng.uniform(*ranges[component.id], size)
        values[rng.random(size) < 0.2] = np.nan
        key = requests[component.id].resolved_key
        outcomes[key] = _outcome(key, component.metric, values, rng, codes)
        items = None
        if component.id == "orders":
            owner = np.repeat(np.arange(size), 2)
            items = Items(owner, np.repeat(values / 2, 2))
        engine_values[component.id] = EngineValues(values, None, items)
    ev = evaluate(ruleset, population, engine_values)
    sources = {cid: r.resolved_key for cid, r in requests.items()}
    layout = json.loads(dumps_plain(layout_of(ev.ruleset, sources)))
    records = codec.input_records(population.codes, population.attributes, outcomes)
    details = codec.line_details(records, codec.output_records(ev))
    for i in range(size):
        expanded = expand(layout, json.loads(details[i]))
        for line in expanded["components"]:
            for key in ("source", "inputs", "reason"):
                line.pop(key)
        engine = json.loads(json.dumps(ev.statement(i).to_dict()))
        for mine, theirs in zip(expanded["components"], engine["components"], strict=True):
            assert mine == theirs, [(k, mine.get(k), theirs.get(k)) for k in
                                    set(mine) | set(theirs) if mine.get(k) != theirs.get(k)]
        assert expanded == engine
    assert ev.commission is not None and ev.ramp is not None
