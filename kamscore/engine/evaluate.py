"""The engine: apply a ruleset to a whole population at once.

``evaluate(ruleset, population, metric_values)`` is the one code path behind official score
runs, statements and what-if. It is pure — arrays in, arrays out — and deterministic: the
same inputs give bit-identical arrays (a fixed order of operations, no parallel reductions,
no clock, no randomness).

The steps, for every KAM at once (docs/rulesets.md, "How a payout is computed"):

1. the variant: the first variant whose ``when`` holds, else the default plan;
2. eligibility (role, minimum days) and proration (eligible days / period days);
3. the target incentive (an amount, or a share of the period's base salary);
4. per component: the metric value through its transform; where there is no value, the
   component's missing-data treatment; then its modifiers, its floor and cap, its gates;
5. exclude-and-reweight: excluded components' weight is spread over the others;
6. the score (sum of weight x factor), plan modifiers, plan floor and cap, plan gates;
7. the amount: target x final factor x proration, capped by ``cap_amount``;
8. rounding, once, with the declared rule; held and ineligible KAMs get 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kamscore.engine.commission import check_items
from kamscore.engine.component_step import (
    Context,
    constant,
    plan_gate_factor,
    plan_multiplier,
    reweight,
    score_component,
)
from kamscore.engine.expressions.compiler import one_of
from kamscore.engine.inputs import EvaluationInputError, MetricValues, Population
from kamscore.engine.model import (
    TENURE_ATTRIBUTE,
    AttributeType,
    Commission,
    GateMissing,
    RampOn,
    RatingUnit,
    Ruleset,
)
from kamscore.engine.requirements import required_attributes
from kamscore.engine.results import Evaluation, GateResult, Ineligibility, ModifierResult, Status
from kamscore.engine.rounding import round_to_minor


def evaluate(ruleset: Ruleset, population: Population,
             metric_values: Mapping[str, MetricValues | np.ndarray]) -> Evaluation:
    """Score every KAM of ``population`` under ``ruleset``.

    ``metric_values`` maps each component id to its values (a ``MetricValues`` or a bare
    float array, NaN = no data). Raises ``EvaluationInputError`` listing every missing or
    misshapen input; never returns a partial result.
    """
    size = population.size
    values = _check_inputs(ruleset, population, metric_values)
    population = Population(population.codes, _attributes(ruleset, population))
    ramp = _ramp(ruleset, population)
    if ramp is not None and ruleset.ramp is not None and ruleset.ramp.on is RampOn.QUOTA:
        for cid in ruleset.ramp.components:  # a lower quota: a higher attainment
            values[cid] = MetricValues(values[cid].value / ramp, values[cid].n,
                                       values[cid].items)
    env = _environment(ruleset, population, values)

    variant = _choose_variants(ruleset, env, size)
    eligible, ineligibility, proration = _eligibility(ruleset, population, size)
    target = _target(ruleset, population, size)
    if ramp is not None and ruleset.ramp is not None and (
            ruleset.ramp.on is RampOn.TARGET_INCENTIVE):
        target = target * ramp

    gates, gate_held = _gates(ruleset, env, values, size)
    modifiers = _modifiers(ruleset, env, size)
    step = Context(ruleset, variant, env, gates, modifiers,
                   {cid: v.value for cid, v in values.items()})
    outcomes = [score_component(step, c.id, values[c.id]) for c in ruleset.components]
    results, score, no_data = reweight(outcomes, size)
    held = gate_held | no_data
    for outcome in outcomes:
        if outcome.held is not None:
            held = held | outcome.held

    multiplier = plan_multiplier(ruleset, modifiers, size)
    gate_factor = plan_gate_factor(ruleset, gates, size)
    limits = ruleset.limits
    adjusted = score * multiplier
    final = np.maximum(adjusted, limits.floor)
    plan_floored = adjusted < limits.floor
    plan_capped = constant(False, size, bool)
    if limits.cap is not None:
        plan_capped = final > limits.cap
        final = np.minimum(final, limits.cap)
    final = final * gate_factor

    no_target = np.isnan(target)
    held = (held | no_target) & eligible
    amount = np.where(no_target, 0.0, target) * final * proration
    paid_commissions = [r.commission for r in results if r.commission is not None]
    commission = None
    if paid_commissions:  # rate x amount: not a share of target, not prorated
        commission = sum(paid_commissions[1:], paid_commissions[0]) * gate_factor
        amount = amount + commission
    amount_capped = constant(False, size, bool)
    if limits.cap_amount is not None:
        amount_capped = amount > limits.cap_amount
        amount = np.minimum(amount, limits.cap_amount)
    status = np.where(eligible, np.where(held, Status.HELD, Status.PAID),
                      Status.INELIGIBLE).astype(np.int8)
    paid = status == Status.PAID
    amount = np.where(paid, amount, 0.0)
    amount_capped = amount_capped & paid
    if commission is not None:
        commission = np.where(paid, commission, 0.0)

    return Evaluation(
        ruleset=ruleset, codes=population.codes, attributes=population.attributes,
        variant=variant, eligible=eligible, ineligibility=ineligibility, proration=proration,
        target=target, components=tuple(results), gates=tuple(gates.values()),
        modifiers=tuple(modifiers.values()), score=score, plan_multiplier=multiplier,
        plan_gate_factor=gate_factor, final_factor=final, plan_capped=plan_capped,
        plan_floored=plan_floored, amount=amount, amount_capped=amount_capped, held=held,
        no_component_data=no_data & eligible, status=status,
        payout_minor=round_to_minor(amount, ruleset.rounding), commission=commission,
        ramp=ramp,
    )


# -- inputs --------------------------------------------------------------------------------


def _check_inputs(ruleset: Ruleset, population: Population,
                  metric_values: Mapping[str, MetricValues | np.ndarray]
                  ) -> dict[str, MetricValues]:
    size = population.size
    problems: list[str] = []
    values: dict[str, MetricValues] = {}
    for component in ruleset.components:
        given = metric_values.get(component.id)
        if given is None:
            problems.append(f"no metric values for component {component.id!r}")
            continue
        if not isinstance(given, MetricValues):
            given = MetricValues(np.asarray(given))
        try:
            value = np.asarray(given.value, dtype=float)
            n = constant(np.nan, size) if given.n is None else np.asarray(given.n, dtype=float)
        except (TypeError, ValueError):
            problems.append(f"metric values for component {component.id!r} must be numbers "
                            "(NaN or None for no data)")
            continue
        if value.shape != (size,) or n.shape != (size,):
            problems.append(f"metric values for component {component.id!r} have shape "
                            f"{value.shape}, expected ({size},)")
            continue
        items = given.items
        if _rates_transactions(ruleset, component.id):
            found = check_items(component.id, items, size)
            problems.extend(found)
            if found:
                continue
        values[component.id] = MetricValues(value, n, items)
    for name in sorted(required_attributes(ruleset)):
        array = population.attributes.get(name)
        if array is None:
            problems.append(f"the population has no attribute {name!r}")
        elif np.shape(array) != (size,):
            problems.append(f"attribute {name!r} has shape {np.shape(array)}, expected "
                            f"({size},)")
    if problems:
        raise EvaluationInputError(problems)
    return values


def _rates_transactions(ruleset: Ruleset, component_id: str) -> bool:
    return any(isinstance(s.transform, Commission) and s.transform.rating is
               RatingUnit.TRANSACTION for i in range(len(ruleset.variant_ids))
               for s in [ruleset.scoring_of(i)[component_id]])


def _ramp(ruleset: Ruleset, population: Population) -> np.ndarray | None:
    """Per KAM, the ramp factor of his period in the role (1 past the ramp, before the
    start and where the start is unknown); None without a ramp."""
    if ruleset.ramp is None:
        return None
    tenure = np.asarray(population.attributes[TENURE_ATTRIBUTE], dtype=float)
    factors = np.array([*ruleset.ramp.factors, 1.0])
    count = len(ruleset.ramp.factors)
    known = np.isfinite(tenure) & (tenure >= 1)
    index = np.where(known, np.clip(np.nan_to_num(tenure), 1, count + 1) - 1, count)
    return factors[index.astype(np.int64)]


def _attributes(ruleset: Ruleset, population: Population) -> dict[str, np.ndarray]:
    """The population's attributes as the ruleset types them: text attributes as object
    arrays of str (None = unknown; a NaN is read as None), number attributes as float arrays
    (None = NaN = unknown)."""
    problems = []
    typed: dict[str, np.ndarray] = {}
    for name, array in population.attributes.items():
        kind = ruleset.attributes.get(name)
        if kind is AttributeType.TEXT:
            items = np.asarray(array, dtype=object)
            unknown = items != items  # only NaN differs from itself
            if unknown.any():
                items = np.where(unknown, None, items)
            typed[name] = items
        elif kind is AttributeType.NUMBER:
            try:
                typed[name] = np.asarray(array, dtype=float)
            except (TypeError, ValueError):
                problems.append(f"attribute {name!r} must hold numbers")
        else:
            typed[name] = np.asarray(array)
    if problems:
        raise EvaluationInputError(problems)
    return typed


def _environment(ruleset: Ruleset, population: Population,
                 values: Mapping[str, MetricValues]) -> dict[str, Any]:
    """The names formulas read: attributes, parameters, component values and counts."""
    env: dict[str, Any] = dict(population.attributes)
    env.update(ruleset.parameters)
    for component_id, given in values.items():
        env[component_id] = given.value
        env["n:" + component_id] = given.n
    return env


# -- steps ---------------------------------------------------------------------------------


def _choose_variants(ruleset: Ruleset, env: Mapping[str, Any], size: int) -> np.ndarray:
    chosen = np.zeros(size, dtype=np.int16)
    for index in range(len(ruleset.variants), 0, -1):  # the first match wins
        matches = ruleset.variants[index - 1].when.evaluate(env, size)
        chosen = np.where(matches, np.int16(index), chosen)
    return chosen


def _eligibility(ruleset: Ruleset, population: Population, size: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rules = ruleset.eligibility
    attrs = population.attributes
    reason = np.zeros(size, dtype=np.int8)
    if rules.min_days > 0:
        days = np.asarray(attrs["eligible_days"], dtype=float)
        reason = np.where(~(days >= rules.min_days), Ineligibility.DAYS, reason)
    if rules.roles is not None:
        in_role = one_of(attrs["role"], list(rules.roles))
        reason = np.where(in_role, reason, Ineligibility.ROLE)
    reason = reason.astype(np.int8)
    proration = np.ones(size)
    if rules.prorate:
        days = np.asarray(attrs["eligible_days"], dtype=float)
        period_days = np.asarray(attrs["period_days"], dtype=float)
        with np.errstate(all="ignore"):
            proration = np.clip(days / period_days, 0.0, 1.0)
        proration = np.where(np.isfinite(proration), proration, 0.0)
    return reason == Ineligibility.ELIGIBLE, reason, proration


def _target(ruleset: Ruleset, population: Population, size: int) -> np.ndarray:
    spec = ruleset.target
    per_year = ruleset.period.per_year
    salary = population.attributes.get("base_salary")

    def amount_of(rule: Any) -> np.ndarray | float:
        if rule.amount is not None:
            return float(rule.amount)
        return np.asarray(salary, dtype=float) * rule.salary_share / per_year

    if spec.by is None:
        assert spec.default is not None
        return np.broadcast_to(amount_of(spec.default), (size,)).astype(float)
    keys = np.asarray(population.attributes[spec.by], dtype=object)
    target = np.full(size, np.nan)
    if spec.default is not None:
        target = np.broadcast_to(amount_of(spec.default), (size,)).astype(float)
    for key, rule in spec.rules.items():
        target = np.where(keys == key, amount_of(rule), target)
    return target


def _gates(ruleset: Ruleset, env: Mapping[str, Any], values: Mapping[str, MetricValues],
           size: int) -> tuple[dict[str, GateResult], np.ndarray]:
    results: dict[str, GateResult] = {}
    held = np.zeros(size, dtype=bool)
    for gate in ruleset.gates:
        missing = np.zeros(size, dtype=bool)
        for component_id in gate.reads:
            missing |= np.isnan(values[component_id].value)
        for component_id in gate.counts:
            missing |= np.isnan(values[component_id].n)
        passed = gate.condition.evaluate(env, size)
        lenient = gate.if_missing is GateMissing.PASS
        passed = (passed | missing) if lenient else (passed & ~missing)
        if gate.if_missing is GateMissing.HOLD:
            held |= missing
        results[gate.id] = GateResult(gate.id, passed, missing)
    return results, held


def _modifiers(ruleset: Ruleset, env: Mapping[str, Any], size: int
               ) -> dict[str, ModifierResult]:
    results: dict[str, ModifierResult] = {}
    for modifier in ruleset.modifiers:
        applies = (np.ones(size, dtype=bool) if modifier.when is None
                   else modifier.when.evaluate(env, size))
        factor = modifier.factor.evaluate(env, size)
        usable = np.isfinite(factor)
        value = np.where(applies & usable, factor, 1.0)
        results[modifier.id] = ModifierResult(modifier.id, value, applies & usable,
                                              applies & ~usable)
    return results
