"""One KAM's payout explained: from each metric value to the rounded payout.

``build_statement(evaluation, i)`` picks KAM ``i``'s entries out of the evaluation's arrays
and names them in plan terms (the variant, the curve segment or tier, which treatment applied
to missing data, which gates passed). ``KamStatement.to_dict()`` is plain JSON data (no NaN:
missing numbers are ``None``; money is a decimal string) — what a score run stores per KAM and
what the statement page, the API and the CSV export show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kamscore.engine.model import Gate, Modifier
from kamscore.engine.results import Evaluation, Ineligibility, Status, Treatment
from kamscore.engine.rounding import to_decimal

if TYPE_CHECKING:
    from kamscore.engine.results import GateResult, ModifierResult


@dataclass(frozen=True)
class GateLine:
    id: str
    title: str
    condition: str
    applies_to: str  # "plan" or the component ids, comma-separated
    passed: bool
    missing: bool  # a value it reads had no data; `if_missing` decided
    if_missing: str
    otherwise: float  # the factor multiplier used when it failed
    blocks: str = "all"  # accelerator: only the part above target (shown only then)


@dataclass(frozen=True)
class ModifierLine:
    id: str
    title: str
    formula: str
    applies_to: str
    value: float  # the multiplier used (1.0 when it did not apply)
    applied: bool
    missing: bool  # applied, but had no data: 1.0 used


@dataclass(frozen=True)
class ComponentLine:
    id: str
    title: str
    metric: str
    part: str
    horizon: str
    value: float | str | None  # the metric value; None = no data
    n: float | None  # responses behind it
    treatment: str  # Treatment name: scored, excluded, zero, at_target, held, not_paid
    treatment_label: str
    segment: str | None  # the curve segment / tier / lookup entry that applied
    raw_factor: float | None  # from the transform
    multiplier: float
    floor: float
    cap: float | None
    floored: bool
    capped: bool
    gate_factor: float
    factor: float
    weight: float  # the variant's weight (fraction)
    effective_weight: float  # after reweighting
    contribution: float  # effective_weight * factor
    gates: tuple[GateLine, ...]
    modifiers: tuple[ModifierLine, ...]
    # only on a commission line: the money it pays (rate x amount after its gates, before
    # rounding) and the effective rate (commission before gates / amount)
    commission: float | None = None
    rate: float | None = None
    # only where an accelerator gate applies: what is kept of the part above target
    accelerator: float | None = None


#: Keys a statement shows only where they apply (commissions, accelerator gates, ramps).
OPTIONAL_KEYS = ("commission", "rate", "accelerator", "ramp")


@dataclass(frozen=True)
class KamStatement:
    code: str
    ruleset: str
    ruleset_version: str
    currency: str
    variant: str
    status: str  # paid, ineligible, held
    reasons: tuple[str, ...]  # why ineligible or held
    eligible: bool
    proration: float
    target: float | None
    components: tuple[ComponentLine, ...]
    gates: tuple[GateLine, ...]  # plan-level gates
    modifiers: tuple[ModifierLine, ...]  # plan-level modifiers
    score: float
    plan_multiplier: float
    plan_floor: float
    plan_cap: float | None
    plan_floored: bool
    plan_capped: bool
    plan_gate_factor: float
    final_factor: float
    amount: float  # before rounding
    cap_amount: float | None
    amount_capped: bool
    rounding: str  # e.g. "half_even to 0.01"
    payout: Decimal
    parts: dict[str, Decimal]
    horizons: dict[str, Decimal]
    commission: float | None = None  # the commissions in `amount` (plans with commissions)
    ramp: float | None = None  # the ramp factor applied (plans with a ramp)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: Decimals become strings; numbers are finite floats or None
        (``build_statement`` turns NaN into None), so nothing else needs converting."""
        data = {name: getattr(self, name) for name in _FIELDS[KamStatement]}
        data["reasons"] = list(self.reasons)
        data["components"] = [_line(c) for c in self.components]
        data["gates"] = [_flat(g) for g in self.gates]
        data["modifiers"] = [_flat(m) for m in self.modifiers]
        data["payout"] = str(self.payout)
        data["parts"] = {k: str(v) for k, v in self.parts.items()}
        data["horizons"] = {k: str(v) for k, v in self.horizons.items()}
        return _drop_unused(data)


def _drop_unused(data: dict[str, Any]) -> dict[str, Any]:
    """Without the keys of shapes the plan does not use (a commission line keeps its
    ``rate``, None without an amount)."""
    for key in OPTIONAL_KEYS:
        if key in data and data[key] is None and not (
                key == "rate" and data.get("commission") is not None):
            del data[key]
    return data


def _flat(line: GateLine | ModifierLine) -> dict[str, Any]:
    data = {name: getattr(line, name) for name in _FIELDS[type(line)]}
    if data.get("blocks") == "all":
        del data["blocks"]
    return data


def _line(line: ComponentLine) -> dict[str, Any]:
    data = _drop_unused({name: getattr(line, name) for name in _FIELDS[ComponentLine]})
    data["gates"] = [_flat(g) for g in line.gates]
    data["modifiers"] = [_flat(m) for m in line.modifiers]
    return data


_FIELDS = {cls: tuple(f.name for f in fields(cls))
           for cls in (GateLine, ModifierLine, ComponentLine, KamStatement)}


def _num(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _gate_line(gate: Gate, result: GateResult, i: int) -> GateLine:
    return GateLine(gate.id, gate.title, gate.condition.source,
                    ", ".join(gate.applies_to) or "plan", bool(result.passed[i]),
                    bool(result.missing[i]), gate.if_missing.value, gate.otherwise,
                    gate.blocks.value)


def _modifier_line(modifier: Modifier, result: ModifierResult, i: int) -> ModifierLine:
    return ModifierLine(modifier.id, modifier.title, modifier.factor.source,
                        ", ".join(modifier.applies_to) or "plan", float(result.value[i]),
                        bool(result.applied[i]), bool(result.missing[i]))


def build_statement(ev: Evaluation, i: int) -> KamStatement:
    ruleset = ev.ruleset
    variant_index = int(ev.variant[i])
    scoring = ruleset.scoring_of(variant_index)
    gate_results = {g.id: g for g in ev.gates}
    modifier_results = {m.id: m for m in ev.modifiers}
    reasons: list[str] = []

    lines = []
    for component, result in zip(ruleset.components, ev.components, strict=True):
        spec = scoring[component.id]
        treatment = Treatment(int(result.treatment[i]))
        segment_index = int(result.segment[i])
        segment = None
        if spec.transform is not None and segment_index != -2:
            segment = spec.transform.segment_label(segment_index)
        if treatment is Treatment.HELD:
            reasons.append(f"no data for {component.id} (missing: hold)")
        value = result.value[i]
        lines.append(ComponentLine(
            id=component.id, title=component.title, metric=component.metric,
            part=component.part.value, horizon=component.horizon.value,
            value=value if isinstance(value, str) or value is None else _num(value),
            n=_num(result.n[i]), treatment=treatment.name.lower(),
            treatment_label=treatment.label, segment=segment,
            raw_factor=_num(result.raw_factor[i]), multiplier=float(result.multiplier[i]),
            floor=spec.floor, cap=spec.cap, floored=bool(result.floored[i]),
            capped=bool(result.capped[i]), gate_factor=float(result.gate_factor[i]),
            factor=float(result.factor[i]), weight=float(result.weight[i]),
            effective_weight=float(result.effective_weight[i]),
            contribution=float(result.contribution[i]),
            gates=tuple(_gate_line(g, gate_results[g.id], i) for g in ruleset.gates
                        if component.id in g.applies_to),
            modifiers=tuple(_modifier_line(m, modifier_results[m.id], i)
                            for m in ruleset.modifiers if component.id in m.applies_to),
            commission=None if result.commission is None else float(result.commission[i]),
            rate=None if result.commission is None else _num(result.raw_factor[i]),
            accelerator=None if result.accelerator is None else float(result.accelerator[i]),
        ))

    for gate in ruleset.gates:
        result = gate_results[gate.id]
        if result.missing[i] and gate.if_missing.value == "hold":
            reasons.append(f"gate {gate.id}: a value it reads has no data (if_missing: hold)")
    if ev.no_component_data[i]:
        reasons.append("no paying component has data")
    if ev.eligible[i] and math.isnan(ev.target[i]):
        reasons.append(_no_target_reason(ev, i))
    reason = Ineligibility(int(ev.ineligibility[i]))
    if reason is Ineligibility.ROLE:
        role = ev_attribute(ev, "role", i)
        reasons = [f"role {role!r} is not among the eligible roles "
                   f"({', '.join(ruleset.eligibility.roles or ())})"]
    elif reason is Ineligibility.DAYS:
        reasons = [f"fewer than {ruleset.eligibility.min_days} eligible days in the period"]

    rounding = ruleset.rounding
    return KamStatement(
        code=str(ev.codes[i]), ruleset=ruleset.name, ruleset_version=ruleset.version,
        currency=ruleset.currency, variant=ruleset.variant_ids[variant_index],
        status=Status(int(ev.status[i])).label, reasons=tuple(reasons),
        eligible=bool(ev.eligible[i]), proration=float(ev.proration[i]),
        target=_num(ev.target[i]), components=tuple(lines),
        gates=tuple(_gate_line(g, gate_results[g.id], i) for g in ruleset.gates
                    if not g.applies_to),
        modifiers=tuple(_modifier_line(m, modifier_results[m.id], i)
                        for m in ruleset.modifiers if not m.applies_to),
        score=float(ev.score[i]), plan_multiplier=float(ev.plan_multiplier[i]),
        plan_floor=ruleset.limits.floor, plan_cap=ruleset.limits.cap,
        plan_floored=bool(ev.plan_floored[i]), plan_capped=bool(ev.plan_capped[i]),
        plan_gate_factor=float(ev.plan_gate_factor[i]),
        final_factor=float(ev.final_factor[i]), amount=float(ev.amount[i]),
        cap_amount=ruleset.limits.cap_amount, amount_capped=bool(ev.amount_capped[i]),
        rounding=f"{rounding.mode.value} to {rounding.step}",
        payout=ev.payout_decimal(i),
        parts={k: to_decimal(int(v[i]), rounding) for k, v in ev.part_minor.items()},
        horizons={k: to_decimal(int(v[i]), rounding) for k, v in ev.horizon_minor.items()},
        commission=None if ev.commission is None else float(ev.commission[i]),
        ramp=None if ev.ramp is None else float(ev.ramp[i]),
    )


def ev_attribute(ev: Evaluation, name: str, i: int) -> Any:
    array = ev.attributes.get(name)
    return None if array is None else array[i]


def _no_target_reason(ev: Evaluation, i: int) -> str:
    by = ev.ruleset.target.by
    if by is not None and ev_attribute(ev, by, i) not in ev.ruleset.target.rules and (
        ev.ruleset.target.default is None
    ):
        return f"no target incentive for {by} {ev_attribute(ev, by, i)!r}"
    return "no base salary for a target set as a share of salary"
