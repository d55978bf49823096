"""Statements for the whole population, column by column.

``statement_columns(evaluation)`` gathers what every KAM's statement shows as arrays — per
component one array per field (``COMPONENT_FIELDS``: value, attainment segment, factor,
weight, contribution, ...), per gate and modifier its outcome arrays, per plan step
(score, plan multiplier, gates, floor/cap, amount, payout) one array each — and the texts
every KAM shares (titles, curve segment names per variant, gate conditions) once. Nothing is
built per KAM: 100,000 KAMs cost what a few array operations cost. What is worked out
here (curve segments, the payout's parts, the reasons) goes ``SLICE`` KAMs at a time, so
the arrays stay in the CPU's cache and the cost per KAM stays flat from 1,000 to 100,000.

``StatementColumns.statement(i)`` renders one KAM's statement from the columns on demand:
exactly ``build_statement(evaluation, i).to_dict()`` (tests compare the two for every KAM of
the demo), without the object graph.

The format is generic: a component is a mapping of field name → array, so a component kind
with other steps adds fields, not a new format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.engine.results import Evaluation, Ineligibility, Status, Treatment, slices
from kamscore.engine.rounding import to_decimal
from kamscore.engine.statement import _no_target_reason
from kamscore.engine.transforms import NO_SEGMENT

#: Each component's arrays, in this order (``segment`` is the int16 segment index).
COMPONENT_FIELDS = ("value", "n", "treatment", "segment", "raw_factor", "multiplier",
                    "gate_factor", "factor", "capped", "floored", "weight", "effective_weight",
                    "contribution")

#: A component's further arrays where its plan has them: a commission's money and rate, what
#: an accelerator gate keeps (``_shape_columns``).
SHAPE_FIELDS = ("commission", "rate", "accelerator")

#: The plan's per-KAM steps, from the variant to the rounded payout.
PLAN_FIELDS = ("variant", "status", "eligible", "ineligibility", "proration", "target",
               "score", "plan_multiplier", "plan_gate_factor", "plan_floored", "plan_capped",
               "final_factor", "amount", "amount_capped", "payout_minor")

_TREATMENTS = tuple((t.name.lower(), t.label) for t in Treatment)
_STATUS = tuple(s.label for s in Status)


@dataclass(frozen=True)
class StatementColumns:
    """Every KAM's statement as columns (see the module doc)."""

    evaluation: Evaluation
    plan: Mapping[str, np.ndarray]  # PLAN_FIELDS → array
    components: tuple[Mapping[str, np.ndarray], ...]  # per component, COMPONENT_FIELDS
    gates: tuple[Mapping[str, np.ndarray], ...]  # per gate: passed, missing
    modifiers: tuple[Mapping[str, np.ndarray], ...]  # per modifier: value, applied, missing
    parts: Mapping[str, np.ndarray]  # part → rounded minor units
    horizons: Mapping[str, np.ndarray]
    reasons: Mapping[int, tuple[str, ...]]  # only the KAMs that have a reason

    @property
    def size(self) -> int:
        return self.evaluation.size

    def statement(self, i: int) -> dict[str, Any]:
        """KAM ``i``'s statement: ``build_statement(evaluation, i).to_dict()``."""
        return _render(self, i)


def statement_columns(ev: Evaluation) -> StatementColumns:
    plan = {name: getattr(ev, name) for name in PLAN_FIELDS}
    components = tuple({**{name: getattr(r, name) for name in COMPONENT_FIELDS},
                        **_shape_columns(r)} for r in ev.components)
    gates = tuple({"passed": g.passed, "missing": g.missing} for g in ev.gates)
    modifiers = tuple({"value": m.value, "applied": m.applied, "missing": m.missing}
                      for m in ev.modifiers)
    return StatementColumns(ev, plan, components, gates, modifiers, ev.part_minor,
                            ev.horizon_minor, reasons(ev))


def _shape_columns(result: Any) -> dict[str, np.ndarray]:
    """A commission's money and rate, an accelerator gate's share kept: only on the
    components they apply to (the statement shows them only there)."""
    found = {}
    if result.commission is not None:
        found["commission"], found["rate"] = result.commission, result.raw_factor
    if result.accelerator is not None:
        found["accelerator"] = result.accelerator
    return found


def reasons(ev: Evaluation) -> dict[int, tuple[str, ...]]:
    """Why each KAM that has a reason is held or ineligible, worded as the engine's
    statement words it; KAMs without one are left out. Worked out ``SLICE`` KAMs at a time
    (``engine.results.slices``): a KAM's reasons all come from his slice, in the same order."""
    found: dict[int, list[str]] = {}
    for part in slices(ev.size):
        _reasons_of(ev, part, found)
    return {i: tuple(r) for i, r in found.items()}


def _reasons_of(ev: Evaluation, part: slice, found: dict[int, list[str]]) -> None:
    ruleset = ev.ruleset
    start = part.start

    def where(mask: np.ndarray) -> list[int]:
        return (np.flatnonzero(mask) + start).tolist()

    for component, result in zip(ruleset.components, ev.components, strict=True):
        for i in where(result.treatment[part] == Treatment.HELD):
            found.setdefault(i, []).append(f"no data for {component.id} (missing: hold)")
    for gate, result in zip(ruleset.gates, ev.gates, strict=True):
        if gate.if_missing.value == "hold":
            for i in where(result.missing[part]):
                found.setdefault(i, []).append(
                    f"gate {gate.id}: a value it reads has no data (if_missing: hold)")
    for i in where(ev.no_component_data[part]):
        found.setdefault(i, []).append("no paying component has data")
    for i in where(ev.eligible[part] & np.isnan(ev.target[part])):
        found.setdefault(i, []).append(_no_target_reason(ev, i))
    roles = ev.attributes.get("role")
    for i in where(ev.ineligibility[part] == Ineligibility.ROLE):
        role = None if roles is None else roles[i]
        found[i] = [f"role {role!r} is not among the eligible roles "
                    f"({', '.join(ruleset.eligibility.roles or ())})"]
    for i in where(ev.ineligibility[part] == Ineligibility.DAYS):
        found[i] = [f"fewer than {ruleset.eligibility.min_days} eligible days in the period"]


# -- one KAM --------------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _shared(ev: Evaluation) -> dict[str, Any]:
    """What every statement of the evaluation shares (cached on the ruleset's id)."""
    ruleset = ev.ruleset
    gates = [{"id": g.id, "title": g.title, "condition": g.condition.source,
              "applies_to": ", ".join(g.applies_to) or "plan", "if_missing": g.if_missing.value,
              "otherwise": g.otherwise, "components": g.applies_to, "blocks": g.blocks.value}
             for g in ruleset.gates]
    modifiers = [{"id": m.id, "title": m.title, "formula": m.factor.source,
                  "applies_to": ", ".join(m.applies_to) or "plan", "components": m.applies_to}
                 for m in ruleset.modifiers]
    variants = []
    for index in range(len(ruleset.variant_ids)):
        scoring = ruleset.scoring_of(index)
        variants.append([scoring[c.id] for c in ruleset.components])
    rounding = ruleset.rounding
    return {"gates": gates, "modifiers": modifiers, "variants": variants,
            "rounding": f"{rounding.mode.value} to {rounding.step}"}


def _gate(shared: dict[str, Any], columns: Mapping[str, np.ndarray], i: int) -> dict[str, Any]:
    return {"id": shared["id"], "title": shared["title"], "condition": shared["condition"],
            "applies_to": shared["applies_to"], "passed": bool(columns["passed"][i]),
            "missing": bool(columns["missing"][i]), "if_missing": shared["if_missing"],
            "otherwise": shared["otherwise"],
            **({"blocks": shared["blocks"]} if shared["blocks"] != "all" else {})}


def _modifier(shared: dict[str, Any], columns: Mapping[str, np.ndarray], i: int
              ) -> dict[str, Any]:
    return {"id": shared["id"], "title": shared["title"], "formula": shared["formula"],
            "applies_to": shared["applies_to"], "value": float(columns["value"][i]),
            "applied": bool(columns["applied"][i]), "missing": bool(columns["missing"][i])}


def _render(sc: StatementColumns, i: int) -> dict[str, Any]:
    ev = sc.evaluation
    ruleset = ev.ruleset
    shared = _shared(ev)
    plan = sc.plan
    variant = int(plan["variant"][i])
    specs = shared["variants"][variant]
    gates = list(zip(shared["gates"], sc.gates, strict=True))
    modifiers = list(zip(shared["modifiers"], sc.modifiers, strict=True))
    lines = []
    for component, spec, cols in zip(ruleset.components, specs, sc.components, strict=True):
        segment_index = int(cols["segment"][i])
        segment = None
        if spec.transform is not None and segment_index != NO_SEGMENT:
            segment = spec.transform.segment_label(segment_index)
        name, label = _TREATMENTS[int(cols["treatment"][i])]
        value = cols["value"][i]
        lines.append({
            "id": component.id, "title": component.title, "metric": component.metric,
            "part": component.part.value, "horizon": component.horizon.value,
            "value": value if isinstance(value, str) or value is None else _num(value),
            "n": _num(cols["n"][i]), "treatment": name, "treatment_label": label,
            "segment": segment, "raw_factor": _num(cols["raw_factor"][i]),
            "multiplier": float(cols["multiplier"][i]), "floor": spec.floor, "cap": spec.cap,
            "floored": bool(cols["floored"][i]), "capped": bool(cols["capped"][i]),
            "gate_factor": float(cols["gate_factor"][i]), "factor": float(cols["factor"][i]),
            "weight": float(cols["weight"][i]),
            "effective_weight": float(cols["effective_weight"][i]),
            "contribution": float(cols["contribution"][i]),
            "gates": [_gate(g, c, i) for g, c in gates if component.id in g["components"]],
            "modifiers": [_modifier(m, c, i) for m, c in modifiers
                          if component.id in m["components"]],
        })
        if "commission" in cols:
            lines[-1]["commission"] = float(cols["commission"][i])
            lines[-1]["rate"] = _num(cols["rate"][i])
        if "accelerator" in cols:
            lines[-1]["accelerator"] = float(cols["accelerator"][i])
    rounding = ruleset.rounding
    shapes = {key: float(column[i]) for key, column in (("commission", ev.commission),
                                                        ("ramp", ev.ramp))
              if column is not None}
    return {
        "code": str(ev.codes[i]), "ruleset": ruleset.name,
        "ruleset_version": ruleset.version, "currency": ruleset.currency,
        "variant": ruleset.variant_ids[variant], "status": _STATUS[int(plan["status"][i])],
        "reasons": list(sc.reasons.get(i, ())), "eligible": bool(plan["eligible"][i]),
        "proration": float(plan["proration"][i]), "target": _num(plan["target"][i]),
        "components": lines,
        "gates": [_gate(g, c, i) for g, c in gates if not g["components"]],
        "modifiers": [_modifier(m, c, i) for m, c in modifiers if not m["components"]],
        "score": float(plan["score"][i]), "plan_multiplier": float(plan["plan_multiplier"][i]),
        "plan_floor": ruleset.limits.floor, "plan_cap": ruleset.limits.cap,
        "plan_floored": bool(plan["plan_floored"][i]),
        "plan_capped": bool(plan["plan_capped"][i]),
        "plan_gate_factor": float(plan["plan_gate_factor"][i]),
        "final_factor": float(plan["final_factor"][i]), "amount": float(plan["amount"][i]),
        "cap_amount": ruleset.limits.cap_amount,
        "amount_capped": bool(plan["amount_capped"][i]), "rounding": shared["rounding"],
        "payout": str(to_decimal(int(plan["payout_minor"][i]), rounding)),
        "parts": {k: str(to_decimal(int(v[i]), rounding)) for k, v in sc.parts.items()},
        "horizons": {k: str(to_decimal(int(v[i]), rounding)) for k, v in sc.horizons.items()},
        **shapes,
    }
