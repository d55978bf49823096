"""A run's layout (what every statement of the run shares) and a line expanded with it.

A stored line holds only what differs between KAMs (``kamscore.scoring.codec``); the run keeps
once, in its ``layout``, the component titles, metrics, parts, curve segment names per variant,
gate conditions and treatment labels (``layout_of``). ``expand`` joins a line's detail with the
layout back into the full statement: the engine's ``KamStatement.to_dict()`` plus, per
component, the metric's inputs, its no-data reason and its source (tests check that the two
are equal for every KAM).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamscore.engine.model import Commission, Ruleset
from kamscore.engine.results import Treatment
from kamscore.scoring.canonical import to_plain
from kamscore.scoring.codec import COMPONENT_FIELDS


def layout_of(ruleset: Ruleset, sources: Mapping[str, str]) -> dict[str, Any]:
    """What every statement of a run shares; ``sources``: component id → request key."""
    variants = range(len(ruleset.variant_ids))
    components = []
    for component in ruleset.components:
        by_variant = []
        for index in variants:
            spec = ruleset.scoring_of(index)[component.id]
            labels: list[str] = []
            if spec.transform is not None:
                count = _segment_count(spec.transform)
                labels = [spec.transform.segment_label(s) for s in range(-1, count)]
            by_variant.append({"floor": spec.floor, "cap": spec.cap, "segments": labels})
        components.append({
            "id": component.id, "title": component.title, "metric": component.metric,
            "part": component.part.value, "horizon": component.horizon.value,
            "source": sources[component.id], "by_variant": by_variant,
        })
    return to_plain({
        "ruleset": ruleset.name, "ruleset_version": ruleset.version,
        "currency": ruleset.currency, "variants": list(ruleset.variant_ids),
        "rounding": f"{ruleset.rounding.mode.value} to {ruleset.rounding.step}",
        "plan_floor": ruleset.limits.floor, "plan_cap": ruleset.limits.cap,
        "cap_amount": ruleset.limits.cap_amount,
        "component_fields": list(COMPONENT_FIELDS),
        "components": components,
        "gates": [{"id": g.id, "title": g.title, "condition": g.condition.source,
                   "applies_to": ", ".join(g.applies_to) or "plan",
                   "if_missing": g.if_missing.value, "otherwise": g.otherwise,
                   "components": list(g.applies_to),
                   **({"blocks": g.blocks.value} if g.blocks.value != "all" else {})}
                  for g in ruleset.gates],
        "modifiers": [{"id": m.id, "title": m.title, "formula": m.factor.source,
                       "applies_to": ", ".join(m.applies_to) or "plan",
                       "components": list(m.applies_to)} for m in ruleset.modifiers],
        "treatments": [[t.name.lower(), t.label] for t in Treatment],
    })


def _segment_count(transform: Any) -> int:
    """How many segment indexes (from 0) the transform's ``segment_label`` names."""
    if isinstance(transform, Commission):  # its tiers, and "each transaction rated"
        return len(transform.tiers) + 1
    for attribute in ("points", "tiers", "entries"):
        items = getattr(transform, attribute, None)
        if items is not None:
            return len(items)
    return 1  # a formula: segment 0


def expand(layout: Mapping[str, Any], detail: Mapping[str, Any]) -> dict[str, Any]:
    """The full statement of one line: the engine's statement fields, plus per component
    ``inputs``, ``reason``, ``source`` (and ``failure`` when the metric failed), and
    ``kam_input_hash`` is added by the caller."""
    out = detail["out"]
    metrics = detail["in"]["metrics"]
    variant = out["variant"]
    treatments = layout["treatments"]
    gate_results = out["gates"]
    modifier_results = out["modifiers"]

    def gate_line(index: int) -> dict[str, Any]:
        g = layout["gates"][index]
        passed, missing = gate_results[index]
        line = {"id": g["id"], "title": g["title"], "condition": g["condition"],
                "applies_to": g["applies_to"], "passed": passed, "missing": missing,
                "if_missing": g["if_missing"], "otherwise": g["otherwise"]}
        if "blocks" in g:
            line["blocks"] = g["blocks"]
        return line

    def modifier_line(index: int) -> dict[str, Any]:
        m = layout["modifiers"][index]
        value, applied, missing = modifier_results[index]
        return {"id": m["id"], "title": m["title"], "formula": m["formula"],
                "applies_to": m["applies_to"], "value": value, "applied": applied,
                "missing": missing}

    components = []
    for spec, values in zip(layout["components"], out["components"], strict=True):
        row = dict(zip(layout["component_fields"], values, strict=True))
        scoring = spec["by_variant"][variant]
        name, label = treatments[row["treatment"]]
        segment = row["segment"]
        metric = metrics[spec["source"]]
        line = {
            "id": spec["id"], "title": spec["title"], "metric": spec["metric"],
            "part": spec["part"], "horizon": spec["horizon"], "value": row["value"],
            "n": row["n"], "treatment": name, "treatment_label": label,
            "segment": None if segment is None else scoring["segments"][segment],
            "raw_factor": row["raw_factor"], "multiplier": row["multiplier"],
            "floor": scoring["floor"], "cap": scoring["cap"], "floored": row["floored"],
            "capped": row["capped"], "gate_factor": row["gate_factor"],
            "factor": row["factor"], "weight": row["weight"],
            "effective_weight": row["effective_weight"], "contribution": row["contribution"],
            "gates": [gate_line(k) for k, g in enumerate(layout["gates"])
                      if spec["id"] in g["components"]],
            "modifiers": [modifier_line(k) for k, m in enumerate(layout["modifiers"])
                          if spec["id"] in m["components"]],
            "source": spec["source"],
        }
        if "failed" in metric:
            line.update(failure=metric["failed"], inputs={},
                        reason="the metric failed: " + metric["failed"])
        else:
            line.update(inputs=metric["inputs"], reason=metric["reason"])
        index = len(components)
        if out.get("commissions") and out["commissions"][index] is not None:
            line["commission"], line["rate"] = out["commissions"][index]
        if out.get("accelerators") and out["accelerators"][index] is not None:
            line["accelerator"] = out["accelerators"][index]
        components.append(line)
    return {
        "code": detail["in"]["kam"], "ruleset": layout["ruleset"],
        "ruleset_version": layout["ruleset_version"], "currency": layout["currency"],
        "variant": layout["variants"][variant], "status": out["status"],
        "reasons": out["reasons"], "eligible": out["eligible"],
        "proration": out["proration"], "target": out["target"], "components": components,
        "gates": [gate_line(k) for k, g in enumerate(layout["gates"]) if not g["components"]],
        "modifiers": [modifier_line(k) for k, m in enumerate(layout["modifiers"])
                      if not m["components"]],
        "score": out["score"], "plan_multiplier": out["plan_multiplier"],
        "plan_floor": layout["plan_floor"], "plan_cap": layout["plan_cap"],
        "plan_floored": out["plan_floored"], "plan_capped": out["plan_capped"],
        "plan_gate_factor": out["plan_gate_factor"], "final_factor": out["final_factor"],
        "amount": out["amount"], "cap_amount": layout["cap_amount"],
        "amount_capped": out["amount_capped"], "rounding": layout["rounding"],
        "payout": out["payout"], "parts": out["parts"], "horizons": out["horizons"],
        **{key: out[key] for key in ("commission", "ramp") if key in out},
    }
