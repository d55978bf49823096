"""Reading components and their scoring (curve, tiers, lookup, formula, commission) from YAML.

The checks that concern one component as a whole happen here: its id is new, the metric
exists, its parameters pass the metric's own marshmallow schema, it gives one transform, its
cap, floor and missing-data treatment are valid. The numbers and tables it is written in
(weights, factors, curves, tier tables, lookups) are read and checked by
``kamscore.engine.build_tables``; commissions by ``kamscore.engine.build_commission``.
"""

from __future__ import annotations

from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.engine.build_tables import (
    factor,
    read_curve,
    read_lookup,
    read_tiers,
    read_weight,
)
from kamscore.engine.building import BuildContext, name_clash
from kamscore.engine.expressions import ExprType
from kamscore.engine.model import (
    Commission,
    Component,
    Formula,
    Horizon,
    Missing,
    Part,
    Scoring,
    Transform,
)
from kamscore.engine.reader import ABSENT, describe, suggestion
from kamscore.sentences import N_

TRANSFORM_KEYS = ("curve", "tiers", "lookup", "formula", "commission")
SCORING_KEYS = (*TRANSFORM_KEYS, "cap", "floor", "missing")
COMPONENT_KEYS = ("title", "params", "part", "horizon", *SCORING_KEYS)


def register_components(ctx: BuildContext, raw: Any) -> list[tuple[KeyPath, dict[str, Any]]]:
    """First pass: the ids and metrics of all components, so that formulas anywhere may read
    any component. Returns the (path, data) of each well-formed component."""
    found: list[tuple[KeyPath, dict[str, Any]]] = []
    items = ctx.reader.sequence(("components",), raw, what=N_("a list of components"))
    for index, item in enumerate(items or []):
        path: KeyPath = ("components", index)
        commission = isinstance(item, dict) and "commission" in item
        data = ctx.reader.mapping(
            path, item, required=("id", "metric") if commission else ("id", "metric", "weight"),
            optional=(*COMPONENT_KEYS, "weight") if commission else COMPONENT_KEYS,
            what=N_("a component (a mapping)"))
        if data is None:
            continue
        component_id = ctx.reader.identifier((*path, "id"), data.get("id"),
                                             what=N_("a component id"))
        metric = data.get("metric")
        if component_id is None or "metric" not in data:
            continue
        clash = name_clash(ctx, component_id)
        if clash:
            ctx.reader.problem((*path, "id"), clash)
            continue
        if component_id in ctx.metrics:
            ctx.reader.problem((*path, "id"), N_("duplicate component id %(id)s",
                                                 id=repr(component_id)))
            continue
        if metric is ABSENT:
            metric = None
        elif not isinstance(metric, str) or metric not in ctx.catalogue:
            known = sorted(ctx.catalogue)
            hint = suggestion(str(metric), known) if isinstance(metric, str) else ""
            shown = ", ".join(known[:25]) + (" ..." if len(known) > 25 else "")
            ctx.reader.problem((*path, "metric"),
                               N_("unknown metric %(metric)s%(hint)s (known: %(known)s)",
                                  metric=describe(metric), hint=hint, known=shown))
            metric = None
        ctx.metrics[component_id] = metric if isinstance(metric, str) else ""
        found.append((path, data))
    return found


def build_component(ctx: BuildContext, path: KeyPath, data: dict[str, Any]) -> Component | None:
    component_id = data["id"]
    metric = ctx.metrics[component_id]
    params = _params(ctx, (*path, "params"), data.get("params", {}), metric)
    weight = read_weight(ctx, (*path, "weight"), data.get("weight", 0 if "commission" in data
                                                              else ABSENT))
    if "commission" in data and weight:
        ctx.reader.problem((*path, "weight"), N_("a commission pays rate x amount, not a share "
                                                 "of the target incentive: leave out `weight`"))
        weight = None
    if weight is not None:
        ctx.weights[component_id] = weight
    part = ctx.reader.choice((*path, "part"), data.get("part", "individual"),
                             [p.value for p in Part])
    horizon = ctx.reader.choice((*path, "horizon"), data.get("horizon", "short_term"),
                                [h.value for h in Horizon])
    title, titles = ctx.reader.translated((*path, "title"), data.get("title", component_id),
                                    component_id)
    scoring = read_scoring(ctx, path, data, component_id, weight, None)
    if None in (params, weight, part, horizon, scoring) or not metric:
        return None
    assert scoring is not None and params is not None
    return Component(component_id, metric, title, params, Part(part), Horizon(horizon),
                     scoring, titles)


def _params(ctx: BuildContext, path: KeyPath, raw: Any, metric: str) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        ctx.reader.problem(path, N_("expected a mapping of the metric's parameters, found "
                                    "%(found)s", found=describe(raw)))
        return None
    info = ctx.catalogue.get(metric) if metric else None
    if info is None:
        return dict(raw)
    schema = info.Params()
    errors = schema.validate(raw)
    if not errors:
        return dict(raw)
    names = sorted(getattr(schema, "load_fields", getattr(schema, "fields", {})))
    for key, messages in sorted(errors.items(), key=lambda kv: str(kv[0])):
        if key == "_schema":
            for message in _flatten(messages):
                ctx.reader.problem(path, N_("metric %(metric)s: %(message)s", metric=metric,
                                            message=message))
            continue
        texts = list(_flatten(messages))
        if texts == ["Unknown field."]:
            takes = ", ".join(names) if names else N_("no parameters")
            ctx.reader.problem((*path, str(key)),
                               N_("unknown parameter %(key)s of metric %(metric)s%(hint)s (it "
                                  "takes: %(takes)s)", key=repr(key), metric=metric,
                                  hint=suggestion(str(key), names), takes=takes))
        else:
            for message in texts:
                ctx.reader.problem((*path, str(key)), N_("metric %(metric)s: %(message)s",
                                                         metric=metric, message=message))
    return None


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [f"[{k}] {m}" for k, v in messages.items() for m in _flatten(v)]
    return [m for item in messages for m in _flatten(item)]


def read_scoring(ctx: BuildContext, path: KeyPath, data: dict[str, Any], component_id: str,
                 weight: float | None, base: Scoring | None) -> Scoring | None:
    """A component's scoring from ``data`` (a component, or a variant's override of it, in
    which case ``base`` supplies what the override leaves out)."""
    given = [key for key in TRANSFORM_KEYS if key in data]
    transform: Transform | None = base.transform if base else None
    ok = True
    if len(given) > 1:
        kinds = N_("curve, tiers, lookup, formula or commission") if "commission" in given \
            else N_("curve, tiers, lookup or formula")
        ctx.reader.problem((*path, given[1]), N_("give one of %(kinds)s, not both %(first)s "
                                                 "and %(second)s", kinds=kinds,
                                                 first=repr(given[0]), second=repr(given[1])))
        ok = False
    elif given:
        transform = read_transform(ctx, (*path, given[0]), given[0], data[given[0]],
                                   component_id)
        ok = transform is not None
    cap = base.cap if base else None
    if "cap" in data:
        cap = factor(ctx, (*path, "cap"), data["cap"], N_("a cap (a factor)"))
        ok = ok and cap is not None
    floor = base.floor if base else 0.0
    if "floor" in data:
        read = factor(ctx, (*path, "floor"), data["floor"], N_("a floor (a factor)"))
        ok = ok and read is not None
        floor = read if read is not None else floor
    missing = base.missing.value if base else "exclude"
    if "missing" in data:
        choice = ctx.reader.choice((*path, "missing"), data["missing"],
                                   [m.value for m in Missing])
        ok = ok and choice is not None
        missing = choice or missing
    if cap is not None and floor > cap:
        ctx.reader.problem((*path, "floor"), N_("the floor %(floor)s is above the cap %(cap)s",
                                                floor=f"{floor:g}", cap=f"{cap:g}"))
        ok = False
    if isinstance(transform, Commission):
        from kamscore.engine.build_commission import commission_rules

        ok = commission_rules(ctx, path, data) and ok
    if weight is not None and weight > 0 and transform is None and not given:
        ctx.reader.problem(path, N_("a component with a weight needs one of curve, tiers, "
                                    "lookup or formula to turn its metric value into a factor"))
        ok = False
    if not ok or weight is None:
        return None
    return Scoring(weight, transform, Missing(missing), cap, floor)


def read_transform(ctx: BuildContext, path: KeyPath, key: str, raw: Any,
                   component_id: str) -> Transform | None:
    info = ctx.metric_of(component_id)
    unit = getattr(info, "unit", None)
    direction = getattr(info, "direction", "higher")
    if key == "curve":
        return read_curve(ctx, path, raw, unit, direction)
    if key == "tiers":
        return read_tiers(ctx, path, raw, unit, direction)
    if key == "lookup":
        return read_lookup(ctx, path, raw)
    if key == "commission":
        from kamscore.engine.build_commission import read_commission

        return read_commission(ctx, path, raw, component_id, unit)
    scope = ctx.scope(unit, with_value=True)
    expression = ctx.formula(path, raw, ExprType.NUMBER, scope)
    return Formula(expression) if expression is not None else None

