"""Reading the rules around components: variants, gates and modifiers.

Structured forms are turned into formulas of the expression language, so the engine has a
single way to evaluate conditions and the statement can show each rule as one readable line:
``{segment: strategic, lifecycle_phase: [launch]}`` becomes
``segment in ['strategic'] and lifecycle_phase in ['launch']``; a gate ``{component: csat,
at_least: 60%, min_responses: 5}`` becomes ``csat >= 60% and n(csat) >= 5``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.engine import units
from kamscore.engine.build_components import SCORING_KEYS, read_scoring
from kamscore.engine.build_tables import factor, read_weight
from kamscore.engine.building import BuildContext
from kamscore.engine.expressions import Expression, ExprType
from kamscore.engine.model import (
    AttributeType,
    Component,
    Gate,
    GateBlocks,
    GateMissing,
    Modifier,
    Scoring,
    Variant,
)
from kamscore.engine.reader import ABSENT, describe, parse_quantity, suggestion, what_of
from kamscore.sentences import N_, Sentence

MAX_TABLE = 20  # entries of a {by, values} multiplier table


def _text_literal(value: Any) -> str:
    text = str(value)
    quote = "'" if "'" not in text else '"'
    return f"{quote}{text}{quote}"


def condition(ctx: BuildContext, path: KeyPath, raw: Any,
              what: str | Sentence) -> Expression | None:
    """A condition: a formula text, or a mapping ``attribute: value-or-list`` (all must
    hold)."""
    scope = ctx.scope()
    if raw is ABSENT:
        return None
    if isinstance(raw, str):
        return ctx.formula(path, raw, ExprType.BOOL, scope, what)
    if not isinstance(raw, dict) or not raw:
        ctx.reader.problem(path, N_("expected %(what)s: a formula, or a mapping of attributes "
                                    "to values, found %(found)s", what=what_of(what),
                                    found=describe(raw)))
        return None
    parts = []
    for attribute, wanted in raw.items():
        here = (*path, str(attribute))
        kind = ctx.attributes.get(str(attribute))
        if kind is None:
            texts = [a for a, k in ctx.attributes.items() if k is AttributeType.TEXT]
            ctx.reader.problem(here, N_("unknown attribute %(attribute)s%(hint)s (declare it "
                                        "under `attributes:` if the population has it)",
                                        attribute=repr(attribute),
                                        hint=suggestion(str(attribute), texts)))
            return None
        if kind is not AttributeType.TEXT:
            ctx.reader.problem(here, N_("%(attribute)s is a number; compare it in a formula, "
                                        "e.g. \"%(example)s\"", attribute=repr(attribute),
                                        example=f"{attribute} >= 30"))
            return None
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or any(isinstance(v, dict | list | bool) or v is None for v in values):
            ctx.reader.problem(here, N_("expected a value or a list of values, found "
                                        "%(found)s", found=describe(wanted)))
            return None
        parts.append(f"{attribute} in [{', '.join(_text_literal(v) for v in values)}]")
    return ctx.formula(path, " and ".join(parts), ExprType.BOOL, scope, what)


def applies_to(ctx: BuildContext, path: KeyPath, raw: Any) -> tuple[str, ...] | None:
    """``plan`` (the default) -> (); a component id or a list of them."""
    if raw is None or raw == "plan":
        return ()
    items = raw if isinstance(raw, list) else [raw]
    ids = list(ctx.metrics)
    result = []
    for index, item in enumerate(items):
        here = (*path, index) if isinstance(raw, list) else path
        if item not in ctx.metrics:
            ctx.reader.problem(here, N_("expected 'plan' or component ids, found "
                                        "%(found)s%(hint)s", found=describe(item),
                                        hint=suggestion(str(item), ids)))
            return None
        result.append(item)
    return tuple(result)


def read_gates(ctx: BuildContext, raw: Any) -> list[Gate] | None:
    items = ctx.reader.sequence(("gates",), raw, what=N_("a list of gates"), allow_empty=True)
    if items is None:
        return None
    gates: list[Gate] = []
    seen: set[str] = set()
    ok = True
    for index, item in enumerate(items):
        gate = _gate(ctx, ("gates", index), item, seen)
        ok = ok and gate is not None
        if gate is not None:
            gates.append(gate)
    return gates if ok else None


def _gate(ctx: BuildContext, path: KeyPath, item: Any, seen: set[str]) -> Gate | None:
    data = ctx.reader.mapping(path, item, required=("id",), optional=(
        "title", "component", "at_least", "at_most", "min_responses", "when", "applies_to",
        "otherwise", "if_missing", "blocks"), what=N_("a gate (a mapping)"))
    if data is None:
        return None
    gate_id = ctx.reader.identifier((*path, "id"), data.get("id"), what=N_("a gate id"))
    if gate_id is not None and gate_id in seen:
        ctx.reader.problem((*path, "id"), N_("duplicate gate id %(id)s", id=repr(gate_id)))
        gate_id = None
    if gate_id is not None:
        seen.add(gate_id)
    structured = [k for k in ("component", "at_least", "at_most", "min_responses") if k in data]
    expression: Expression | None = None
    if "when" in data and structured:
        ctx.reader.problem((*path, structured[0]), N_("give either `when` (a formula) or "
                                                      "`component` with at_least/at_most/"
                                                      "min_responses, not both"))
    elif "when" in data:
        expression = ctx.formula((*path, "when"), data["when"], ExprType.BOOL, ctx.scope(),
                                 N_("a gate condition"))
    elif "component" in data:
        expression = _structured_gate(ctx, path, data)
    else:
        ctx.reader.problem(path, N_("a gate needs `when` (a formula) or `component` with "
                                    "at_least, at_most or min_responses"))
    targets = applies_to(ctx, (*path, "applies_to"), data.get("applies_to"))
    otherwise = 0.0
    if "otherwise" in data:
        otherwise = ctx.reader.number((*path, "otherwise"), data["otherwise"],
                                      what=N_("the factor a failed gate keeps"),
                                      minimum=0.0, maximum=1.0)
    if_missing = ctx.reader.choice((*path, "if_missing"), data.get("if_missing", "fail"),
                                   [m.value for m in GateMissing])
    blocks = ctx.reader.choice((*path, "blocks"), data.get("blocks", "all"),
                               [b.value for b in GateBlocks])
    if blocks == GateBlocks.ACCELERATOR and targets == ():
        ctx.reader.problem((*path, "blocks"), N_("a gate that blocks the accelerator applies "
                                                 "to components: list them under applies_to"))
        blocks = None
    if None in (gate_id, expression, targets, otherwise, if_missing, blocks):
        return None
    assert expression is not None and gate_id is not None and otherwise is not None
    reads = tuple(sorted(expression.names & set(ctx.metrics)))
    counts = tuple(sorted(expression.counted & set(ctx.metrics)))
    title, titles = ctx.reader.translated((*path, "title"), data.get("title", gate_id), gate_id)
    return Gate(gate_id, title, expression, targets or (),
                otherwise, GateMissing(if_missing), reads, counts, GateBlocks(blocks), titles)


def _structured_gate(ctx: BuildContext, path: KeyPath, data: dict[str, Any]
                     ) -> Expression | None:
    component = data["component"]
    if component not in ctx.metrics:
        if component in ctx.catalogue:
            ctx.reader.problem((*path, "component"),
                               N_("the gate reads metric %(metric)s, which this ruleset does "
                                  "not compute: add a component with metric: %(code)s (weight "
                                  "0 if it should not pay) and name its id here",
                                  metric=repr(component), code=component))
        else:
            ctx.reader.problem((*path, "component"),
                               N_("unknown component %(component)s%(hint)s",
                                  component=describe(component),
                                  hint=suggestion(str(component), list(ctx.metrics))))
        return None
    unit = ctx.unit_of(component)
    parts = []
    for key, op in (("at_least", ">="), ("at_most", "<=")):
        if key not in data:
            continue
        quantity = parse_quantity(data[key])
        if quantity is None:
            ctx.reader.problem((*path, key), N_("expected a metric value (like 0.6 or 60%%), "
                                                "found %(found)s", found=describe(data[key])))
            return None
        problem = units.literal_problem(unit, quantity.value, quantity.unit, quantity.written)
        if problem:
            ctx.reader.problem((*path, key), problem)
            return None
        parts.append(f"{component} {op} {quantity.written}")
    if "min_responses" in data:
        count = ctx.reader.integer((*path, "min_responses"), data["min_responses"], minimum=1)
        if count is None:
            return None
        parts.append(f"n({component}) >= {count}")
    if not parts:
        ctx.reader.problem(path, N_("a gate on a component needs at_least, at_most or "
                                    "min_responses"))
        return None
    return ctx.formula(path, " and ".join(parts), ExprType.BOOL, ctx.scope(),
                       N_("a gate condition"))


def read_modifiers(ctx: BuildContext, raw: Any) -> list[Modifier] | None:
    items = ctx.reader.sequence(("modifiers",), raw, what=N_("a list of modifiers"),
                                allow_empty=True)
    if items is None:
        return None
    result: list[Modifier] = []
    seen: set[str] = set()
    ok = True
    for index, item in enumerate(items):
        path: KeyPath = ("modifiers", index)
        data = ctx.reader.mapping(path, item, required=("id", "multiplier"),
                                  optional=("title", "when", "applies_to"),
                                  what=N_("a modifier (a mapping)"))
        if data is None:
            ok = False
            continue
        modifier_id = ctx.reader.identifier((*path, "id"), data.get("id"),
                                            what=N_("a modifier id"))
        if modifier_id is not None and modifier_id in seen:
            ctx.reader.problem((*path, "id"), N_("duplicate modifier id %(id)s",
                                                 id=repr(modifier_id)))
            modifier_id = None
        seen.add(modifier_id or "")
        multiplier = _multiplier(ctx, (*path, "multiplier"), data.get("multiplier"))
        when = None
        if "when" in data:
            when = condition(ctx, (*path, "when"), data["when"], "a condition")
        targets = applies_to(ctx, (*path, "applies_to"), data.get("applies_to"))
        if None in (modifier_id, multiplier, targets) or ("when" in data and when is None):
            ok = False
            continue
        assert modifier_id is not None and multiplier is not None
        title, titles = ctx.reader.translated((*path, "title"), data.get("title", modifier_id),
                                        modifier_id)
        result.append(Modifier(modifier_id, title, multiplier, targets or (), when, titles))
    return result if ok else None


def _multiplier(ctx: BuildContext, path: KeyPath, raw: Any) -> Expression | None:
    if raw is ABSENT:
        return None
    scope = ctx.scope()
    quantity = parse_quantity(raw)
    if quantity is not None:
        if factor(ctx, path, raw, N_("a multiplier")) is None:
            return None
        return ctx.formula(path, quantity.written, ExprType.NUMBER, scope, N_("a multiplier"))
    if isinstance(raw, str):
        return ctx.formula(path, raw, ExprType.NUMBER, scope, N_("a multiplier formula"))
    data = ctx.reader.mapping(path, raw, required=("by", "values"), optional=("default",),
                              what=N_("a multiplier: a number, a formula, or {by, values, "
                                      "default}"))
    if data is None or "by" not in data or "values" not in data:
        return None
    by = data["by"]
    if ctx.attributes.get(by) is not AttributeType.TEXT:
        ctx.reader.problem((*path, "by"), N_("expected a text attribute (segment, role, "
                                             "grade, ...), found %(found)s",
                                             found=describe(by)))
        return None
    values = data["values"]
    if not isinstance(values, dict) or not values or len(values) > MAX_TABLE:
        ctx.reader.problem((*path, "values"), N_("expected a mapping of 1 to %(most)s %(by)s "
                                                 "values to multipliers", most=MAX_TABLE,
                                                 by=by))
        return None
    source = "1" if "default" not in data else None
    if "default" in data:
        default = factor(ctx, (*path, "default"), data["default"], N_("a multiplier"))
        if default is None:
            return None
        source = parse_quantity(data["default"]).written  # type: ignore[union-attr]
    for key, value in reversed(list(values.items())):
        if factor(ctx, (*path, "values", str(key)), value, N_("a multiplier")) is None:
            return None
        written = parse_quantity(value).written  # type: ignore[union-attr]
        source = f"if({by} == {_text_literal(key)}, {written}, {source})"
    return ctx.formula(path, source or "1", ExprType.NUMBER, scope, N_("a multiplier"))


def read_variants(ctx: BuildContext, raw: Any, components: list[Component]
                  ) -> list[Variant] | None:
    items = ctx.reader.sequence(("variants",), raw, what=N_("a list of variants"),
                                allow_empty=True)
    if items is None:
        return None
    variants: list[Variant] = []
    seen: set[str] = {"default"}
    ok = True
    by_id = {c.id: c for c in components}
    for index, item in enumerate(items):
        path: KeyPath = ("variants", index)
        data = ctx.reader.mapping(path, item, required=("id", "when"),
                                  optional=("title", "weights", "components"),
                                  what=N_("a variant (a mapping)"))
        if data is None:
            ok = False
            continue
        variant_id = ctx.reader.identifier((*path, "id"), data.get("id"), what=N_("a variant id"))
        if variant_id is not None and variant_id in seen:
            ctx.reader.problem((*path, "id"), N_("duplicate variant id %(id)s ('default' "
                                                 "names the base plan)", id=repr(variant_id))
                               if variant_id == "default" else
                               N_("duplicate variant id %(id)s", id=repr(variant_id)))
            variant_id = None
        seen.add(variant_id or "")
        when = condition(ctx, (*path, "when"), data.get("when"), N_("a variant condition"))
        scoring = _variant_scoring(ctx, path, data, by_id)
        if None in (variant_id, when, scoring):
            ok = False
            continue
        assert variant_id is not None and when is not None and scoring is not None
        title, titles = ctx.reader.translated((*path, "title"), data.get("title", variant_id),
                                        variant_id)
        variants.append(Variant(variant_id, title, when, scoring, titles))
    return variants if ok else None


def _variant_scoring(ctx: BuildContext, path: KeyPath, data: dict[str, Any],
                     components: dict[str, Component]) -> dict[str, Scoring] | None:
    resolved = {cid: c.scoring for cid, c in components.items()}
    ok = True
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        ctx.reader.problem((*path, "weights"), N_("expected a mapping of component ids to "
                                                  "weights, found %(found)s",
                                                  found=describe(weights)))
        return None
    overrides = data.get("components", {})
    if not isinstance(overrides, dict):
        ctx.reader.problem((*path, "components"), N_("expected a mapping of component ids "
                                                     "to changes, found %(found)s",
                                                     found=describe(overrides)))
        return None
    for component_id, raw in weights.items():
        here = (*path, "weights", str(component_id))
        if component_id not in ctx.metrics:
            ctx.reader.problem(here, N_("unknown component %(component)s%(hint)s",
                                        component=repr(component_id),
                                        hint=suggestion(str(component_id), list(ctx.metrics))))
            ok = False
            continue
        weight = read_weight(ctx, here, raw)
        if weight is None:
            ok = False
        elif component_id in resolved:
            resolved[component_id] = replace(resolved[component_id], weight=weight)
    for component_id, raw in overrides.items():
        here = (*path, "components", str(component_id))
        if component_id not in ctx.metrics:
            ctx.reader.problem(here, N_("unknown component %(component)s%(hint)s",
                                        component=repr(component_id),
                                        hint=suggestion(str(component_id), list(ctx.metrics))))
            ok = False
            continue
        change = ctx.reader.mapping(here, raw, optional=SCORING_KEYS,
                                    what=N_("changes to the component's scoring"))
        if change is None:
            ok = False
            continue
        base = resolved.get(component_id)
        if base is None:
            continue  # the component itself is broken; its problems are reported already
        scoring = read_scoring(ctx, here, change, component_id, base.weight, base)
        if scoring is None:
            ok = False
        else:
            resolved[component_id] = scoring
    for component_id, scoring in resolved.items():
        if scoring.weight > 0 and scoring.transform is None:
            ctx.reader.problem((*path, "weights", component_id),
                               N_("component %(component)s has a weight under this variant "
                                  "but no curve, tiers, lookup or formula: give one under "
                                  "components.%(code)s", component=repr(component_id),
                                  code=component_id))
            ok = False
    return resolved if ok else None
