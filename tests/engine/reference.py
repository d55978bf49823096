"""A deliberately simple evaluator: one KAM at a time, plain Python, no numpy arrays.

It follows the steps of docs/rulesets.md ("How a payout is computed") literally, with loops
and ``if``s, walks expression trees itself and rounds with ``decimal``. It shares no code
with the vectorised engine except the model and the parsed expression trees, so the property
test that compares the two (tests/engine/test_engine_properties.py) checks the engine against
an independent reading of the same rules. It is far too slow for real runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import numpy as np

from kamscore.engine.expressions.nodes import (
    Binary,
    Bool,
    Call,
    ListOf,
    Name,
    Node,
    Num,
    Text,
    Unary,
)
from kamscore.engine.model import (
    TENURE_ATTRIBUTE,
    Basis,
    Commission,
    Curve,
    Formula,
    GateBlocks,
    GateMissing,
    Lookup,
    Missing,
    RampOn,
    RatingUnit,
    RoundingMode,
    Ruleset,
    TierMode,
    TierTable,
    Transform,
)

NAN = float("nan")


@dataclass
class ReferenceResult:
    status: str  # paid, ineligible, held
    variant: str
    factors: dict[str, float] = field(default_factory=dict)
    effective_weights: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    final_factor: float = 0.0
    amount: float = 0.0
    payout: Decimal = Decimal(0)
    commissions: dict[str, float] = field(default_factory=dict)


def reference_evaluate(ruleset: Ruleset, attributes: Mapping[str, Any],
                       values: Mapping[str, float | None], counts: Mapping[str, float | None],
                       functions: Mapping[str, Callable[..., Any]] | None = None,
                       items: Mapping[str, list[float]] | None = None) -> ReferenceResult:
    """One KAM's payout. ``values``/``counts`` map component ids to the metric value and the
    number of responses (None = no data); ``items`` the amounts of his transactions, for
    commissions that rate each transaction."""
    functions = functions or {}
    items = items or {}
    ramp = 1.0
    if ruleset.ramp is not None:
        tenure = attributes.get(TENURE_ATTRIBUTE)
        if tenure is not None and not math.isnan(float(tenure)) and tenure >= 1 and int(
                tenure) <= len(ruleset.ramp.factors):
            ramp = ruleset.ramp.factors[int(tenure) - 1]
        if ruleset.ramp.on is RampOn.QUOTA:
            values = dict(values)
            for cid in ruleset.ramp.components:
                if values[cid] is not None:
                    values[cid] = float(values[cid]) / ramp  # type: ignore[arg-type]
    env: dict[str, Any] = dict(attributes)
    env.update(ruleset.parameters)
    for cid in values:
        env[cid] = NAN if values[cid] is None else float(values[cid])  # type: ignore[arg-type]
        count = counts.get(cid)
        env["n:" + cid] = NAN if count is None else float(count)

    def run(node: Node, scope: Mapping[str, Any] = env) -> Any:
        return _eval(node, scope, functions)

    variant = 0
    for index, candidate in enumerate(ruleset.variants, start=1):
        if run(candidate.when.tree) is True:
            variant = index
            break
    result = ReferenceResult("paid", ruleset.variant_ids[variant])
    scoring = ruleset.scoring_of(variant)

    # eligibility and proration
    rules = ruleset.eligibility
    eligible = True
    if rules.roles is not None and attributes.get("role") not in rules.roles:
        eligible = False
    if rules.min_days > 0 and not float(attributes["eligible_days"]) >= rules.min_days:
        eligible = False
    proration = 1.0
    if rules.prorate:
        days, period_days = float(attributes["eligible_days"]), float(attributes["period_days"])
        proration = days / period_days if period_days > 0 else 0.0
        proration = 0.0 if math.isnan(proration) else min(max(proration, 0.0), 1.0)

    # target incentive
    target_rule = ruleset.target.default
    if ruleset.target.by is not None:
        target_rule = ruleset.target.rules.get(attributes.get(ruleset.target.by), target_rule)
    target = NAN
    if target_rule is not None:
        if target_rule.amount is not None:
            target = target_rule.amount
        else:
            salary = attributes.get("base_salary")
            salary = NAN if salary is None else float(salary)
            assert target_rule.salary_share is not None
            target = salary * target_rule.salary_share / ruleset.period.per_year
    if ruleset.ramp is not None and ruleset.ramp.on is RampOn.TARGET_INCENTIVE:
        target = target * ramp
    held = False

    # gates
    gate_passed: dict[str, bool] = {}
    for gate in ruleset.gates:
        missing = any(math.isnan(env[c]) for c in gate.reads) or any(
            math.isnan(env["n:" + c]) for c in gate.counts)
        if missing:
            passed = gate.if_missing is GateMissing.PASS
            held = held or gate.if_missing is GateMissing.HOLD
        else:
            passed = bool(run(gate.condition.tree))
        gate_passed[gate.id] = passed

    # modifiers
    multipliers: dict[str, float] = {}
    for modifier in ruleset.modifiers:
        applies = modifier.when is None or run(modifier.when.tree) is True
        value = float(run(modifier.factor.tree)) if applies else 1.0
        multipliers[modifier.id] = value if math.isfinite(value) else 1.0

    def product(target_id: str | None) -> float:
        total = 1.0
        for modifier in ruleset.modifiers:
            if (not modifier.applies_to) if target_id is None else (
                    target_id in modifier.applies_to):
                total *= multipliers[modifier.id]
        return total

    def gate_factor(target_id: str | None, blocks: GateBlocks = GateBlocks.ALL) -> float:
        total = 1.0
        for gate in ruleset.gates:
            if gate.blocks is not blocks:
                continue
            if (not gate.applies_to) if target_id is None else target_id in gate.applies_to:
                total *= 1.0 if gate_passed[gate.id] else gate.otherwise
        return total

    # components
    excluded: set[str] = set()
    for component in ruleset.components:
        spec = scoring[component.id]
        if isinstance(spec.transform, Commission):
            commission = _commission(spec.transform, env[component.id],
                                     env.get(spec.transform.attainment or "", NAN),
                                     items.get(component.id, []), base=False)
            result.factors[component.id] = 0.0
            if math.isnan(commission):
                held = held or spec.missing is Missing.HOLD
                result.commissions[component.id] = 0.0
                continue
            base = _commission(spec.transform, env[component.id],
                               env.get(spec.transform.attainment or "", NAN),
                               items.get(component.id, []), base=True)
            commission *= product(component.id)
            base *= product(component.id)
            keep = gate_factor(component.id, GateBlocks.ACCELERATOR)
            commission = base + keep * (commission - base)
            result.commissions[component.id] = commission * gate_factor(component.id)
            continue
        if spec.weight == 0:
            result.factors[component.id] = 0.0
            continue
        raw = NAN
        if spec.transform is not None and not math.isnan(env[component.id]):
            raw = _transform(spec.transform, env[component.id], env, run)
        if math.isnan(raw):
            if spec.missing is Missing.EXCLUDE:
                excluded.add(component.id)
                result.factors[component.id] = 0.0
                continue
            if spec.missing is Missing.HOLD:
                held = True
                result.factors[component.id] = 0.0
                continue
            if spec.missing is Missing.ZERO:
                result.factors[component.id] = 0.0
                continue
            raw = spec.target_factor
        value = raw * product(component.id)
        value = max(value, spec.floor)
        if spec.cap is not None:
            value = min(value, spec.cap)
        keep = gate_factor(component.id, GateBlocks.ACCELERATOR)
        if keep != 1.0:
            at_target = spec.target_factor
            if value > at_target:
                value = at_target + keep * (value - at_target)
        result.factors[component.id] = value * gate_factor(component.id)

    total_weight = sum(scoring[c.id].weight for c in ruleset.components)
    kept = sum(scoring[c.id].weight for c in ruleset.components if c.id not in excluded)
    if kept == 0 and total_weight > 0:
        held = True
    for component in ruleset.components:
        weight = scoring[component.id].weight
        if component.id in excluded:
            weight = 0.0
        elif excluded and kept > 0:
            weight = weight * (total_weight / kept)
        result.effective_weights[component.id] = weight
        result.score += weight * result.factors[component.id]

    limits = ruleset.limits
    final = max(result.score * product(None), limits.floor)
    if limits.cap is not None:
        final = min(final, limits.cap)
    final *= gate_factor(None)
    result.final_factor = final
    if eligible and math.isnan(target):
        held = True
    amount = (0.0 if math.isnan(target) else target) * final * proration
    amount += sum(result.commissions.values()) * gate_factor(None)
    if limits.cap_amount is not None:
        amount = min(amount, limits.cap_amount)
    if not eligible:
        result.status = "ineligible"
    elif held:
        result.status = "held"
    if result.status != "paid":
        amount = 0.0
    result.amount = amount
    result.payout = _round(amount, ruleset.rounding.step, ruleset.rounding.mode)
    return result


def _commission(spec: Commission, amount: float, attainment: float, items: list[float], *,
                base: bool) -> float:
    """The commission of one KAM, tier by tier (NaN: no amount or no attainment)."""
    rates = [min(t.rate, spec.base_rate) if base else t.rate for t in spec.tiers]

    def rate_at(x: float) -> float:
        for tier, rate in zip(spec.tiers, rates, strict=True):
            if tier.lower <= x < tier.upper:
                return rate
        return 0.0  # below the first tier

    def slices(x: float) -> float:
        return sum(rate * (min(x, tier.upper) - tier.lower)
                   for tier, rate in zip(spec.tiers, rates, strict=True) if x > tier.lower)

    def on_amount(x: float) -> float:
        return x * rate_at(x) if spec.mode is TierMode.FLAT else slices(x)

    if math.isnan(amount):
        return NAN
    if spec.rating is RatingUnit.TRANSACTION:
        return sum(on_amount(x) for x in items)
    if spec.basis is Basis.AMOUNT:
        return on_amount(amount)
    if math.isnan(attainment):
        return NAN
    if spec.mode is TierMode.FLAT:
        return amount * rate_at(attainment)
    return amount / attainment * slices(attainment) if attainment > 0 else 0.0


def _round(amount: float, step: Decimal, mode: RoundingMode) -> Decimal:
    """Decimal rounding: to millionths (half even) first, then to the step with ``mode``."""
    exact = Decimal(amount).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    rounding = {
        RoundingMode.HALF_EVEN: ROUND_HALF_EVEN, RoundingMode.HALF_UP: ROUND_HALF_UP,
        RoundingMode.DOWN: ROUND_DOWN, RoundingMode.UP: ROUND_UP,
    }[mode]
    return (exact / step).quantize(Decimal(1), rounding=rounding) * step


def _transform(transform: Transform, value: float, env: Mapping[str, Any],
               run: Callable[..., Any]) -> float:
    if isinstance(transform, Curve):
        points = transform.points
        if value < points[0].value:
            return transform.below
        for left, right in itertools.pairwise(points):
            if left.value <= value < right.value:
                share = (value - left.value) / (right.value - left.value)
                return left.factor + share * (right.factor - left.factor)
        return points[-1].factor
    if isinstance(transform, TierTable):
        tiers = transform.tiers
        if value < tiers[0].lower:
            return transform.below
        if transform.mode is TierMode.MARGINAL:
            total = 0.0
            for tier in tiers:
                if value > tier.lower:
                    total += tier.rate * (min(value, tier.upper) - tier.lower)
            return total
        for index, tier in enumerate(tiers):
            if tier.lower <= value < tier.upper:
                if transform.mode is TierMode.FLAT or index == len(tiers) - 1:
                    return tier.rate
                following = tiers[index + 1]
                share = (value - tier.lower) / (tier.upper - tier.lower)
                return tier.rate + share * (following.rate - tier.rate)
        return tiers[-1].rate
    if isinstance(transform, Lookup):
        for key, factor in transform.entries:
            if key == value:
                return factor
        return NAN if transform.default is None else transform.default
    assert isinstance(transform, Formula)
    scope = dict(env)
    scope["value"] = value
    result = float(run(transform.expression.tree, scope))
    return result if math.isfinite(result) else NAN


def _eval(node: Node, env: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]
          ) -> Any:
    def ev(child: Node) -> Any:
        return _eval(child, env, functions)

    if isinstance(node, Num | Text | Bool):
        return node.value
    if isinstance(node, Name):
        return env[node.id]
    if isinstance(node, Unary):
        inner = ev(node.operand)
        return (not inner) if node.op == "not" else (-inner if node.op == "-" else inner)
    if isinstance(node, Binary):
        if node.op == "in":
            assert isinstance(node.right, ListOf)
            left = ev(node.left)
            return any(left == item.value for item in node.right.items)  # type: ignore[union-attr]
        left, right = ev(node.left), ev(node.right)
        if node.op == "and":
            return bool(left) and bool(right)
        if node.op == "or":
            return bool(left) or bool(right)
        return _binary(node.op, left, right)
    assert isinstance(node, Call)
    name = node.func
    if name in ("has", "n"):
        (arg,) = node.args
        assert isinstance(arg, Name)
        if name == "n":
            return env["n:" + arg.id]
        return not math.isnan(env[arg.id])
    args = [ev(arg) for arg in node.args]
    if name == "if":
        return args[1] if args[0] else args[2]
    if name in ("min", "max"):
        if any(isinstance(a, float) and math.isnan(a) for a in args):
            return NAN
        return min(args) if name == "min" else max(args)
    if name == "clip":
        if any(math.isnan(a) for a in args):
            return NAN
        return min(max(args[0], args[1]), args[2])
    if name == "abs":
        return abs(args[0])
    if name == "coalesce":
        return args[1] if math.isnan(args[0]) else args[0]
    out = functions[name](*[np.array([a], dtype=float) for a in args])
    return float(np.asarray(out, dtype=float).reshape(-1)[0])


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op in ("<", "<=", ">", ">="):
        if (isinstance(left, float) and math.isnan(left)) or (
                isinstance(right, float) and math.isnan(right)):
            return False
        return {"<": left < right, "<=": left <= right, ">": left > right,
                ">=": left >= right}[op]
    left, right = float(left), float(right)
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            if left == 0 or math.isnan(left):
                return NAN
            return math.copysign(math.inf, left) * math.copysign(1.0, right)
        return left / right
    try:
        return math.pow(left, right)
    except (OverflowError, ValueError):
        return NAN if left < 0 else math.inf
