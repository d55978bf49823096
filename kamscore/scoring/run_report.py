"""What a run's page shows beyond its totals: the payout distribution, cost by team and by
plan variant, one page of its KAMs in a chosen order, and the KAMs of the population who are
*not paid* — each with the reason.

Everything is read back from the stored run (its lines and their details) and the people
table; nothing is computed again. "Not paid" is worked out here, by comparing the population
with the run's lines, so that every reader (page, API, CLI) gets the same list:

- people in the run's roles who left during the period's year but before the period began
  have no line at all (the run loads only the people active in the period): *left*;
- a line with no payout says why in its reasons: fewer eligible days than the plan requires
  (*left* mid-period, or *ineligible by rule* for a late joiner), a role the plan does not
  cover or no target incentive for the KAM (*no plan*), held for review (*held*), or a score
  that reached no threshold (*earned nothing*).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.models import (
    Period,
    PeriodStatus,
    Person,
    RulesetStatus,
    RulesetVersion,
    ScoreLine,
    ScoreRun,
    Team,
    TeamMember,
)
from kamscore.scoring.group_labels import (
    DEFAULT_VARIANT,
    NO_TEAM,
    version_titles,
    version_variant_titles,
)
from kamscore.scoring.payroll import needs_sign_off, payroll_refusal, sign_off
from kamscore.scoring.run_store import DetailReader, current_run, get_visible_run
from kamscore.scoring.statements import run_summary

#: Category → how the page names it.
NOT_PAID_CATEGORIES = {
    "left": "left",
    "no_plan": "no plan",
    "ineligible": "ineligible by rule",
    "held": "held for review",
    "nothing": "earned nothing",
}

#: The orders a run's KAMs can be listed in: name → (column, descending).
SORTS = {
    "code": ("kam_code", False),
    "name": ("name", False),
    "payout": ("payout", True),
    "payout_asc": ("payout", False),
    "factor": ("score", True),
}


@dataclass(frozen=True)
class NotPaid:
    kam_code: str
    kam_name: str
    category: str  # a key of NOT_PAID_CATEGORIES
    reason: str
    has_line: bool  # False: not in the run at all (left before the period)

    @property
    def category_label(self) -> str:
        return NOT_PAID_CATEGORIES[self.category]


@dataclass(frozen=True)
class CostGroup:
    label: str  # for the reader: a team's name, a variant's title
    kams: int
    paid: int  # KAMs with a payout above zero
    payout: Decimal
    target: float
    code: str | None = None  # the team's code, the variant's id (None: no team, base plan)


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal | None  # None: the top bin (at or above ``low``) or the zero bin
    kams: int
    zero: bool = False  # the bin of KAMs paid nothing


def _run_roles(session: Session, run_id: int) -> list[str]:
    return list(session.scalars(
        select(Person.role).join(ScoreLine, ScoreLine.person_id == Person.id)
        .where(ScoreLine.run_id == run_id).distinct()))


def not_paid(session: Session, run: ScoreRun, scope: Scope) -> list[NotPaid]:
    """The people of the run's population (in ``scope``) who get no payout from it, with
    why; ordered by category, then KAM code."""
    period = session.get(Period, run.period_id)
    assert period is not None
    found: list[NotPaid] = []
    rows = session.execute(
        select(ScoreLine.kam_code, Person.name, Person.start_date, Person.end_date,
               ScoreLine.eligible, ScoreLine.held, ScoreLine.detail)
        .join(Person, Person.id == ScoreLine.person_id)
        .where(ScoreLine.run_id == run.id, ScoreLine.payout == 0,
               scope.people(ScoreLine.person_id))
        .order_by(ScoreLine.kam_code))
    reader = DetailReader(session, run.id)
    for code, name, start, end, eligible, held, detail in rows:
        out = reader.detail(code, detail)["out"]
        category, reason = _line_reason(period, start, end, bool(eligible), bool(held),
                                        list(out.get("reasons") or []), out.get("final_factor"))
        found.append(NotPaid(code, name, category, reason, True))
    year_start = dt.date(period.start_date.year, 1, 1)
    in_run = select(ScoreLine.person_id).where(ScoreLine.run_id == run.id)
    leavers = session.execute(
        select(Person.code, Person.name, Person.end_date)
        .where(Person.role.in_(_run_roles(session, run.id)),
               Person.end_date.is_not(None), Person.end_date < period.start_date,
               Person.end_date >= year_start,
               or_(Person.start_date.is_(None), Person.start_date <= period.end_date),
               Person.id.not_in(in_run), scope.people(Person.id)))
    for code, name, end in leavers:
        found.append(NotPaid(code, name, "left",
                             f"left on {end.isoformat()}, before the period began "
                             f"({period.start_date.isoformat()}): no days in role", False))
    order = list(NOT_PAID_CATEGORIES)
    return sorted(found, key=lambda n: (order.index(n.category), n.kam_code))


def _line_reason(period: Period, start: dt.date | None, end: dt.date | None, eligible: bool,
                 held: bool, reasons: list[str], final_factor: float | None
                 ) -> tuple[str, str]:
    said = "; ".join(reasons)
    if any(r.startswith(("no target incentive", "no base salary")) for r in reasons):
        return "no_plan", said  # held by the engine, but no review will find a target
    if held:
        return "held", said or "held for review"
    if not eligible:
        if any("not among the eligible roles" in r for r in reasons):
            return "no_plan", said
        if end is not None and period.start_date <= end <= period.end_date:
            return "left", f"left on {end.isoformat()}, mid-period: {said}"
        if start is not None and period.start_date <= start <= period.end_date:
            return "ineligible", f"joined on {start.isoformat()}: {said}"
        return "ineligible", said or "not eligible"
    if reasons:
        return "ineligible", said
    factor = f"{final_factor:.2%}" if isinstance(final_factor, int | float) else "0 %"
    return "nothing", f"final factor {factor}: no measure reached its threshold"


def cost_by_team(session: Session, run_id: int, scope: Scope) -> list[CostGroup]:
    """Payout and target by the team each KAM serves in as a KAM (his own role there), named
    by the team's name with its code; KAMs in no team are grouped as "No team". Largest cost
    first."""
    member = (select(TeamMember.person_id, func.min(TeamMember.team_id).label("team_id"))
              .join(Person, Person.id == TeamMember.person_id)
              .where(TeamMember.function == Person.role)
              .group_by(TeamMember.person_id).subquery())
    rows = session.execute(
        select(Team.code, Team.name, func.count(), func.count().filter(ScoreLine.payout > 0),
               func.coalesce(func.sum(ScoreLine.payout), 0),
               func.coalesce(func.sum(ScoreLine.target_incentive * ScoreLine.proration), 0))
        .select_from(ScoreLine)
        .outerjoin(member, member.c.person_id == ScoreLine.person_id)
        .outerjoin(Team, and_(Team.id == member.c.team_id))
        .where(ScoreLine.run_id == run_id, scope.people(ScoreLine.person_id))
        .group_by(Team.code, Team.name))
    groups = [CostGroup(name or NO_TEAM, int(kams), int(paid), _decimal(payout),
                        float(target), code)
              for code, name, kams, paid, payout, target in rows]
    return sorted(groups, key=lambda g: (-g.payout, g.label, g.code or ""))


def cost_by_variant(session: Session, run: ScoreRun, scope: Scope,
                    titles: Mapping[str, str] | None = None) -> list[CostGroup]:
    """Payout and target by the plan variant that applied to each KAM, named by its title
    in ``titles`` (variant id → title, see ``group_labels.version_variant_titles``; else
    its id) with its id (none for the base plan)."""
    variants = run.layout.get("variants") or ["default"]
    titles = {"default": DEFAULT_VARIANT, **(titles or {})}
    totals: dict[str, list[Any]] = defaultdict(lambda: [0, 0, Decimal(0), 0.0])
    rows = session.execute(
        select(ScoreLine.payout, ScoreLine.target_incentive, ScoreLine.proration,
               ScoreLine.detail, ScoreLine.kam_code)
        .where(ScoreLine.run_id == run.id, scope.people(ScoreLine.person_id))
        .order_by(ScoreLine.kam_code))
    reader = DetailReader(session, run.id)
    for payout, target, proration, detail, code in rows:
        index = _variant_index(detail) if detail else reader.variant(code)
        entry = totals[variants[index] if isinstance(index, int) else str(index)]
        amount = _decimal(payout)
        entry[0] += 1
        entry[1] += amount > 0
        entry[2] += amount
        entry[3] += (target or 0.0) * (proration or 0.0)
    return sorted((CostGroup(titles.get(vid, vid), kams, paid, payout, target,
                             None if vid == "default" else vid)
                   for vid, (kams, paid, payout, target) in totals.items()),
                  key=lambda g: (-g.payout, g.label))


#: The end of a stored detail (canonical JSON, keys sorted): ``..."variant":N}}``.
_VARIANT_AT_END = re.compile(r'"variant":(\d+)\}\}\s*$')


def _variant_index(detail: str) -> int:
    """The variant index of a stored line, read from the end of its detail (the last key of
    ``out``, itself the last key) without parsing 4 KB of JSON; parsed when not found."""
    found = _VARIANT_AT_END.search(detail[-40:])
    if found:
        return int(found.group(1))
    return int(json.loads(detail)["out"].get("variant", 0))


def payout_bins(session: Session, run_id: int, scope: Scope, *, bins: int = 8) -> list[Bin]:
    """How many KAMs got how much: a bin of those paid nothing, then up to ``bins``
    equal-width bins (a readable step) from the lowest payout, rounded down to the step, to
    the highest; the last bin is open-ended."""
    payouts = [_decimal(p) for p in session.scalars(
        select(ScoreLine.payout).where(ScoreLine.run_id == run_id,
                                       scope.people(ScoreLine.person_id)))]
    if not payouts:
        return []
    zero = sum(1 for p in payouts if p <= 0)
    paid = [p for p in payouts if p > 0]
    result = [Bin(Decimal(0), None, zero, zero=True)]
    if not paid:
        return result
    step = _nice_step((max(paid) - min(paid)) / bins)
    start = (min(paid) // step) * step
    counts = [0] * (int((max(paid) - start) // step) + 1)
    for p in paid:
        counts[int((p - start) // step)] += 1
    for i, count in enumerate(counts):
        last = i == len(counts) - 1
        result.append(Bin(start + step * i, None if last else start + step * (i + 1), count))
    return result


def _nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``raw`` (at least 1)."""
    if raw <= 1:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


@dataclass(frozen=True)
class LineRow:
    kam_code: str
    kam_name: str
    eligible: bool
    held: bool
    score: float | None
    target_incentive: float | None
    payout: Decimal


def sorted_lines(session: Session, run_id: int, *, scope: Scope, sort: str = "code",
                 offset: int = 0, limit: int = 50, search: str | None = None
                 ) -> tuple[list[LineRow], int]:
    """One page of a run's lines in ``scope``, in the order ``sort`` (a key of
    :data:`SORTS`; KAM code breaks ties), optionally those whose code or name contains
    ``search``; with the number of lines matching."""
    column, descending = SORTS.get(sort, SORTS["code"])
    query = (select(ScoreLine.kam_code, Person.name, ScoreLine.eligible, ScoreLine.held,
                    ScoreLine.score, ScoreLine.target_incentive, ScoreLine.payout)
             .join(Person, Person.id == ScoreLine.person_id)
             .where(ScoreLine.run_id == run_id, scope.people(ScoreLine.person_id)))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(ScoreLine.kam_code).like(pattern)
                            | func.lower(Person.name).like(pattern))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = {"kam_code": ScoreLine.kam_code, "name": Person.name, "payout": ScoreLine.payout,
           "score": ScoreLine.score}[column]
    ordered = (key.desc().nulls_last() if descending else key.asc().nulls_last())
    rows = session.execute(query.order_by(ordered, ScoreLine.kam_code)
                           .offset(offset).limit(limit))
    return [LineRow(r.kam_code, r.name, bool(r.eligible), bool(r.held), r.score,
                    r.target_incentive, _decimal(r.payout)) for r in rows], total


def _decimal(value: Any) -> Decimal:
    """A stored amount as an exact decimal of cents."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class RunOverview:
    """Everything a run's page shows, over the lines in the reader's scope."""

    summary: dict[str, Any]
    lines: list[LineRow]
    matching: int  # lines matching the search
    bins: list[Bin]
    by_team: list[CostGroup]
    by_variant: list[CostGroup]
    not_paid: list[NotPaid]
    is_current: bool  # the newest run of its period and ruleset
    payroll_refusal: str | None  # None: payroll can be exported
    needs_sign_off: bool  # a correction after the close, not signed off yet
    signed_off_by: str | None
    signed_off_at: dt.datetime | None
    same_period_runs: list[int]  # other runs of the period and ruleset, newest first
    #: the ruleset's titles and their translations (``group_labels.version_titles``)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)


def run_overview(session: Session, run_id: int, scope: Scope, *, sort: str = "code",
                 offset: int = 0, limit: int = 50, search: str | None = None,
                 pm: Any = None) -> RunOverview:
    """Run ``run_id`` as its page shows it (NotFoundError when ``scope`` reaches none of
    its lines); with the plugin manager ``pm`` the variants are named by their titles in
    the run's ruleset version (without, by their ids)."""
    run = get_visible_run(session, run_id, scope)
    period = session.get(Period, run.period_id)
    assert period is not None
    lines, matching = sorted_lines(session, run.id, scope=scope, sort=sort, offset=offset,
                                   limit=limit, search=search)
    current = current_run(session, run.period_id, run.ruleset_name)
    event = sign_off(session, period, run)
    others = [i for i in session.scalars(
        select(ScoreRun.id).where(ScoreRun.period_id == run.period_id,
                                  ScoreRun.ruleset_name == run.ruleset_name,
                                  ScoreRun.id != run.id).order_by(ScoreRun.id.desc()))]
    return RunOverview(
        summary=run_summary(session, run, scope), lines=lines, matching=matching,
        bins=payout_bins(session, run.id, scope), by_team=cost_by_team(session, run.id, scope),
        by_variant=cost_by_variant(session, run, scope,
                                   version_variant_titles(run.ruleset_version, pm)),
        not_paid=not_paid(session, run, scope),
        is_current=current is not None and current.id == run.id,
        payroll_refusal=payroll_refusal(session, run.id),
        needs_sign_off=needs_sign_off(session, run.id),
        signed_off_by=event.actor if event else None, signed_off_at=event.at if event else None,
        same_period_runs=others, titles=version_titles(run.ruleset_version, pm))


def run_choices(session: Session) -> tuple[list[Period], list[RulesetVersion]]:
    """What a new run can be made of: the open periods (latest first) and the published
    ruleset versions (by name)."""
    periods = list(session.scalars(select(Period).where(Period.status == PeriodStatus.OPEN)
                                   .order_by(Period.start_date.desc(), Period.kind)))
    versions = session.scalars(select(RulesetVersion)
                               .where(RulesetVersion.status == RulesetStatus.PUBLISHED)
                               .order_by(RulesetVersion.name))
    return periods, list(versions)
