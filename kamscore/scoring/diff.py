"""The difference between two ruleset versions, in plan terms.

An approver reviews what changes for the KAMs — a weight, a curve's target point, a gate's
floor — not which YAML lines moved. ``diff_rulesets`` compares two parsed rulesets
(``kamscore.engine.model.Ruleset``) field by field and returns a list of ``Change`` entries;
``format_changes`` prints them for the terminal. Both are pure functions.

Variants are stored fully resolved (each variant holds the scoring of every component), so a
change to the base plan also changes every variant that does not override it. To keep the
diff readable, an aspect of a variant's component (weight, scoring, missing data, cap, floor)
is reported only when the variant *overrides* that aspect in either version; otherwise the
base plan's line already says it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kamscore.engine.model import (
    Commission,
    Component,
    Curve,
    Eligibility,
    Formula,
    Gate,
    Limits,
    Lookup,
    Modifier,
    Ruleset,
    Scoring,
    TargetIncentive,
    TargetRule,
    TierTable,
    Transform,
    Variant,
)


@dataclass(frozen=True)
class Change:
    """One difference: in ``area`` (components, gates...), about ``subject`` (``component
    sales``), the ``aspect`` that changed (weight, curve...), before and after (None when
    the thing was added or removed)."""

    area: str
    subject: str
    aspect: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "subject": self.subject,
            "aspect": self.aspect,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
        }


# -- how things read --------------------------------------------------------------------------


def pct(fraction: float | None) -> str:
    """0.4 → ``40 %``; 1.25 → ``125 %``."""
    if fraction is None:
        return "none"
    return f"{fraction * 100:.6g} %"


def num(value: float) -> str:
    if math.isinf(value):
        return "∞"
    return f"{value:,.6g}"


def describe_transform(transform: Transform | None) -> str:
    """A curve, tier table, lookup or formula in one line of plan language."""
    if transform is None:
        return "not scored (information or gate only)"
    if isinstance(transform, Curve):
        points = ", ".join(
            f"{p.label + ' ' if p.label else ''}{num(p.value)} → {pct(p.factor)}"
            for p in transform.points
        )
        return f"curve: {points}; below the first point {pct(transform.below)}"
    if isinstance(transform, TierTable):
        tiers = "; ".join(
            f"{t.label + ' ' if t.label else ''}[{num(t.lower)}, {num(t.upper)}) → {pct(t.rate)}"
            for t in transform.tiers
        )
        return f"{transform.mode.value} tiers: {tiers}; below {pct(transform.below)}"
    if isinstance(transform, Lookup):
        entries = ", ".join(
            f"{k if isinstance(k, str) else num(k)} → {pct(v)}" for k, v in transform.entries
        )
        default = "missing data" if transform.default is None else pct(transform.default)
        return f"lookup: {entries}; anything else → {default}"
    if isinstance(transform, Formula):
        return f"formula: {transform.expression.source}"
    if isinstance(transform, Commission):
        tiers = "; ".join(
            f"{t.label + ' ' if t.label else ''}[{num(t.lower)}, {num(t.upper)}) → {pct(t.rate)}"
            for t in transform.tiers
        )
        on = transform.basis.value + (f" of {transform.attainment}"
                                      if transform.attainment else "")
        return (f"{transform.mode.value} commission on the {on}, rating each "
                f"{transform.rating.value}: {tiers}; base rate {pct(transform.base_rate)}")
    return repr(transform)


def describe_rule(rule: TargetRule | None) -> str:
    return "none" if rule is None else rule.describe()


def describe_expression(expression: Any) -> str:
    return "always" if expression is None else str(getattr(expression, "source", expression))


# -- comparison ---------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def compare(self, area: str, subject: str, aspect: str, before: str, after: str) -> None:
        if before != after:
            self.changes.append(Change(area, subject, aspect, before, after))

    def added(self, area: str, subject: str, summary: str) -> None:
        self.changes.append(Change(area, subject, "added", None, summary))

    def removed(self, area: str, subject: str, summary: str) -> None:
        self.changes.append(Change(area, subject, "removed", summary, None))


def _scoring_aspects(scoring: Scoring) -> dict[str, str]:
    return {
        "weight": pct(scoring.weight),
        "scoring": describe_transform(scoring.transform),
        "missing data": scoring.missing.value.replace("_", " "),
        "factor cap": pct(scoring.cap),
        "factor floor": pct(scoring.floor),
    }


def _compare_scoring(out: _Collector, area: str, subject: str, a: Scoring, b: Scoring) -> None:
    before, after = _scoring_aspects(a), _scoring_aspects(b)
    for aspect in before:
        out.compare(area, subject, aspect, before[aspect], after[aspect])


def _component_summary(component: Component) -> str:
    return (
        f"metric {component.metric}, weight {pct(component.scoring.weight)}, "
        f"{describe_transform(component.scoring.transform)}"
    )


def _compare_components(out: _Collector, a: Ruleset, b: Ruleset) -> None:
    a_by_id = {c.id: c for c in a.components}
    b_by_id = {c.id: c for c in b.components}
    for cid, comp in b_by_id.items():
        subject = f"component {cid}"
        old = a_by_id.get(cid)
        if old is None:
            out.added("components", subject, _component_summary(comp))
            continue
        out.compare("components", subject, "title", old.title, comp.title)
        out.compare("components", subject, "metric", old.metric, comp.metric)
        out.compare("components", subject, "metric parameters", _params(old.params),
                    _params(comp.params))
        out.compare("components", subject, "part", old.part.value, comp.part.value)
        out.compare("components", subject, "horizon", old.horizon.value.replace("_", " "),
                    comp.horizon.value.replace("_", " "))
        _compare_scoring(out, "components", subject, old.scoring, comp.scoring)
    for cid, comp in a_by_id.items():
        if cid not in b_by_id:
            out.removed("components", f"component {cid}", _component_summary(comp))


def _params(params: Mapping[str, Any]) -> str:
    if not params:
        return "defaults"
    return ", ".join(f"{k}={params[k]!r}" for k in sorted(params))


def _compare_variants(out: _Collector, a: Ruleset, b: Ruleset) -> None:
    a_by_id = {v.id: v for v in a.variants}
    b_by_id = {v.id: v for v in b.variants}
    for vid, var in b_by_id.items():
        subject = f"variant {vid}"
        old = a_by_id.get(vid)
        if old is None:
            out.added("variants", subject, _variant_summary(var, b))
            continue
        out.compare("variants", subject, "applies when", describe_expression(old.when),
                    describe_expression(var.when))
        for cid in dict.fromkeys([*(c.id for c in b.components), *(c.id for c in a.components)]):
            a_s, b_s = old.scoring.get(cid), var.scoring.get(cid)
            a_base, b_base = a.base.get(cid), b.base.get(cid)
            if a_s is None or b_s is None or a_base is None or b_base is None:
                continue  # component added/removed: reported under components
            before, after = _scoring_aspects(a_s), _scoring_aspects(b_s)
            base_before, base_after = _scoring_aspects(a_base), _scoring_aspects(b_base)
            for aspect in before:
                overridden = (before[aspect] != base_before[aspect]
                              or after[aspect] != base_after[aspect])
                if overridden:
                    out.compare("variants", f"{subject} / component {cid}", aspect,
                                before[aspect], after[aspect])
    for vid, var in a_by_id.items():
        if vid not in b_by_id:
            out.removed("variants", f"variant {vid}", _variant_summary(var, a))


def _variant_summary(variant: Variant, ruleset: Ruleset) -> str:
    overrides = [
        f"{cid} {pct(s.weight)}"
        for cid, s in variant.scoring.items()
        if s != ruleset.base.get(cid)
    ]
    changed = f"; overrides {', '.join(overrides)}" if overrides else "; no overrides"
    return f"when {describe_expression(variant.when)}{changed}"


def _gate_aspects(gate: Gate) -> dict[str, str]:
    return {
        "condition": describe_expression(gate.condition),
        "applies to": ", ".join(gate.applies_to) or "the whole plan",
        "factor when failed": pct(gate.otherwise),
        "when data is missing": gate.if_missing.value,
    }


def _modifier_aspects(modifier: Modifier) -> dict[str, str]:
    return {
        "multiplier": describe_expression(modifier.factor),
        "applies to": ", ".join(modifier.applies_to) or "the whole plan",
        "when": describe_expression(modifier.when),
    }


def _compare_named(out: _Collector, area: str, noun: str, a: Iterable[Any], b: Iterable[Any],
                   aspects: Any) -> None:
    a_by_id = {x.id: x for x in a}
    b_by_id = {x.id: x for x in b}
    for xid, item in b_by_id.items():
        subject = f"{noun} {xid}"
        old = a_by_id.get(xid)
        after = aspects(item)
        if old is None:
            out.added(area, subject, "; ".join(f"{k}: {v}" for k, v in after.items()))
            continue
        before = aspects(old)
        for aspect in after:
            out.compare(area, subject, aspect, before[aspect], after[aspect])
    for xid, item in a_by_id.items():
        if xid not in b_by_id:
            out.removed(area, f"{noun} {xid}",
                        "; ".join(f"{k}: {v}" for k, v in aspects(item).items()))


def _eligibility_aspects(e: Eligibility) -> dict[str, str]:
    return {
        "roles": ", ".join(e.roles) if e.roles is not None else "every role",
        "minimum days in role": str(e.min_days),
        "proration": "by days in role" if e.prorate else "none",
    }


def _target_aspects(t: TargetIncentive) -> dict[str, str]:
    out = {"set by": t.by or "one rule for everybody", "default": describe_rule(t.default)}
    for key in sorted(t.rules):
        out[f"{t.by} {key}"] = describe_rule(t.rules[key])
    return out


def _limits_aspects(lim: Limits) -> dict[str, str]:
    return {
        "score cap": pct(lim.cap),
        "score floor": pct(lim.floor),
        "payout cap": "none" if lim.cap_amount is None else num(lim.cap_amount),
        "payout floor": num(lim.floor_amount),
    }


def _compare_mapping(out: _Collector, area: str, subject: str, before: Mapping[str, str],
                     after: Mapping[str, str]) -> None:
    for aspect in dict.fromkeys([*before, *after]):
        old, new = before.get(aspect), after.get(aspect)
        if old is None and new is not None:
            out.changes.append(Change(area, subject, aspect, None, new))
        elif new is None and old is not None:
            out.changes.append(Change(area, subject, aspect, old, None))
        elif old != new:
            out.compare(area, subject, aspect, old or "", new or "")


def diff_rulesets(a: Ruleset, b: Ruleset) -> list[Change]:
    """What changes from ruleset ``a`` to ruleset ``b``, in plan terms (empty: the same)."""
    out = _Collector()
    plan = {
        "title": (a.title, b.title),
        "period": (a.period.value, b.period.value),
        "currency": (a.currency, b.currency),
        "rounding": (f"{a.rounding.mode.value} to {a.rounding.step}",
                     f"{b.rounding.mode.value} to {b.rounding.step}"),
    }
    for aspect, (before, after) in plan.items():
        out.compare("plan", "plan", aspect, before, after)
    _compare_mapping(out, "eligibility", "eligibility", _eligibility_aspects(a.eligibility),
                     _eligibility_aspects(b.eligibility))
    _compare_mapping(out, "target incentive", "target incentive", _target_aspects(a.target),
                     _target_aspects(b.target))
    _compare_components(out, a, b)
    _compare_variants(out, a, b)
    _compare_named(out, "gates", "gate", a.gates, b.gates, _gate_aspects)
    _compare_named(out, "modifiers", "modifier", a.modifiers, b.modifiers, _modifier_aspects)
    _compare_mapping(out, "limits", "limits", _limits_aspects(a.limits),
                     _limits_aspects(b.limits))
    _compare_mapping(out, "parameters", "parameters",
                     {k: num(v) for k, v in a.parameters.items()},
                     {k: num(v) for k, v in b.parameters.items()})
    _compare_mapping(out, "splits", "individual/team split",
                     {k.value: pct(v) for k, v in a.part_splits.items()},
                     {k.value: pct(v) for k, v in b.part_splits.items()})
    _compare_mapping(out, "splits", "short/long-term split",
                     {k.value.replace("_", " "): pct(v) for k, v in a.horizon_splits.items()},
                     {k.value.replace("_", " "): pct(v) for k, v in b.horizon_splits.items()})
    return out.changes


def format_changes(changes: list[Change], *, label_a: str = "A", label_b: str = "B") -> str:
    """The changes as text for a terminal, grouped by area."""
    if not changes:
        return f"{label_a} and {label_b} define the same plan."
    lines = [f"Changes from {label_a} to {label_b}:"]
    area = None
    for change in changes:
        if change.area != area:
            area = change.area
            lines.append(f"\n{area.capitalize()}")
        if change.kind == "added":
            lines.append(f"  + {change.subject}: {change.after}")
        elif change.kind == "removed":
            lines.append(f"  - {change.subject}: {change.before}")
        else:
            lines.append(f"  ~ {change.subject}, {change.aspect}: {change.before} → "
                         f"{change.after}")
    return "\n".join(lines)
