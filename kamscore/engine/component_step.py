"""Step 4 and 5 of the engine: one component for the whole population, then reweighting.

For each component: the metric value through the transform of the KAM's variant; where there
is no value, the component's missing-data treatment; its modifiers; its floor and cap; its
gates. Then ``reweight`` spreads the weight of excluded components over the others.

Speed matters here (it runs once per component over every KAM): what is the same for every
KAM — the common case of a component that no variant changes, with no missing value, no
modifier, no gate — stays a scalar or a read-only broadcast view instead of a new array, and
the segment that applied is only worked out when asked for (``ComponentResult.segment``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.engine import transforms
from kamscore.engine.commission import score_commission
from kamscore.engine.inputs import MetricValues
from kamscore.engine.model import Commission, Formula, GateBlocks, Missing, Ruleset, Scoring
from kamscore.engine.results import ComponentResult, GateResult, ModifierResult, Treatment

_MISSING_CODE = {
    Missing.EXCLUDE: Treatment.EXCLUDED,
    Missing.ZERO: Treatment.ZERO,
    Missing.AT_TARGET: Treatment.AT_TARGET,
    Missing.HOLD: Treatment.HELD,
}


def constant(value: Any, size: int, dtype: Any = float) -> np.ndarray:
    """A read-only array of ``size`` times ``value`` that costs no memory."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (size,))


@dataclass(frozen=True)
class Context:
    """What every component of one evaluation shares."""

    ruleset: Ruleset
    variant: np.ndarray
    env: Mapping[str, Any]
    gates: Mapping[str, GateResult]
    modifiers: Mapping[str, ModifierResult]
    attainments: Mapping[str, np.ndarray] | None = None  # component values (after a ramp)

    @property
    def size(self) -> int:
        return len(self.variant)


@dataclass(frozen=True)
class Outcome:
    result: ComponentResult
    held: np.ndarray | None  # KAMs held by this component (None: nobody)
    excluded: np.ndarray | None  # KAMs for whom it was excluded (None: nobody)


def score_component(ctx: Context, component_id: str, given: MetricValues) -> Outcome:
    ruleset, size = ctx.ruleset, ctx.size
    scorings = [ruleset.scoring_of(i)[component_id] for i in range(len(ruleset.variant_ids))]
    if isinstance(scorings[0].transform, Commission):
        result, held = score_commission(
            component_id, [s.transform for s in scorings],  # type: ignore[misc]
            [s.missing for s in scorings], ctx.variant, given, ctx.attainments or {},
            _product(ruleset, ctx.modifiers, component_id),
            _accelerator(ruleset, ctx.gates, component_id),
            _gate_factor(ruleset, ctx.gates, component_id))
        return Outcome(result, held, None)
    rules = [(s.transform, s.missing, s.cap, s.floor) for s in scorings]
    alike = all(r == rules[0] for r in rules)  # variants may still differ in weight
    weights = [s.weight for s in scorings]
    same_weight = all(w == weights[0] for w in weights)
    values = given.value

    def per_kam(pick: Any) -> Any:
        """A scalar when every variant agrees, else one value per KAM."""
        table = [pick(s) for s in scorings]
        return table[0] if alike else np.asarray(table)[ctx.variant]

    raw = _raw_factors(ctx, scorings, alike, values)
    if same_weight and weights[0] == 0:
        return _not_paid(component_id, given, raw, scorings, ctx.variant, size)
    weight = weights[0] if same_weight else np.asarray(weights)[ctx.variant]
    uniform = alike and 0 not in weights

    missing = np.isnan(raw)
    any_missing = bool(missing.any())
    if uniform:
        paying, treatment, treated = _treat_uniform(scorings[0], raw, missing, any_missing,
                                                    size)
    else:
        paying, treatment, treated = _treat_by_variant(
            lambda pick: np.asarray([pick(x) for x in scorings])[ctx.variant], raw, missing,
            np.asarray(weight))

    multiplier = _product(ruleset, ctx.modifiers, component_id)
    adjusted = treated if multiplier is None else treated * multiplier
    floors = {s.floor for s in scorings}
    may_go_negative = multiplier is not None or any(
        isinstance(s.transform, Formula) for s in scorings)
    if floors == {0.0} and not may_go_negative:
        factor, floored = adjusted, constant(False, size, bool)
    else:
        floor = per_kam(lambda s: s.floor)
        floored = adjusted < floor
        factor = np.maximum(adjusted, floor)
    if all(s.cap is None for s in scorings):
        capped = constant(False, size, bool)
    else:
        cap = per_kam(lambda s: np.inf if s.cap is None else s.cap)
        capped = factor > cap
        factor = np.minimum(factor, cap)
    accelerator = _accelerator(ruleset, ctx.gates, component_id)
    if accelerator is not None:  # a failed gate keeps `otherwise` of the part above target
        at_target = per_kam(lambda s: s.target_factor)
        base = np.minimum(factor, at_target)
        factor = base + accelerator * (factor - base)
    gate_factor = _gate_factor(ruleset, ctx.gates, component_id)
    if gate_factor is not None:
        factor = factor * gate_factor
    if paying is not None:
        factor = np.where(paying, factor, 0.0)
        floored = floored & paying
        capped = capped & paying
    result = ComponentResult(
        id=component_id, value=values, n=given.n, treatment=treatment, raw_factor=raw,
        multiplier=constant(1.0, size) if multiplier is None else multiplier,
        gate_factor=constant(1.0, size) if gate_factor is None else gate_factor,
        factor=factor, capped=capped, floored=floored,
        weight=constant(weight, size) if same_weight else weight, weighted=weight * factor,
        transforms=tuple(s.transform for s in scorings), variant=ctx.variant,
        excluded=_excluded(scorings[0], treatment, missing, any_missing, uniform),
        accelerator=accelerator,
    )
    if not any_missing:
        return Outcome(result, None, None)
    if uniform:
        code = _MISSING_CODE[scorings[0].missing]
        return Outcome(result, missing if code is Treatment.HELD else None, result.excluded)
    return Outcome(result, treatment == Treatment.HELD, result.excluded)


def _excluded(scoring: Scoring, treatment: np.ndarray, missing: np.ndarray, any_missing: bool,
              uniform: bool) -> np.ndarray | None:
    """Where the component is excluded (None: nowhere)."""
    if not any_missing:
        return None
    if uniform:
        return missing if scoring.missing is Missing.EXCLUDE else None
    excluded = treatment == Treatment.EXCLUDED
    return excluded if excluded.any() else None


def _treat_uniform(scoring: Scoring, raw: np.ndarray, missing: np.ndarray, any_missing: bool,
                   size: int) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(where the component pays or None for everywhere, treatment codes, the factor after
    the missing-data treatment) when every variant scores the component alike."""
    if not any_missing:
        return None, constant(Treatment.SCORED, size, np.int8), raw
    code = _MISSING_CODE[scoring.missing]
    treatment = missing * np.int8(code)
    if code is Treatment.AT_TARGET:
        return None, treatment, np.where(missing, scoring.target_factor, raw)
    # 0 where missing stays 0 through modifiers, caps and gates; only a floor could lift it
    paying = ~missing if scoring.floor > 0 else None
    if isinstance(scoring.transform, Formula):  # may be negative: keep it for the floor
        return paying, treatment, np.where(missing, 0.0, raw)
    return paying, treatment, np.fmax(raw, 0.0)  # tables never pay below 0; NaN -> 0


def _treat_by_variant(per_kam: Any, raw: np.ndarray, missing: np.ndarray, weight: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = per_kam(lambda s: _MISSING_CODE[s.missing])
    treatment = np.where(missing, codes, Treatment.SCORED)
    treatment = np.where(weight == 0, Treatment.NOT_PAID, treatment).astype(np.int8)
    at_target = per_kam(lambda s: s.target_factor)
    treated = np.where(treatment == Treatment.SCORED, raw,
                       np.where(treatment == Treatment.AT_TARGET, at_target, 0.0))
    paying = (treatment == Treatment.SCORED) | (treatment == Treatment.AT_TARGET)
    return paying, treatment, treated


def _raw_factors(ctx: Context, scorings: list[Scoring], alike: bool, values: np.ndarray
                 ) -> np.ndarray:
    distinct = list(dict.fromkeys(s.transform for s in scorings if s.transform is not None))
    if alike or (len(distinct) == 1 and all(s.transform is not None for s in scorings)):
        if not distinct:
            return np.full(ctx.size, np.nan)
        return transforms.factor(distinct[0], values, ctx.env)
    raw = np.full(ctx.size, np.nan)
    for transform in distinct:
        uses = np.array([s.transform == transform for s in scorings])[ctx.variant]
        raw = np.where(uses, transforms.factor(transform, values, ctx.env), raw)
    return raw


def _not_paid(component_id: str, given: MetricValues, raw: np.ndarray,
              scorings: list[Scoring], variant: np.ndarray, size: int) -> Outcome:
    """A component that no KAM is paid for (weight 0): its values are kept for gates,
    formulas and the statement."""
    zero = constant(0.0, size)
    no = constant(False, size, bool)
    result = ComponentResult(
        id=component_id, value=given.value, n=given.n,
        treatment=constant(Treatment.NOT_PAID, size, np.int8), raw_factor=raw,
        multiplier=constant(1.0, size), gate_factor=constant(1.0, size), factor=zero,
        capped=no, floored=no, weight=zero, weighted=zero,
        transforms=tuple(s.transform for s in scorings), variant=variant,
    )
    return Outcome(result, None, None)


def _product(ruleset: Ruleset, modifiers: Mapping[str, ModifierResult],
             component_id: str | None) -> np.ndarray | None:
    """The product of the modifiers that apply (to the component, or to the plan when
    ``component_id`` is None); None when there are none."""
    result = None
    for modifier in ruleset.modifiers:
        if _targets(modifier.applies_to, component_id):
            value = modifiers[modifier.id].value
            result = value if result is None else result * value
    return result


def _gate_factor(ruleset: Ruleset, gates: Mapping[str, GateResult],
                 component_id: str | None, blocks: GateBlocks = GateBlocks.ALL
                 ) -> np.ndarray | None:
    """The product of ``otherwise`` of the failed gates that block ``blocks`` (1 where
    they passed); None when no such gate applies."""
    result = None
    for gate in ruleset.gates:
        if gate.blocks is blocks and _targets(gate.applies_to, component_id):
            kept = np.where(gates[gate.id].passed, 1.0, gate.otherwise)
            result = kept if result is None else result * kept
    return result


def _accelerator(ruleset: Ruleset, gates: Mapping[str, GateResult], component_id: str
                 ) -> np.ndarray | None:
    return _gate_factor(ruleset, gates, component_id, GateBlocks.ACCELERATOR)


def plan_multiplier(ruleset: Ruleset, modifiers: Mapping[str, ModifierResult],
                    size: int) -> np.ndarray:
    found = _product(ruleset, modifiers, None)
    return constant(1.0, size) if found is None else found


def plan_gate_factor(ruleset: Ruleset, gates: Mapping[str, GateResult], size: int
                     ) -> np.ndarray:
    found = _gate_factor(ruleset, gates, None)
    return constant(1.0, size) if found is None else found


def _targets(applies_to: tuple[str, ...], component_id: str | None) -> bool:
    if component_id is None:
        return not applies_to
    return component_id in applies_to


def reweight(outcomes: list[Outcome], size: int) -> tuple[list[ComponentResult], np.ndarray,
                                                          np.ndarray]:
    """Spread excluded components' weight over the others, in proportion to their weights.

    An excluded component has factor 0, so reweighting multiplies every contribution — and
    so the score — by one per-KAM ``scale`` = total weight / weight left. Returns the results
    (which then report their effective weights and contributions), the score, and per KAM
    whether every paying component was excluded (he is then held: no data at all)."""
    score = np.zeros(size)
    for outcome in outcomes:
        score = score + outcome.result.weighted
    results = [o.result for o in outcomes]
    if all(o.excluded is None for o in outcomes):
        return results, score, constant(False, size, bool)
    total: Any = 0.0
    dropped: Any = 0.0
    for outcome in outcomes:
        weight = outcome.result.weight
        weight = weight[0] if weight.strides == (0,) else weight  # a constant: a scalar
        total = total + weight
        if outcome.excluded is not None:
            dropped = dropped + outcome.excluded * weight
    kept = total - dropped
    no_data = (kept <= 0) & (total > 0)
    scale = np.divide(total, kept, out=np.zeros(size), where=kept > 0)
    fields = [{k: v for k, v in r.__dict__.items() if k not in _LAZY} for r in results]
    return ([ComponentResult(**dict(f, scale=scale)) for f in fields], score * scale, no_data)


_LAZY = ("segment", "effective_weight", "contribution")
