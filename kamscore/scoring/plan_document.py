"""A KAM's plan document: one published ruleset version, for one period, in plain words.

``plan_document(session, pm, version, period, person)`` writes the plan as the KAM reads it
before he acknowledges it: what it pays for (components, their weights in the base plan and in
each variant, the curve, tiers or table that turns a result into a payout factor), the gates and
modifiers, the limits, his target incentive (the rule for him and the amount it gives from his
base salary) and his targets for the period as the facts hold them today.

The document is plain text, built only from stored data, with no clock time in it: the same
plan, period and facts give the same text, byte for byte, and so the same SHA-256 — in one
language: it is written in the reader's (``kamscore.texts``: the page's language in a
request, English elsewhere), and what he acknowledges is the text he was shown, in his
language, with its hash. When a
target or the KAM's salary changes, the text changes — and an acknowledgment of the text shown
before is refused (``kamscore.scoring.acknowledgments``).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
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
    Tier,
    TierMode,
    TierTable,
)
from kamscore.models import Account, Assignment, Fact, Period, Person, RulesetVersion
from kamscore.scoring.canonical import sha256_text
from kamscore.scoring.lifecycle import parse_version
from kamscore.texts import _, locale_tag


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


def _day(value: dt.date) -> str:
    """A date in the reader's language: ``01 October 2025``, ``2025年10月1日``."""
    tag = locale_tag()
    if tag == "en":
        return f"{value:%d %B %Y}"
    return format_date(value, "long", locale=tag)


def _code(value: str) -> str:
    """A setting's code (``half_even``, ``at_target``) as the reader's words."""
    names = {
        "flat": _("flat"), "marginal": _("marginal"), "interpolated": _("interpolated"),
        "exclude": _("exclude"), "zero": _("zero"), "at_target": _("at target"),
        "hold": _("hold"), "half_even": _("half even"), "half_up": _("half up"),
        "down": _("down"), "up": _("up"),
    }
    return names.get(value, value.replace("_", " "))


def _tier(tier: Tier) -> str:
    """A tier's range (``Tier.describe`` in the reader's language)."""
    lower = f"{tier.lower:g}"
    if math.isinf(tier.upper):
        span = _("%(lower)s and above", lower=lower)
    else:
        span = _("%(lower)s to below %(upper)s", lower=lower, upper=f"{tier.upper:g}")
    return _("%(label)s: %(span)s", label=tier.label, span=span) if tier.label else span


def _rule(rule: TargetRule) -> str:
    """A target incentive rule (``TargetRule.describe`` in the reader's language)."""
    if rule.amount is not None:
        return _("%(amount)s per period", amount=f"{rule.amount:,.2f}")
    return _("%(share)s of the period's base salary", share=f"{rule.salary_share:.2%}")


def _transform(scoring: Scoring) -> list[str]:
    t = scoring.transform
    if t is None:
        return [_("not paid (information or a gate's input only)")]
    lines: list[str] = []
    if isinstance(t, Curve):
        lines.append(_("below the first point the factor is %(below)s; between points it "
                       "rises in a straight line; from the last point on it stays there:",
                       below=_pct(t.below)))
        for p in t.points:
            at = _number(p.value) if p.value > 5 else _pct(p.value)
            lines.append(_("- at %(value)s it pays %(factor)s (%(label)s)", value=at,
                           factor=_pct(p.factor), label=p.label) if p.label
                         else _("- at %(value)s it pays %(factor)s", value=at,
                                factor=_pct(p.factor)))
    elif isinstance(t, TierTable):
        lines.append(_("tiers (%(mode)s); below the first tier the factor is %(below)s:",
                       mode=_code(t.mode.value), below=_pct(t.below)))
        lines += [f"- {_tier(tier)}: {_pct(tier.rate)}" for tier in t.tiers]
    elif isinstance(t, Lookup):
        lines.append(_("a table of values:"))
        lines += [f"- {key if isinstance(key, str) else _number(key)}: {_pct(factor)}"
                  for key, factor in t.entries]
        if t.default is not None:
            lines.append(_("- any other value: %(factor)s", factor=_pct(t.default)))
    elif isinstance(t, Formula):
        lines.append(_("the formula %(formula)s", formula=t.expression.source))
    elif isinstance(t, Commission):
        return _commission(t)
    if scoring.cap is not None:
        lines.append(_("the factor never exceeds %(cap)s", cap=_pct(scoring.cap)))
    if scoring.floor:
        lines.append(_("the factor is never below %(floor)s", floor=_pct(scoring.floor)))
    lines.append(_("without data: %(treatment)s", treatment=_code(scoring.missing.value)))
    return lines


def _commission(c: Commission) -> list[str]:
    """A commission in words: what is rated, on which basis, and each tier's rate."""
    unit = (_("each transaction (order, deal) is rated on its own and the commissions added "
              "up") if c.rating is RatingUnit.TRANSACTION
            else _("the period's total amount is rated once"))
    basis = (_("tiers on your attainment of %(component)s", component=c.attainment)
             if c.basis is Basis.ATTAINMENT else _("tiers on the amount"))
    how = (_("the whole amount at the rate of the tier reached") if c.mode is TierMode.FLAT
           else _("each slice of the amount at its own tier's rate"))
    lines = [_("a commission: a rate times the amount, paid in the plan's currency; "
               "%(unit)s; %(basis)s; %(how)s:", unit=unit, basis=basis, how=how)]
    lines += [_("- %(tier)s: %(rate)s of the amount", tier=_tier(tier), rate=_pct(tier.rate))
              for tier in c.tiers]
    return lines


def _ramp(ruleset: Ruleset) -> list[str]:
    ramp = ruleset.ramp
    if ramp is None:
        return []
    if ramp.on is RampOn.TARGET_INCENTIVE:
        first = _("In your first periods in the role, your target incentive is ramped:")
    else:
        first = _("In your first periods in the role, your quota for %(components)s is "
                  "ramped:", components=", ".join(ramp.components))
    steps = [_("- period %(number)s in the role: %(factor)s", number=n, factor=_pct(f))
             for n, f in enumerate(ramp.factors, 1)]
    return _section(_("Ramp for new KAMs"), [
        first, *steps,
        _("From then on, and when your start date is not on record, it is not ramped.")])


def _rule_for(ruleset: Ruleset, person: Person) -> tuple[str, TargetRule | None]:
    spec = ruleset.target
    if spec.by is None:
        return _("everyone"), spec.default
    key = getattr(person, spec.by, None)
    key = key.value if hasattr(key, "value") else key
    rule = spec.rules.get(str(key)) if key is not None else None
    return f"{spec.by} {key or _('not set')}", rule or spec.default


def _target_incentive(ruleset: Ruleset, person: Person) -> list[str]:
    basis, rule = _rule_for(ruleset, person)
    if rule is None:
        return [_("Target incentive: no rule applies to you (%(basis)s): nothing is paid",
                  basis=basis)]
    lines = [_("Target incentive (rule for %(basis)s): %(rule)s", basis=basis,
               rule=_rule(rule))]
    currency = ruleset.currency
    if rule.amount is not None:
        lines.append(_("Your target incentive: %(amount)s %(currency)s",
                       amount=f"{rule.amount:,.2f}", currency=currency))
    elif person.base_salary is not None and rule.salary_share is not None:
        amount = float(person.base_salary) * rule.salary_share / ruleset.period.per_year
        lines.append(_("Your target incentive: %(amount)s %(currency)s (base salary "
                       "%(salary)s a year)", amount=f"{amount:,.2f}", currency=currency,
                       salary=f"{float(person.base_salary):,.2f}"))
    else:
        lines.append(_("Your target incentive: your base salary is not on record yet"))
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
        found.append((name.replace("_", " "), account or _("you"), shown or _("none")))
    return found


def _weights(ruleset: Ruleset) -> list[str]:
    plans = _("base plan") + "".join(f"; {v.title}" for v in ruleset.variants)
    lines = [_("Components and weights (%(plans)s):", plans=plans)]
    for c in ruleset.components:
        weights = [_pct(c.scoring.weight)] + [_pct(v.scoring[c.id].weight)
                                              for v in ruleset.variants]
        if isinstance(c.scoring.transform, Commission):
            lines.append(_("- %(title)s (%(metric)s): a commission, paid besides the weights",
                           title=c.title, metric=c.metric))
            continue
        lines.append(f"- {c.title} ({c.metric}): {' / '.join(weights)}")
    for v in ruleset.variants:
        lines.append(_("The variant \"%(title)s\" applies when %(condition)s.", title=v.title,
                       condition=v.when.source))
    return lines


def _width(text: str) -> int:
    """How many columns ``text`` takes in a fixed-width font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _section(title: str, body: Iterable[str]) -> list[str]:
    return ["", title, "-" * _width(title), *body]


def _gate(gate: Any) -> str:
    what = ", ".join(gate.applies_to) or _("the whole plan")
    if gate.blocks is GateBlocks.ACCELERATOR:
        return _("- %(title)s: %(condition)s; otherwise what is paid above target (or above "
                 "the base rate) of %(what)s is multiplied by %(factor)s", title=gate.title,
                 condition=gate.condition.source, what=what, factor=_pct(gate.otherwise))
    return _("- %(title)s: %(condition)s; otherwise the factor of %(what)s is multiplied by "
             "%(factor)s", title=gate.title, condition=gate.condition.source, what=what,
             factor=_pct(gate.otherwise))


def _modifier(m: Any) -> str:
    what = ", ".join(m.applies_to) or _("the whole plan")
    if m.when:
        return _("- %(title)s: multiply %(what)s by %(factor)s when %(condition)s",
                 title=m.title, what=what, factor=m.factor.source, condition=m.when.source)
    return _("- %(title)s: multiply %(what)s by %(factor)s", title=m.title, what=what,
             factor=m.factor.source)


def render(ruleset: Ruleset, version: RulesetVersion, period: Period, person: Person,
           targets: list[tuple[str, str, str]]) -> str:
    """The document's text in the reader's language (pure: everything it says is in the
    arguments and the catalogue)."""
    head = _("%(title)s (version %(version)s) for %(period)s", title=ruleset.title,
             version=version.version, period=period.code)
    lines: list[str] = [head, "=" * _width(head),
                        _("For %(name)s (%(code)s), %(start)s to %(end)s.", name=person.name,
                          code=person.code, start=_day(period.start_date),
                          end=_day(period.end_date)),
                        _("Plan fingerprint: %(hash)s", hash=version.content_hash)]
    if ruleset.description:
        lines += ["", ruleset.description.strip()]
    e = ruleset.eligibility
    who = ", ".join(e.roles) if e.roles else _("every role")
    lines += _section(_("Who is paid"), [
        _("Roles: %(roles)s. At least %(days)s eligible days in the period.", roles=who,
          days=e.min_days),
        _("Pay is prorated by eligible days.") if e.prorate else _("Pay is not prorated.")])
    lines += _section(_("Your target incentive"), _target_incentive(ruleset, person))
    lines += _section(_("What the plan pays for"), _weights(ruleset))
    for c in ruleset.components:
        if isinstance(c.scoring.transform, Commission):
            title = _("%(title)s: how the commission is worked out", title=c.title)
        else:
            title = _("%(title)s: how a result becomes a payout factor", title=c.title)
        lines += _section(title, _transform(c.scoring))
    if ruleset.gates:
        lines += _section(_("Gates"), [_gate(g) for g in ruleset.gates])
    if ruleset.modifiers:
        lines += _section(_("Modifiers"), [_modifier(m) for m in ruleset.modifiers])
    lines += _ramp(ruleset)
    limits = ruleset.limits
    bounds = []
    if limits.cap is not None:
        bounds.append(_("The overall factor is at most %(cap)s.", cap=_pct(limits.cap)))
    if limits.cap_amount is not None:
        bounds.append(_("The payout is at most %(amount)s %(currency)s.",
                        amount=f"{limits.cap_amount:,.2f}", currency=ruleset.currency))
    bounds.append(_("Payouts are rounded to %(step)s %(currency)s (%(mode)s).",
                    step=ruleset.rounding.step, currency=ruleset.currency,
                    mode=_code(ruleset.rounding.mode.value)))
    lines += _section(_("Limits and rounding"), bounds)
    lines += _section(_("Your targets for the period"), [
        f"- {name}, {subject}: {value}" for name, subject, value in targets]
        or [_("No target is on record for you yet.")])
    if ruleset.hold_unacknowledged:
        lines += ["", _("Until you acknowledge this plan, your payout under it is held.")]
    return "\n".join(lines) + "\n"


def plan_document(session: Session, pm: Any, version: RulesetVersion, period: Period,
                  person: Person) -> PlanDocument:
    """KAM ``person``'s plan document for ``version`` in ``period``."""
    ruleset = parse_version(version, pm)
    text = render(ruleset, version, period, person, _targets(session, period, person))
    return PlanDocument(version.id, period.code, person.code, text)
