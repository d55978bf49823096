"""Target rounds, the comp team's side (service; no Flask): create a round, fill in the
top-down targets (a CSV file, or a team or national total allocated by a documented key),
open it with a deadline, and — an approver, not the person who opened it — approve it.

Approving writes each KAM's approved target as a new fact about him (``person:<code>``,
source ``target round <code>``), linked from its line, which keeps who proposed and who
agreed. A round's period must be open, and a KAM's target fact of that name must not exist
yet: facts are not overwritten by a round. Every step is audit-logged (``target_round.*``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.models import (
    Fact,
    Period,
    Person,
    ProposalDecision,
    RoundStatus,
    TargetLine,
    TargetRound,
)
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.scoring.periods import get_period
from kamscore.scoring.target_basis import allocate, credited, kam_teams, parse_amount
from kamscore.texts import _

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
KEYS = {
    "credited_share": "credited share of {fact} in {period}",
    "account_potential": "account potential ({fact}) credited in {period}",
}


def get_round(session: Session, code: str) -> TargetRound:
    found = session.scalars(select(TargetRound).where(TargetRound.code == code)
                            .options(selectinload(TargetRound.period))).one_or_none()
    if found is None:
        raise NotFoundError(f"no target round {code!r}", field="round")
    return found


def list_rounds(session: Session) -> list[TargetRound]:
    """Every round, the newest period first."""
    return list(session.scalars(select(TargetRound).join(TargetRound.period)
                                .options(selectinload(TargetRound.period))
                                .order_by(Period.start_date.desc(), TargetRound.code)))


def open_rounds(session: Session) -> list[TargetRound]:
    return [r for r in list_rounds(session) if r.status is RoundStatus.OPEN]


def create_round(session: Session, *, code: str, title: str, period: str,
                 facts: dict[str, str], bound_pct: Any, actor: str) -> TargetRound:
    if not CODE.match(code or ""):
        raise InvalidInputError("a round code is 1 to 40 letters, digits, '-', '_' or '.'",
                                field="code")
    if session.scalar(select(TargetRound.id).where(TargetRound.code == code)) is not None:
        raise ConflictError(f"a target round {code!r} exists already", field="code")
    found = get_period(session, period)
    if found.is_closed:
        raise ConflictError(f"period {found.code} is closed: its targets are final",
                            field="period")
    if not facts:
        raise InvalidInputError("name at least one target fact", field="facts")
    for name, unit in facts.items():
        if not FACT_NAME.match(name):
            raise InvalidInputError(f"{name!r} is not a fact name (lower case, digits, _)",
                                    field="facts")
        if not unit or len(unit) > 20:
            raise InvalidInputError(f"the unit of {name} is 1 to 20 characters",
                                    field="facts")
    bound = parse_amount(bound_pct, "bound_pct")
    if bound <= 0:
        raise InvalidInputError("bound_pct: the bound is a percentage above 0",
                                field="bound_pct")
    target_round = TargetRound(code=code, title=(title or code)[:200], period_id=found.id,
                               facts=dict(facts), bound_pct=bound, created_by=actor)
    session.add(target_round)
    session.flush()
    record(session, actor, "target_round.create", "target_round", code, period=found.code,
           facts=sorted(facts), bound_pct=str(bound))
    return target_round


def _draft(session: Session, code: str) -> TargetRound:
    target_round = get_round(session, code)
    if target_round.status is not RoundStatus.DRAFT:
        raise ConflictError(f"round {code} is {target_round.status.value}: its top-down "
                            "targets are fixed", field="status")
    return target_round


def _set_top_down(session: Session, target_round: TargetRound,
                  values: dict[tuple[int, str], Decimal]) -> int:
    lines = {(line.kam_id, line.fact_name): line for line in target_round.lines}
    for (kam_id, name), value in values.items():
        line = lines.get((kam_id, name))
        if line is None:
            target_round.lines.append(TargetLine(kam_id=kam_id, fact_name=name, top_down=value))
        else:
            line.top_down = value
    session.flush()
    return len(values)


def import_top_down(session: Session, code: str, text: str, filename: str, actor: str) -> int:
    """Top-down targets from CSV text with the columns ``kam``, ``fact``, ``target`` (one row
    per KAM and fact); every row is checked before any is written. Returns the rows set."""
    target_round = _draft(session, code)
    reader = csv.DictReader(io.StringIO(text))
    missing = {"kam", "fact", "target"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInputError(f"{filename}: line 1: the columns kam, fact and target are "
                                f"needed (missing: {', '.join(sorted(missing))})",
                                field="file")
    people = dict(session.execute(select(Person.code, Person.id)).all())
    values: dict[tuple[int, str], Decimal] = {}
    for row in reader:
        where = f"{filename}: line {reader.line_num}"
        kam, fact = (row.get("kam") or "").strip(), (row.get("fact") or "").strip()
        if kam not in people:
            raise InvalidInputError(f"{where}: kam: no person {kam!r}", field="kam")
        if fact not in target_round.facts:
            raise InvalidInputError(f"{where}: fact: {fact!r} is not a fact of this round "
                                    f"({', '.join(sorted(target_round.facts))})", field="fact")
        try:
            value = parse_amount(row.get("target"), "target")
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}: {exc.message}", field="target") from None
        if (people[kam], fact) in values:
            raise InvalidInputError(f"{where}: kam: {kam} has {fact} twice", field="kam")
        values[(people[kam], fact)] = value
    if not values:
        raise InvalidInputError(f"{filename}: no rows", field="file")
    count = _set_top_down(session, target_round, values)
    target_round.basis = f"imported from {filename}"[:300]
    record(session, actor, "target_round.set", "target_round", code, source=filename,
           rows=count)
    return count


@dataclass(frozen=True)
class Allocation:
    fact: str
    total: Decimal | str  # as typed: parsed and checked by ``allocate_total``
    key: str
    key_fact: str
    key_period: str
    team: str | None = None


def allocate_total(session: Session, pm: Any, code: str, allocation: Allocation, actor: str
                   ) -> dict[str, Decimal]:
    """Split a team's (``team``: its code) or the national total of one fact among the KAMs
    credited with the key in ``key_period``: ``credited_share`` (their credited share of
    ``key_fact``, e.g. last year's ``net_sales``) or ``account_potential`` (their credited
    share of an account-potential fact); to the cent, adding up to the total."""
    target_round = _draft(session, code)
    if allocation.fact not in target_round.facts:
        raise InvalidInputError(f"{allocation.fact!r} is not a fact of this round",
                                field="fact")
    if allocation.key not in KEYS:
        raise InvalidInputError(f"the key is one of {', '.join(KEYS)}", field="key")
    if not FACT_NAME.match(allocation.key_fact or ""):
        raise InvalidInputError("name the fact the key is made of", field="key_fact")
    total = parse_amount(allocation.total, "total")
    key_period = get_period(session, allocation.key_period)
    found = credited(session, pm, key_period, [allocation.key_fact])
    people = dict(session.execute(select(Person.code, Person.id)).all())
    weights = {c: t[allocation.key_fact] for c, t in found.totals.items()
               if allocation.key_fact in t}
    if allocation.team:
        teams = kam_teams(session, [people[c] for c in weights])
        weights = {c: w for c, w in weights.items()
                   if (t := teams.get(people[c])) is not None and t.code == allocation.team}
        if not weights:
            raise InvalidInputError(f"no KAM of team {allocation.team!r} has the key in "
                                    f"{key_period.code}", field="team")
    shares = allocate(total, weights)
    _set_top_down(session, target_round,
                  {(people[c], allocation.fact): v for c, v in shares.items()})
    basis = KEYS[allocation.key].format(fact=allocation.key_fact, period=key_period.code)
    whose = f"team {allocation.team}" if allocation.team else "national"
    target_round.basis = f"{allocation.fact}: {whose} total {total:,.2f} by {basis}"[:300]
    record(session, actor, "target_round.set", "target_round", code, fact=allocation.fact,
           total=str(total), key=allocation.key, key_fact=allocation.key_fact,
           key_period=key_period.code, team=allocation.team, kams=len(shares))
    return shares


def open_round(session: Session, code: str, deadline: dt.datetime, actor: str,
               now: dt.datetime) -> TargetRound:
    target_round = _draft(session, code)
    if not target_round.lines:
        raise ConflictError("set the top-down targets before opening the round",
                            field="targets")
    if deadline.tzinfo is None or deadline <= now:
        raise InvalidInputError("the deadline must be in the future", field="deadline")
    target_round.status = RoundStatus.OPEN
    target_round.deadline = deadline
    target_round.opened_by, target_round.opened_at = actor, now
    session.flush()
    record(session, actor, "target_round.open", "target_round", code,
           deadline=deadline.isoformat(), lines=len(target_round.lines))
    return target_round


def approve_round(session: Session, code: str, actor: str, now: dt.datetime) -> int:
    """Approve an open round: its targets become facts. Returns the facts written."""
    target_round = get_round(session, code)
    if target_round.status is not RoundStatus.OPEN:
        raise ConflictError(f"round {code} is {target_round.status.value}: only an open "
                            "round is approved", field="status")
    if actor == target_round.opened_by:
        raise PermissionDeniedError("four-eyes: the round is approved by someone other than "
                                    f"{actor}, who opened it", field="user")
    waiting = [line for line in target_round.lines
               if line.decision is ProposalDecision.PENDING]
    if waiting:
        raise ConflictError(f"{len(waiting)} proposal(s) wait for their manager's decision",
                            field="status")
    period = target_round.period
    if period.is_closed:
        raise ConflictError(f"period {period.code} is closed", field="period")
    lines = sorted(target_round.lines, key=lambda line: (line.kam.code, line.fact_name))
    keys = {Fact.make_subject_key(person=line.kam.code) for line in lines}
    taken = session.execute(select(Fact.name, Fact.subject_key).where(
        Fact.period_id == period.id, Fact.name.in_(list(target_round.facts)),
        Fact.subject_key.in_(keys))).first()
    if taken is not None:
        raise ConflictError(f"{taken[1]} has a {taken[0]} fact in {period.code} already: "
                            "facts are not overwritten by a round", field="period")
    for line in lines:
        fact = Fact(period_id=period.id, name=line.fact_name,
                    subject_key=Fact.make_subject_key(person=line.kam.code),
                    person_id=line.kam_id, value=float(line.approved_value),
                    unit=target_round.facts[line.fact_name],
                    source=f"target round {code}"[:120])
        session.add(fact)
        line.fact = fact
    target_round.status = RoundStatus.APPROVED
    target_round.approved_by, target_round.approved_at = actor, now
    session.flush()
    record(session, actor, "target_round.approve", "target_round", code,
           period=period.code, facts=len(lines))
    return len(lines)


# --- what everyone sees: the lines in reach, totals side by side --------------------------
@dataclass(frozen=True)
class Totals:
    label: str
    kams: int
    top_down: Decimal
    proposed: Decimal
    approved: Decimal


@dataclass
class RoundView:
    round: TargetRound
    lines: list[TargetLine]
    teams: dict[int, str]  # KAM id → team name
    totals: dict[str, list[Totals]]  # fact → team totals, then the national total

    @property
    def pending(self) -> int:
        return sum(1 for line in self.lines if line.decision is ProposalDecision.PENDING)


def _totals(label: str, lines: list[TargetLine]) -> Totals:
    return Totals(label, len({line.kam_id for line in lines}),
                  sum((line.top_down for line in lines), Decimal(0)),
                  sum((line.proposal_value for line in lines), Decimal(0)),
                  sum((line.approved_value for line in lines), Decimal(0)))


def round_lines(session: Session, target_round: TargetRound, scope: Scope) -> list[TargetLine]:
    """The round's lines of the KAMs in ``scope`` (filtered in the query), by KAM."""
    return list(session.scalars(
        select(TargetLine).join(Person, Person.id == TargetLine.kam_id)
        .where(TargetLine.round_id == target_round.id, scope.people(TargetLine.kam_id))
        .options(selectinload(TargetLine.kam))
        .order_by(Person.name, Person.code, TargetLine.fact_name)))


def round_view(session: Session, code: str, scope: Scope) -> RoundView:
    """The round's lines in ``scope``, with the totals of top-down, proposed and approved
    targets per team (the teams in reach) and nationally (every line of the round: the
    national total is shown to everyone who sees the round)."""
    target_round = get_round(session, code)
    lines = round_lines(session, target_round, scope)
    every = lines if scope.everything else round_lines(session, target_round,
                                                       Scope.unlimited())
    teams = {k: t.name for k, t in kam_teams(session, {line.kam_id for line in every}).items()}
    totals: dict[str, list[Totals]] = {}
    for fact in target_round.facts:
        mine = [line for line in lines if line.fact_name == fact]
        by_team: dict[str, list[TargetLine]] = {}
        for line in mine:
            by_team.setdefault(teams.get(line.kam_id, _("no team")), []).append(line)
        totals[fact] = [_totals(name, rows) for name, rows in sorted(by_team.items())] + [
            _totals(_("National"), [line for line in every if line.fact_name == fact])]
    return RoundView(target_round, lines, teams, totals)
