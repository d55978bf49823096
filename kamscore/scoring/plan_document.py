"""A KAM's plan document: one published ruleset version, for one period, in plain words.

``plan_document(session, pm, version, period, person)`` writes the plan as the KAM reads it
before he acknowledges it: what it pays for (components, their weights in the base plan and in
each variant, the curve, tiers or table that turns a result into a payout factor), the gates and
modifiers, the limits, his target incentive (the rule for him and the amount it gives from his
base salary) and his targets for the period as the facts hold them today.

The document is plain text, built only from stored data, with no clock time in it: the same
plan, period and facts give the same text, byte for byte, and so the same SHA-256. When a
target or the KAM's salary changes, the text changes — and an acknowledgment of the text shown
before is refused (``kamscore.scoring.acknowledgments``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kamscore.engine.model import (
    Basis,
    Commission,
    Curve,
    Formula,
    GateBlocks,
    Lookup,
    RampOn,
    RatingUnit,
    Ruleset,
    Scoring,
    TargetRule,
    TierMode,
    TierTable,
)
from kamscore.models import Account, Assignment, Fact, Period, Person, RulesetVersion
from kamscore.scoring.canonical import sha256_text
from kamscore.scoring.lifecycle import parse_version


@dataclass(frozen=True)
class PlanDocument:
    version_id: int
    period_code: str
    kam_code: str
    text: str

    @property
    def hash(self) -> str:
        return sha256_text(self.text)

    @property
    def filename(self) -> str:
        return f"plan-{self.kam_code}-{self.period_code}-v{self.version_id}.txt"


def _pct(value: float) -> str:
    return f"{value * 100:.4g} %"


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _transform(scoring: Scoring) -> list[str]:
    t = scoring.transform
    if t is None:
        return ["not paid (information or a gate's input only)"]
    lines: list[str] = []
    if isinstance(t, Curve):
        lines.append(f"below the first point the factor is {_pct(t.below)}; between points it "
                     "rises in a straight line; from the last point on it stays there:")
        lines += [f"- at {_number(p.value) if p.value > 5 else _pct(p.value)} it pays "
                  f"{_pct(p.factor)}{f' ({p.label})' if p.label else ''}" for p in t.points]
    elif isinstance(t, TierTable):
        lines.append(f"tiers ({t.mode.value}); below the first tier the factor is "
                     f"{_pct(t.below)}:")
        lines += [f"- {tier.describe()}: {_pct(tier.rate)}" for tier in t.tiers]
    elif isinstance(t, Lookup):
        lines.append("a table of values:")
        lines += [f"- {key if isinstance(key, str) else _number(key)}: {_pct(factor)}"
                  for key, factor in t.entries]
        if t.default is not None:
            lines.append(f"- any other value: {_pct(t.default)}")
    elif isinstance(t, Formula):
        lines.append(f"the formula {t.expression.source}")
    elif isinstance(t, Commission):
        return _commission(t)
    if scoring.cap is not None:
        lines.append(f"the factor never exceeds {_pct(scoring.cap)}")
    if scoring.floor:
        lines.append(f"the factor is never below {_pct(scoring.floor)}")
    lines.append(f"without data: {scoring.missing.value.replace('_', ' ')}")
    return lines


def _commission(c: Commission) -> list[str]:
    """A commission in words: what is rated, on which basis, and each tier's rate."""
    unit = ("each transaction (order, deal) is rated on its own and the commissions added up"
            if c.rating is RatingUnit.TRANSACTION else "the period's total amount is rated once")
    basis = (f"tiers on your attainment of {c.attainment}" if c.basis is Basis.ATTAINMENT
             else "tiers on the amount")
    how = ("the whole amount at the rate of the tier reached" if c.mode is TierMode.FLAT
           else "each slice of the amount at its own tier's rate")
    lines = [f"a commission: a rate times the amount, paid in the plan's currency; {unit}; "
             f"{basis}; {how}:"]
    lines += [f"- {tier.describe()}: {_pct(tier.rate)} of the amount" for tier in c.tiers]
    return lines


def _ramp(ruleset: Ruleset) -> list[str]:
    ramp = ruleset.ramp
    if ramp is None:
        return []
    what = ("your target incentive" if ramp.on is RampOn.TARGET_INCENTIVE
            else f"your quota for {', '.join(ramp.components)}")
    steps = [f"- period {n} in the role: {_pct(f)}" for n, f in enumerate(ramp.factors, 1)]
    return _section("Ramp for new KAMs", [
        f"In your first periods in the role, {what} is ramped:", *steps,
        "From then on, and when your start date is not on record, it is not ramped."])


def _rule_for(ruleset: Ruleset, person: Person) -> tuple[str, TargetRule | None]:
    spec = ruleset.target
    if spec.by is None:
        return "everyone", spec.default
    key = getattr(person, spec.by, None)
    key = key.value if hasattr(key, "value") else key
    rule = spec.rules.get(str(key)) if key is not None else None
    return f"{spec.by} {key or 'not set'}", rule or spec.default


def _target_incentive(ruleset: Ruleset, person: Person) -> list[str]:
    basis, rule = _rule_for(ruleset, person)
    if rule is None:
        return [f"Target incentive: no rule applies to you ({basis}): nothing is paid"]
    lines = [f"Target incentive (rule for {basis}): {rule.describe()}"]
    if rule.amount is not None:
        lines.append(f"Your target incentive: {rule.amount:,.2f} {ruleset.currency}")
    elif person.base_salary is not None and rule.salary_share is not None:
        amount = float(person.base_salary) * rule.salary_share / ruleset.period.per_year
        lines.append(f"Your target incentive: {amount:,.2f} {ruleset.currency} "
                     f"(base salary {float(person.base_salary):,.2f} a year)")
    else:
        lines.append("Your target incentive: your base salary is not on record yet")
    return lines


def _targets(session: Session, period: Period, person: Person) -> list[tuple[str, str, str]]:
    """(fact, subject, value) of every fact named like a target for the KAM or one of the
    accounts assigned to him in the period — as the facts are today."""
    accounts = select(Assignment.account_id).where(
        Assignment.person_id == person.id, Assignment.start_date <= period.end_date,
        or_(Assignment.end_date.is_(None), Assignment.end_date >= period.start_date))
    rows = session.execute(
        select(Fact.name, Account.name, Fact.value, Fact.unit, Fact.category)
        .outerjoin(Account, Account.id == Fact.account_id)
        .where(Fact.period_id == period.id, Fact.name.like("%target%"),
               or_(Fact.person_id == person.id, Fact.account_id.in_(accounts)))
        .order_by(Fact.name, Account.name, Fact.id)).all()
    found = []
    for name, account, value, unit, category in rows:
        shown = category if value is None else f"{_number(value)} {unit}"
        found.append((name.replace("_", " "), account or "you", shown or "none"))
    return found


def _weights(ruleset: Ruleset) -> list[str]:
    lines = ["Components and weights (base plan"
             + "".join(f"; {v.title}" for v in ruleset.variants) + "):"]
    for c in ruleset.components:
        weights = [_pct(c.scoring.weight)] + [_pct(v.scoring[c.id].weight)
                                              for v in ruleset.variants]
        if isinstance(c.scoring.transform, Commission):
            lines.append(f"- {c.title} ({c.metric}): a commission, paid besides the weights")
            continue
        lines.append(f"- {c.title} ({c.metric}): {' / '.join(weights)}")
    for v in ruleset.variants:
        lines.append(f"The variant \"{v.title}\" applies when {v.when.source}.")
    return lines


def _section(title: str, body: Iterable[str]) -> list[str]:
    return ["", title, "-" * len(title), *body]


def render(ruleset: Ruleset, version: RulesetVersion, period: Period, person: Person,
           targets: list[tuple[str, str, str]]) -> str:
    """The document's text (pure: everything it says is in the arguments)."""
    head = f"{ruleset.title} (version {version.version}) for {period.code}"
    lines: list[str] = [head, "=" * len(head),
                        f"For {person.name} ({person.code}), {period.start_date:%d %B %Y} to "
                        f"{period.end_date:%d %B %Y}.",
                        f"Plan fingerprint: {version.content_hash}"]
    if ruleset.description:
        lines += ["", ruleset.description.strip()]
    e = ruleset.eligibility
    who = ", ".join(e.roles) if e.roles else "every role"
    lines += _section("Who is paid", [
        f"Roles: {who}. At least {e.min_days} eligible days in the period.",
        "Pay is prorated by eligible days." if e.prorate else "Pay is not prorated."])
    lines += _section("Your target incentive", _target_incentive(ruleset, person))
    lines += _section("What the plan pays for", _weights(ruleset))
    for c in ruleset.components:
        how = ("how the commission is worked out" if isinstance(c.scoring.transform, Commission)
               else "how a result becomes a payout factor")
        lines += _section(f"{c.title}: {how}", _transform(c.scoring))
    if ruleset.gates:
        lines += _section("Gates", [
            f"- {g.title}: {g.condition.source}; otherwise "
            + ("what is paid above target (or above the base rate) of "
               if g.blocks is GateBlocks.ACCELERATOR else "the factor of ")
            + f"{', '.join(g.applies_to) or 'the whole plan'} is multiplied by {_pct(g.otherwise)}"
            for g in ruleset.gates])
    if ruleset.modifiers:
        lines += _section("Modifiers", [
            f"- {m.title}: multiply {', '.join(m.applies_to) or 'the whole plan'} by "
            f"{m.factor.source}{f' when {m.when.source}' if m.when else ''}"
            for m in ruleset.modifiers])
    lines += _ramp(ruleset)
    limits = ruleset.limits
    bounds = []
    if limits.cap is not None:
        bounds.append(f"The overall factor is at most {_pct(limits.cap)}.")
    if limits.cap_amount is not None:
        bounds.append(f"The payout is at most {limits.cap_amount:,.2f} {ruleset.currency}.")
    bounds.append(f"Payouts are rounded to {ruleset.rounding.step} {ruleset.currency} "
                  f"({ruleset.rounding.mode.value.replace('_', ' ')}).")
    lines += _section("Limits and rounding", bounds)
    lines += _section("Your targets for the period", [
        f"- {name}, {subject}: {value}" for name, subject, value in targets]
        or ["No target is on record for you yet."])
    if ruleset.hold_unacknowledged:
        lines += ["", "Until you acknowledge this plan, your payout under it is held."]
    return "\n".join(lines) + "\n"


def plan_document(session: Session, pm: Any, version: RulesetVersion, period: Period,
                  person: Person) -> PlanDocument:
    """KAM ``person``'s plan document for ``version`` in ``period``."""
    ruleset = parse_version(version, pm)
    text = render(ruleset, version, period, person, _targets(session, period, person))
    return PlanDocument(version.id, period.code, person.code, text)
