"""Target rounds, the KAM's and his manager's side (service; no Flask).

- A KAM (``targets.propose``, his own) sees his top-down targets beside his history (the
  last periods' credited actuals, targets and attainment) and, until the round's deadline,
  proposes another value per target with a reason — within the round's bound of the
  top-down value. Proposing again replaces his proposal and waits for a decision again.
- His manager (``targets.decide``, his teams' KAMs) accepts, adjusts (another value, within
  the bound, with a reason) or rejects each proposal, until the round is approved.

Lines outside the caller's scope are refused as if they did not exist. Every step is
audit-logged (``target.*``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.models import (
    Period,
    Person,
    ProposalDecision,
    RoundStatus,
    TargetLine,
    TargetRound,
)
from kamscore.scoring.errors import ConflictError, InvalidInputError, NotFoundError
from kamscore.scoring.target_basis import ACTUAL_OF, check_bound, credited, parse_amount
from kamscore.scoring.target_rounds import RoundView, get_round, round_view
from kamscore.texts import _

HISTORY_PERIODS = 4
DECISIONS = {"accept": ProposalDecision.ACCEPTED, "adjust": ProposalDecision.ADJUSTED,
             "reject": ProposalDecision.REJECTED}


def _state(value: str) -> str:
    """A round's state in the reader's words."""
    return {"draft": _("draft"), "open": _("open"), "approved": _("approved")}.get(value, value)


def _reason(text: str | None, field: str = "reason") -> str:
    reason = (text or "").strip()
    if not reason:
        raise InvalidInputError(_("%(field)s: say why (a sentence is enough)", field=field),
                                field=field)
    if len(reason) > 500:
        raise InvalidInputError(_("%(field)s: at most 500 characters", field=field), field=field)
    return reason


def _line(session: Session, code: str, line_id: int, scope: Scope) -> TargetLine:
    target_round = get_round(session, code)
    line = session.get(TargetLine, line_id)
    if (line is None or line.round_id != target_round.id
            or not scope.includes_person(line.kam_id)):
        raise NotFoundError(_("no target %(line)s in your reach in round %(round)s", line=line_id,
                              round=code),
                            field="target")
    return line


def propose(session: Session, code: str, line_id: int, value: Any, reason: str | None,
            scope: Scope, actor: str, now: dt.datetime) -> TargetLine:
    """The KAM proposes ``value`` instead of the top-down target, with a reason."""
    line = _line(session, code, line_id, scope)
    target_round = line.round
    if target_round.status is not RoundStatus.OPEN:
        raise ConflictError(_("round %(round)s is %(state)s: proposals are taken only while "
                              "it is open", round=code, state=_state(target_round.status.value)),
                            field="status")
    if target_round.deadline is not None and now > target_round.deadline:
        raise ConflictError(_("the deadline passed (%(deadline)s UTC): proposals are closed",
                              deadline=f"{target_round.deadline:%Y-%m-%d %H:%M}"),
                            field="deadline")
    amount = parse_amount(value, "value")
    check_bound(amount, line.top_down, target_round.bound_pct, "value")
    line.proposed, line.reason = amount, _reason(reason)
    line.proposed_by, line.proposed_at = actor, now
    line.decision = ProposalDecision.PENDING
    line.agreed = line.decision_reason = line.decided_by = line.decided_at = None
    session.flush()
    record(session, actor, "target.propose", "target_round", code, kam=line.kam.code,
           fact=line.fact_name, top_down=str(line.top_down), proposed=str(amount),
           reason=line.reason)
    return line


def decide(session: Session, code: str, line_id: int, decision: str, scope: Scope,
           actor: str, now: dt.datetime, *, value: Any = None, reason: str | None = None
           ) -> TargetLine:
    """The manager accepts, adjusts (``value`` and ``reason``) or rejects a proposal."""
    if decision not in DECISIONS:
        raise InvalidInputError(_("decision: accept, adjust or reject"), field="decision")
    line = _line(session, code, line_id, scope)
    target_round = line.round
    if target_round.status is not RoundStatus.OPEN:
        raise ConflictError(_("round %(round)s is %(state)s: decisions are taken only while "
                              "it is open", round=code, state=_state(target_round.status.value)),
                            field="status")
    if line.proposed is None:
        raise ConflictError(_("%(name)s proposed nothing for %(fact)s", name=line.kam.name,
                              fact=line.fact_name),
                            field="target")
    details: dict[str, str] = {}
    line.agreed = None
    line.decision_reason = (reason or "").strip()[:500] or None
    if decision == "adjust":
        amount = parse_amount(value, "value")
        check_bound(amount, line.top_down, target_round.bound_pct, "value")
        line.agreed = amount
        line.decision_reason = _reason(reason)
        details = {"agreed": str(amount), "reason": line.decision_reason}
    line.decision = DECISIONS[decision]
    line.decided_by, line.decided_at = actor, now
    session.flush()
    record(session, actor, f"target.{decision}", "target_round", code, kam=line.kam.code,
           fact=line.fact_name, proposed=str(line.proposed), **details)
    return line


# --- the KAM's page: his targets beside his history ---------------------------------------
@dataclass(frozen=True)
class PastPeriod:
    period: str
    actual: float | None  # credited actual (net_sales for sales_target), None: not known
    target: float | None  # credited target
    attainment: float | None


@dataclass
class KamTargets:
    view: RoundView
    kam: Person
    lines: list[TargetLine]
    history: dict[str, list[PastPeriod]]  # fact → last periods, oldest first
    open: bool  # whether he may still propose


def _previous_periods(session: Session, period: Period) -> list[Period]:
    return list(reversed(session.scalars(
        select(Period).where(Period.kind == period.kind, Period.end_date < period.start_date)
        .order_by(Period.start_date.desc()).limit(HISTORY_PERIODS)).all()))


def history(session: Session, pm: Any, period: Period, kam_code: str,
            facts: list[str]) -> dict[str, list[PastPeriod]]:
    """Per target fact, the KAM's credited actual, target and attainment in the last
    periods of the same kind (the actual of ``sales_target`` is ``net_sales``)."""
    out: dict[str, list[PastPeriod]] = {fact: [] for fact in facts}
    names = set(facts) | {ACTUAL_OF[f] for f in facts if f in ACTUAL_OF}
    for past in _previous_periods(session, period):
        mine = credited(session, pm, past, names).totals.get(kam_code, {})
        for fact in facts:
            target = mine.get(fact)
            actual = mine.get(ACTUAL_OF[fact]) if fact in ACTUAL_OF else None
            attainment = actual / target if actual is not None and target else None
            out[fact].append(PastPeriod(past.code, actual, target, attainment))
    return out


def kam_targets(session: Session, pm: Any, code: str, kam_code: str, scope: Scope,
                now: dt.datetime) -> KamTargets:
    view = round_view(session, code, scope)
    kam = session.scalars(select(Person).where(Person.code == kam_code)).one_or_none()
    if kam is None or not scope.includes_person(kam.id):
        raise NotFoundError(_("no KAM %(code)r in your reach", code=kam_code), field="kam")
    lines = [line for line in view.lines if line.kam_id == kam.id]
    target_round = view.round
    open_now = target_round.status is RoundStatus.OPEN and (
        target_round.deadline is None or now <= target_round.deadline)
    return KamTargets(view, kam, lines,
                      history(session, pm, target_round.period, kam.code,
                              sorted(target_round.facts)), open_now)


def waiting_decisions(session: Session, scope: Scope) -> dict[str, int]:
    """Open round code → proposals of KAMs in ``scope`` waiting for a decision."""
    rows = session.execute(
        select(TargetRound.code, TargetLine.id).join(TargetLine.round)
        .where(TargetRound.status == RoundStatus.OPEN,
               TargetLine.decision == ProposalDecision.PENDING,
               scope.people(TargetLine.kam_id))).all()
    out: dict[str, int] = {}
    for code, _line in rows:
        out[code] = out.get(code, 0) + 1
    return out

