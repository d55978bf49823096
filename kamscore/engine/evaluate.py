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

from . import transforms
from .inputs import EvaluationInputError, MetricValues, Population
from .model import AttributeType, GateMissing, Missing, Ruleset, Scoring
from .requirements import required_attributes
from .results import (
    ComponentResult,
    Evaluation,
    GateResult,
    Ineligibility,
    ModifierResult,
    Status,
    Treatment,
)
from .rounding import round_to_minor, split_minor

_MISSING_CODE = {
    Missing.EXCLUDE: Treatment.EXCLUDED,
    Missing.ZERO: Treatment.ZERO,
    Missing.AT_TARGET: Treatment.AT_TARGET,
    Missing.HOLD: Treatment.HELD,
}


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
    env = _environment(ruleset, population, values)

    variant = _choose_variants(ruleset, env, size)
    eligible, ineligibility, proration = _eligibility(ruleset, population, size)
    target = _target(ruleset, population, size)

    gates, gate_held = _gates(ruleset, env, values, size)
    modifiers = _modifiers(ruleset, env, size)
    held = gate_held.copy()

    results: list[ComponentResult] = []
    for component in ruleset.components:
        result, component_held = _component(ruleset, component.id, variant, values, env,
                                            gates, modifiers)
        results.append(result)
        held |= component_held

    results, no_data = _reweight(results)
    held |= no_data
    score = np.zeros(size)
    for result in results:
        score = score + result.contribution

    plan_multiplier = _product(ruleset, modifiers, None, size)
    plan_gate_factor = _gate_factor(ruleset, gates, None, size)
    limits = ruleset.limits
    adjusted = score * plan_multiplier
    final = np.maximum(adjusted, limits.floor)
    plan_floored = adjusted < limits.floor
    plan_capped = np.zeros(size, dtype=bool)
    if limits.cap is not None:
        plan_capped = final > limits.cap
        final = np.minimum(final, limits.cap)
    final = final * plan_gate_factor

    held |= eligible & np.isnan(target)
    amount = np.where(np.isnan(target), 0.0, target) * final * proration
    amount_capped = np.zeros(size, dtype=bool)
    if limits.cap_amount is not None:
        amount_capped = amount > limits.cap_amount
        amount = np.minimum(amount, limits.cap_amount)
    held &= eligible
    status = np.where(~eligible, Status.INELIGIBLE,
                      np.where(held, Status.HELD, Status.PAID)).astype(np.int8)
    amount = np.where(status == Status.PAID, amount, 0.0)
    payout_minor = round_to_minor(amount, ruleset.rounding)

    return Evaluation(
        ruleset=ruleset, codes=population.codes, attributes=population.attributes,
        variant=variant, eligible=eligible,
        ineligibility=ineligibility, proration=proration, target=target,
        components=tuple(results), gates=tuple(gates.values()),
        modifiers=tuple(modifiers.values()), score=score, plan_multiplier=plan_multiplier,
        plan_gate_factor=plan_gate_factor, final_factor=final, plan_capped=plan_capped,
        plan_floored=plan_floored, amount=amount, amount_capped=amount_capped, held=held,
        no_component_data=no_data & eligible, status=status, payout_minor=payout_minor,
        part_minor=_split(ruleset, results, payout_minor, "part"),
        horizon_minor=_split(ruleset, results, payout_minor, "horizon"),
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
        value = given.value if given.value.dtype.kind == "O" else given.value.astype(float)
        n = np.full(size, np.nan) if given.n is None else np.asarray(given.n, dtype=float)
        if value.shape != (size,) or n.shape != (size,):
            problems.append(f"metric values for component {component.id!r} have shape "
                            f"{value.shape}, expected ({size},)")
            continue
        values[component.id] = MetricValues(value, n)
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


def _attributes(ruleset: Ruleset, population: Population) -> dict[str, np.ndarray]:
    """The population's attributes as the ruleset types them: text attributes as object
    arrays (None = unknown), number attributes as float arrays (NaN = unknown)."""
    problems = []
    typed: dict[str, np.ndarray] = {}
    for name, array in population.attributes.items():
        kind = ruleset.attributes.get(name)
        if kind is AttributeType.TEXT:
            items = np.asarray(array, dtype=object)
            typed[name] = np.array([None if _unknown(v) else str(v) for v in items.tolist()],
                                   dtype=object)
        elif kind is AttributeType.NUMBER:
            try:
                typed[name] = np.array([np.nan if v is None else float(v)
                                        for v in np.asarray(array, dtype=object).tolist()],
                                       dtype=float)
            except (TypeError, ValueError):
                problems.append(f"attribute {name!r} must hold numbers")
        else:
            typed[name] = np.asarray(array)
    if problems:
        raise EvaluationInputError(problems)
    return typed


def _unknown(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


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
        in_role = np.isin(np.asarray(attrs["role"], dtype=object), list(rules.roles))
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
            missing |= transforms.is_missing(values[component_id].value)
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


def _product(ruleset: Ruleset, modifiers: Mapping[str, ModifierResult],
             component_id: str | None, size: int) -> np.ndarray:
    result = np.ones(size)
    for modifier in ruleset.modifiers:
        if _targets(modifier.applies_to, component_id):
            result = result * modifiers[modifier.id].value
    return result


def _gate_factor(ruleset: Ruleset, gates: Mapping[str, GateResult], component_id: str | None,
                 size: int) -> np.ndarray:
    result = np.ones(size)
    for gate in ruleset.gates:
        if _targets(gate.applies_to, component_id):
            result = result * np.where(gates[gate.id].passed, 1.0, gate.otherwise)
    return result


def _targets(applies_to: tuple[str, ...], component_id: str | None) -> bool:
    if component_id is None:
        return not applies_to
    return component_id in applies_to


def _by_variant(ruleset: Ruleset, component_id: str) -> list[Scoring]:
    return [ruleset.scoring_of(i)[component_id] for i in range(len(ruleset.variant_ids))]


def _component(ruleset: Ruleset, component_id: str, variant: np.ndarray,
               values: Mapping[str, MetricValues], env: Mapping[str, Any],
               gates: Mapping[str, GateResult], modifiers: Mapping[str, ModifierResult]
               ) -> tuple[ComponentResult, np.ndarray]:
    size = len(variant)
    given = values[component_id]
    scorings = _by_variant(ruleset, component_id)
    uniform = all(s == scorings[0] for s in scorings)

    def per_kam(attribute: str, default: float) -> np.ndarray:
        table = np.array([default if getattr(s, attribute) is None else getattr(s, attribute)
                          for s in scorings], dtype=float)
        return np.full(size, table[0]) if uniform else table[variant]

    weight = per_kam("weight", 0.0)
    cap = per_kam("cap", np.inf)
    floor = per_kam("floor", 0.0)
    at_target = np.array([s.target_factor for s in scorings], dtype=float)[variant]
    missing_codes = np.array([_MISSING_CODE[s.missing] for s in scorings], dtype=np.int8)

    raw = np.full(size, np.nan)
    segment = np.full(size, transforms.NO_SEGMENT, dtype=np.int16)
    distinct = {s.transform for s in scorings if s.transform is not None}
    for transform in distinct:
        factor, seg = transforms.apply(transform, given.value, env)
        if len(distinct) == 1 and uniform:
            raw, segment = factor, seg
            break
        mask = np.array([s.transform == transform for s in scorings])[variant]
        raw = np.where(mask, factor, raw)
        segment = np.where(mask, seg, segment)

    missing = np.isnan(raw)
    treatment = np.where(missing, missing_codes[variant], Treatment.SCORED).astype(np.int8)
    treatment = np.where(weight == 0, Treatment.NOT_PAID, treatment).astype(np.int8)
    treated = np.where(treatment == Treatment.SCORED, raw,
                       np.where(treatment == Treatment.AT_TARGET, at_target, 0.0))
    multiplier = _product(ruleset, modifiers, component_id, size)
    adjusted = treated * multiplier
    paying = (treatment == Treatment.SCORED) | (treatment == Treatment.AT_TARGET)
    floored = paying & (adjusted < floor)
    capped = paying & (adjusted > cap)
    factor = np.minimum(np.maximum(adjusted, floor), cap)
    gate_factor = _gate_factor(ruleset, gates, component_id, size)
    factor = np.where(paying, factor * gate_factor, 0.0)
    result = ComponentResult(
        id=component_id, value=given.value, n=given.n, treatment=treatment, segment=segment,
        raw_factor=raw, multiplier=multiplier, gate_factor=gate_factor, factor=factor,
        capped=capped, floored=floored, weight=weight, effective_weight=weight,
        contribution=weight * factor,
    )
    return result, treatment == Treatment.HELD


def _reweight(results: list[ComponentResult]) -> tuple[list[ComponentResult], np.ndarray]:
    """Spread excluded components' weight over the others (in proportion to their weight)."""
    size = len(results[0].weight) if results else 0
    total = np.zeros(size)
    kept = np.zeros(size)
    for result in results:
        total = total + result.weight
        kept = kept + np.where(result.treatment == Treatment.EXCLUDED, 0.0, result.weight)
    no_data = (kept == 0) & (total > 0)
    if not any((r.treatment == Treatment.EXCLUDED).any() for r in results):
        return results, no_data
    with np.errstate(all="ignore"):
        scale = np.where(kept > 0, total / kept, 0.0)
    adjusted = []
    for result in results:
        weight = np.where(result.treatment == Treatment.EXCLUDED, 0.0, result.weight * scale)
        adjusted.append(_replace(result, effective_weight=weight,
                                 contribution=weight * result.factor))
    return adjusted, no_data


def _replace(result: ComponentResult, **changes: np.ndarray) -> ComponentResult:
    from dataclasses import replace

    return replace(result, **changes)


def _split(ruleset: Ruleset, results: list[ComponentResult], payout_minor: np.ndarray,
           axis: str) -> dict[str, np.ndarray]:
    """The rounded payout split by part or horizon, in proportion to the contributions (by
    effective weight where nothing contributed), adding up exactly to the payout."""
    groups: dict[str, list[ComponentResult]] = {}
    for component, result in zip(ruleset.components, results, strict=True):
        groups.setdefault(str(getattr(component, axis)), []).append(result)
    names = sorted(groups)
    size = len(payout_minor)
    contributions = [sum((r.contribution for r in groups[g]), np.zeros(size)) for g in names]
    weights = [sum((r.effective_weight for r in groups[g]), np.zeros(size)) for g in names]
    anything = sum(contributions, np.zeros(size)) > 0
    shares = [np.where(anything, c, w) for c, w in zip(contributions, weights, strict=True)]
    return dict(zip(names, split_minor(payout_minor, shares), strict=True))
