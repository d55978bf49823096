"""Payment holds: a KAM's payout, or one line of his statement, held and released later.

The comp team places a hold on the payout of one KAM in one score run (the whole payout, or
one component's share of it as his statement shows it, to the cent) with a reason code. The
amount held is fixed when the hold is placed. While it is held:

- the period's payroll export leaves it out (the KAM's row, or his row less the line's share);
- his statement shows it as held, with the reason.

Releasing a hold pays it in the payroll export of the period it is released into: the held
period itself while that is still open, otherwise the earliest open period of the same kind
after it. That export carries it as a row of its own naming the original period and run.
Releasing more than ``HOLD_RELEASE_FOUR_EYES_ABOVE`` needs a second person: not the one who
placed the hold. Placing and releasing are audit-logged (``hold.place``, ``hold.release``).

A ruleset whose ``acknowledgment.hold_payouts`` is true holds, when its run's payroll is
exported, the payout of every KAM who has not acknowledged his plan document for that period
(reason ``plan_not_acknowledged``, placed by ``kamscore``: any comp team member may release it).

The payroll export calls one function here, :func:`apply_holds`, on its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.engine.rounding import CENT
from kamscore.exports.payroll import PayrollRow
from kamscore.models import (
    AuditEvent,
    HoldReason,
    PaymentHold,
    Period,
    PeriodStatus,
    Person,
    ScoreLine,
    ScoreRun,
    User,
)
from kamscore.models.types import utcnow
from kamscore.scoring.acknowledgments import unacknowledged
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.scoring.lifecycle import parse_version
from kamscore.scoring.run_store import current_run, get_run
from kamscore.scoring.statements import pay_slip, statement
from kamscore.texts import _

SYSTEM = "kamscore"  # who places the holds of unacknowledged plans
WHOLE_PAYOUT = "payout"  # the ``line`` a form sends for the whole payout
NOTE_MAX = 1000


def _name(user: User | str) -> str:
    return user.username if isinstance(user, User) else user


def _exported(session: Session, run_id: int) -> bool:
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.pay", AuditEvent.object_type == "run",
        AuditEvent.object_key == str(run_id)))
    return any(e.details.get("kind") == "payroll" for e in events)


def _active(session: Session, period_id: int, ruleset: str, person_id: int
            ) -> list[PaymentHold]:
    return list(session.scalars(select(PaymentHold).where(
        PaymentHold.period_id == period_id, PaymentHold.ruleset_name == ruleset,
        PaymentHold.person_id == person_id, PaymentHold.released_at.is_(None))))


def place_hold(session: Session, run_id: int, kam_code: str, *, reason: str,
               user: User | str, line: str | None = None, note: str | None = None
               ) -> PaymentHold:
    """Hold KAM ``kam_code``'s payout in run ``run_id`` (``line`` None or ``"payout"``) or
    one component line of his statement; commits. 4xx errors name the field at fault."""
    try:
        code = HoldReason(reason)
    except ValueError:
        raise InvalidInputError(
            _("no hold reason %(reason)r; known: %(known)s", reason=reason,
              known=", ".join(r.value for r in HoldReason)), field="reason") from None
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidInputError(_("the note is longer than %(max)s characters", max=NOTE_MAX),
                                field="note")
    run = get_run(session, run_id)
    if current_run(session, run.period_id, run.ruleset_name) != run:
        raise ConflictError(_("run %(run)s has been corrected: hold the KAM in the current run",
                              run=run.id), field="run")
    if _exported(session, run.id):
        raise ConflictError(_("the payroll of run %(run)s has been exported: a hold can no "
                              "longer keep it back", run=run.id), field="run")
    found = statement(session, run.id, kam_code, Scope.unlimited("pay.read"))
    person = session.scalar(select(Person).where(Person.code == kam_code))
    assert person is not None
    if line in (None, "", WHOLE_PAYOUT):
        line, title = None, "Whole payout"
        amount = Decimal(str(found["payout"])).quantize(CENT)
    else:
        rows = {r["id"]: r for r in pay_slip(found)}
        if line not in rows:
            raise InvalidInputError(_("%(kam)s's statement has no line %(line)r; lines: %(lines)s",
                                      kam=kam_code, line=line,
                                      lines=", ".join([WHOLE_PAYOUT, *rows])), field="line")
        title = rows[line]["title"]
        amount = rows[line]["payout_share"] or Decimal("0.00")
    if amount <= 0:
        raise InvalidInputError(_("%(kam)s's %(line)s in run %(run)s pays nothing: there is "
                                  "nothing to hold", kam=kam_code, line=title.lower(),
                                  run=run.id), field="line")
    for held in _active(session, run.period_id, run.ruleset_name, person.id):
        if held.line is None or line is None or held.line == line:
            raise ConflictError(_("%(kam)s already has hold %(hold)s on %(line)s in this period",
                                  kam=kam_code, hold=held.id,
                                  line=held.line_title.lower()), field="line")
    hold = PaymentHold(period_id=run.period_id, run_id=run.id, ruleset_name=run.ruleset_name,
                       person_id=person.id, kam_code=kam_code, line=line, line_title=title,
                       amount=float(amount), reason=code, note=note or None,
                       placed_by=_name(user))
    session.add(hold)
    session.flush()
    record(session, user, "hold.place", "payment_hold", hold.id, run=run.id,
           period=run.period.code, kam=kam_code, line=line or WHOLE_PAYOUT,
           amount=str(amount), reason=code.value, note=note)
    session.commit()
    return hold


def release_period(session: Session, hold: PaymentHold) -> Period | None:
    """Where a release of ``hold`` today is paid: its own period while open, else the
    earliest open period of the same kind after it (None: no open period)."""
    held = hold.period
    if held.status == PeriodStatus.OPEN:
        return held
    return session.scalar(select(Period).where(
        Period.kind == held.kind, Period.status == PeriodStatus.OPEN,
        Period.start_date > held.start_date).order_by(Period.start_date).limit(1))


def release_hold(session: Session, hold_id: int, *, user: User | str,
                 settings: dict[str, Any], note: str | None = None) -> PaymentHold:
    """Release hold ``hold_id`` into the period it will be paid in; commits."""
    hold = session.get(PaymentHold, hold_id)
    if hold is None:
        raise NotFoundError(_("no payment hold %(hold)s", hold=hold_id), field="hold")
    if hold.released:
        raise ConflictError(_("hold %(hold)s was released by %(user)s", hold=hold.id,
                              user=hold.released_by), field="hold")
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidInputError(_("the note is longer than %(max)s characters", max=NOTE_MAX),
                                field="note")
    limit = Decimal(str(settings.get("HOLD_RELEASE_FOUR_EYES_ABOVE", 5000)))
    amount = Decimal(str(hold.amount)).quantize(CENT)
    if amount > limit and hold.placed_by == _name(user):
        raise PermissionDeniedError(
            _("you placed hold %(hold)s and it is over %(limit)s: four-eyes rule — another "
              "person of the comp team releases it", hold=hold.id, limit=f"{limit:,.2f}"),
            field="user")
    paid_in = release_period(session, hold)
    if paid_in is None:
        raise ConflictError(_("no open %(kind)s period after %(period)s to pay the release "
                              "in: open one first", kind=hold.period.kind.value,
                              period=hold.period.code), field="hold")
    hold.released_by, hold.released_at = _name(user), utcnow()
    hold.paid_in_period_id, hold.release_note = paid_in.id, note or None
    record(session, user, "hold.release", "payment_hold", hold.id, kam=hold.kam_code,
           period=hold.period.code, run=hold.run_id, amount=str(amount),
           paid_in=paid_in.code, note=note)
    session.commit()
    return hold


def hold_unacknowledged(session: Session, pm: Any, run: ScoreRun) -> list[PaymentHold]:
    """Hold, for a ruleset whose ``acknowledgment.hold_payouts`` is true, the payout in
    ``run`` of every KAM with a payout who has not acknowledged his plan for the run's
    period and has no hold yet (the caller commits)."""
    if not parse_version(run.ruleset_version, pm).hold_unacknowledged:
        return []
    lines = session.execute(select(ScoreLine.person_id, ScoreLine.kam_code, ScoreLine.payout)
                            .where(ScoreLine.run_id == run.id, ScoreLine.payout > 0)).all()
    waiting = unacknowledged(session, pm, run.ruleset_version, run.period,
                             [pid for pid, _, _ in lines])
    placed = []
    for person_id, code, payout in lines:
        if person_id not in waiting or _active(session, run.period_id, run.ruleset_name,
                                               person_id):
            continue
        amount = Decimal(str(payout)).quantize(CENT)
        hold = PaymentHold(period_id=run.period_id, run_id=run.id,
                           ruleset_name=run.ruleset_name, person_id=person_id, kam_code=code,
                           line=None, line_title="Whole payout", amount=float(amount),
                           reason=HoldReason.PLAN_NOT_ACKNOWLEDGED, placed_by=SYSTEM,
                           note="plan not acknowledged when the payroll was exported")
        session.add(hold)
        session.flush()
        record(session, SYSTEM, "hold.place", "payment_hold", hold.id, run=run.id,
               period=run.period.code, kam=code, line=WHOLE_PAYOUT, amount=str(amount),
               reason=hold.reason.value)
        placed.append(hold)
    return placed


# -- the payroll hook -------------------------------------------------------------------------


def apply_holds(session: Session, run: ScoreRun, period: Period,
                rows: Sequence[PayrollRow]) -> list[PayrollRow]:
    """The payroll rows of ``run`` with its period's holds taken out (a whole payout held:
    no row; a line held: the row less its amount) and, as rows of their own, the holds
    released into this period from earlier ones (same ruleset), naming where they come from."""
    held = list(session.scalars(select(PaymentHold).where(
        PaymentHold.period_id == period.id, PaymentHold.ruleset_name == run.ruleset_name,
        or_(PaymentHold.paid_in_period_id.is_(None),
            PaymentHold.paid_in_period_id != period.id))))
    whole = {h.kam_code for h in held if h.line is None}
    less: dict[str, Decimal] = {}
    for h in held:
        if h.line is not None:
            less[h.kam_code] = less.get(h.kam_code, Decimal("0")) + Decimal(str(h.amount))
    kept = []
    for row in rows:
        if row.kam_code in whole:
            continue
        if row.kam_code in less and row.kind == "earnings":  # a line held: of the earnings
            payout = max(row.payout - less[row.kam_code], Decimal("0")).quantize(CENT)
            row = replace(row, payout=payout,
                          note=f"{less[row.kam_code]:.2f} held (see the statement)")
        kept.append(row)
    released = session.execute(
        select(PaymentHold, Person.name, Period.code).join(Person, Person.id ==
                                                           PaymentHold.person_id)
        .join(Period, Period.id == PaymentHold.period_id)
        .where(and_(PaymentHold.paid_in_period_id == period.id,
                    PaymentHold.period_id != period.id,
                    PaymentHold.ruleset_name == run.ruleset_name))
        .order_by(PaymentHold.kam_code, PaymentHold.id)).all()
    for hold, name, code in released:
        kept.append(PayrollRow(hold.kam_code, name,
                               Decimal(str(hold.amount)).quantize(CENT), kind="hold release",
                               refers_to=f"run {hold.run_id}",
                               note=f"released hold {hold.id}: {hold.line_title.lower()} of "
                                    f"{code}, run {hold.run_id} ({hold.reason.label})"))
    return kept


# -- reading -------------------------------------------------------------------------------


def statement_holds(session: Session, run: ScoreRun, person_id: int) -> list[PaymentHold]:
    """The holds on ``person_id``'s pay in ``run``'s period and ruleset, newest first."""
    return list(session.scalars(select(PaymentHold).where(
        PaymentHold.period_id == run.period_id, PaymentHold.ruleset_name == run.ruleset_name,
        PaymentHold.person_id == person_id).order_by(PaymentHold.id.desc())))


def list_holds(session: Session, scope: Scope, *, active_only: bool = False
               ) -> list[PaymentHold]:
    query = select(PaymentHold).where(scope.people(PaymentHold.person_id))
    if active_only:
        query = query.where(PaymentHold.released_at.is_(None))
    return list(session.scalars(query.order_by(PaymentHold.released_at.is_not(None),
                                               PaymentHold.id.desc())))


def holdable_runs(session: Session) -> list[ScoreRun]:
    """The current run of every (period, ruleset) whose payroll has not been exported."""
    runs = session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc()))
    found, seen = [], set()
    for run in runs:
        key = (run.period_id, run.ruleset_name)
        if key in seen:
            continue
        seen.add(key)
        if not _exported(session, run.id):
            found.append(run)
    return found


def holds_on_statement(session: Session, run_id: int, kam_code: str) -> list[PaymentHold]:
    """The holds on KAM ``kam_code``'s pay in run ``run_id``'s period and ruleset (the
    caller has already been let read the statement)."""
    run = get_run(session, run_id)
    person_id = session.scalar(select(Person.id).where(Person.code == kam_code))
    return [] if person_id is None else statement_holds(session, run, person_id)
