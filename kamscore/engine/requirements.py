"""Which population attributes a ruleset needs, so that missing inputs are named up front."""

from __future__ import annotations

from collections.abc import Iterator

from kamscore.engine.expressions import Expression
from kamscore.engine.model import TENURE_ATTRIBUTE, Formula, Ruleset


def expressions_of(ruleset: Ruleset) -> Iterator[Expression]:
    """Every formula in the ruleset: variant conditions, gates, modifiers, component
    formulas (under every variant)."""
    for variant in ruleset.variants:
        yield variant.when
    for gate in ruleset.gates:
        yield gate.condition
    for modifier in ruleset.modifiers:
        yield modifier.factor
        if modifier.when is not None:
            yield modifier.when
    for index in range(len(ruleset.variant_ids)):
        for scoring in ruleset.scoring_of(index).values():
            if isinstance(scoring.transform, Formula):
                yield scoring.transform.expression


def required_attributes(ruleset: Ruleset) -> set[str]:
    """Names of the population attribute arrays ``evaluate`` reads for this ruleset."""
    needed: set[str] = set()
    rules = ruleset.eligibility
    if rules.roles is not None:
        needed.add("role")
    if rules.min_days > 0 or rules.prorate:
        needed.add("eligible_days")
    if rules.prorate:
        needed.add("period_days")
    target = ruleset.target
    if target.by is not None:
        needed.add(target.by)
    all_rules = [*target.rules.values(), *([target.default] if target.default else [])]
    if any(rule.salary_share is not None for rule in all_rules):
        needed.add("base_salary")
    if ruleset.ramp is not None:
        needed.add(TENURE_ATTRIBUTE)
    not_attributes = {c.id for c in ruleset.components} | set(ruleset.parameters) | {"value"}
    for expression in expressions_of(ruleset):
        needed |= expression.names - not_attributes
    return needed
