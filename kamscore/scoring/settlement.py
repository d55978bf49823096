"""Settling a signed-off run's payroll: what each KAM is paid, line by line, with its kind.

A run is *settled* once, when its payroll is first exported (or by ``kamscore pay settle``):
the ledger entries it implies are written then, as new records, with a ``PaySettlement``
marking the run, so that a later export re-reads exactly the same lines. Three ways:

- ``earnings`` (a period's run): each KAM's earnings (his payout in the run), the approved
  adjustments, SPIFFs and clawbacks entered for the period, and per KAM with draw terms or
  something owed: a **draw** when his earnings fall short of his draw (the difference; owed
  back if the draw is recoverable), or else a **recovery** of what he owes (oldest first), at
  most ``recovery_limit`` % of his earnings and never taking his pay below his draw. Refused
  while an entry for the period waits for approval.
- ``correction`` (a correction of a closed period, signed off): only the **difference** per
  KAM between it and the run last paid for the period (both runs referenced); a positive one
  is paid, a negative one is owed and recovered from later earnings as above. KAMs whose pay
  did not change are not in the export.
- ``true_up`` (an annual run, with the runs that paid the year's advances): per KAM the annual
  earnings minus the advances' payouts; positive paid, negative owed and recovered.

Amounts are to the cent; a recovery's limit rounds half up to the cent (docs/scoring.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.models import (
    MANUAL_KINDS,
    DrawTerms,
    EntryKind,
    PayEntry,
    PaySettlement,
    Period,
    PeriodKind,
    Person,
    ScoreLine,
    ScoreRun,
    SettlementKind,
    User,
)
from kamscore.models.types import utcnow
from kamscore.scoring.errors import ConflictError, InvalidInputError
from kamscore.scoring.ledger import (
    CENT,
    DEFAULT_RECOVERY_LIMIT,
    ZERO,
    open_balances,
    terms_for,
)
from kamscore.scoring.run_store import current_run, get_run

#: The order of a KAM's lines on the payroll and the statement.
KIND_ORDER = ("earnings", "correction", "true_up", "adjustment", "spiff", "clawback", "draw",
              "recovery")
KIND_LABELS = {"earnings": "Earnings", "correction": "Correction (difference)",
               "true_up": "Annual true-up", "adjustment": "Adjustment", "spiff": "SPIFF",
               "clawback": "Clawback", "draw": "Draw", "recovery": "Recovery"}


@dataclass(frozen=True)
class PayLine:
    """One line of a KAM's pay: ``amount`` what it is worth, ``payable`` what it adds to
    this payroll (0 for a negative difference: owed, recovered later)."""

    kam_code: str
    kam_name: str
    kind: str
    amount: Decimal
    payable: Decimal
    refers_to: str
    reason: str
    entry_id: int | None = None
    pending: bool = False  # a manual entry waiting for approval (statement only)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def settlement_of(session: Session, run_id: int) -> PaySettlement | None:
    return session.get(PaySettlement, run_id)


def _payouts(session: Session, run_id: int, kam_code: str | None = None
             ) -> dict[int, tuple[str, str, Decimal]]:
    query = (select(ScoreLine.person_id, ScoreLine.kam_code, Person.name, ScoreLine.payout)
             .join(Person, Person.id == ScoreLine.person_id).where(ScoreLine.run_id == run_id))
    if kam_code is not None:
        query = query.where(ScoreLine.kam_code == kam_code)
    return {pid: (code, name, _cents(payout))
            for pid, code, name, payout in session.execute(query)}


def is_correction(session: Session, run: ScoreRun) -> bool:
    """A correction made after its period's close (paid as differences)."""
    period = session.get(Period, run.period_id)
    assert period is not None
    return (run.corrects_run_id is not None and period.closed_at is not None
            and run.created_at > period.closed_at)


def paid_base(session: Session, run: ScoreRun) -> ScoreRun:
    """The run a correction is measured against: the newest earlier run of the chain whose
    payroll was settled (else the first of the chain)."""
    base = get_run(session, run.corrects_run_id) if run.corrects_run_id else run
    while settlement_of(session, base.id) is None and base.corrects_run_id is not None:
        base = get_run(session, base.corrects_run_id)
    return base


def _new(run: ScoreRun, pid: int, code: str, kind: EntryKind, amount: Decimal, reason: str,
         user: str, *, recoverable: Decimal = ZERO, payable: Decimal | None = None,
         **refs: object) -> PayEntry:
    return PayEntry(person_id=pid, kam_code=code, pay_period_id=run.period_id, kind=kind,
                    amount=amount, payable=amount if payable is None else payable,
                    recoverable=recoverable, currency=run.currency, reason=reason,
                    run_id=run.id, entered_by=user, entered_at=utcnow(), **refs)


def _difference(run: ScoreRun, pid: int, code: str, kind: EntryKind, diff: Decimal,
                reason: str, user: str, **refs: object) -> PayEntry:
    if diff > 0:
        return _new(run, pid, code, kind, diff, reason, user, **refs)
    return _new(run, pid, code, kind, diff, reason + "; owed, recovered from later earnings",
                user, payable=ZERO, recoverable=-diff, **refs)


def _pending(session: Session, run: ScoreRun, people: set[int]) -> list[PayEntry]:
    return [e for e in session.scalars(select(PayEntry).where(
        PayEntry.pay_period_id == run.period_id, PayEntry.kind.in_(MANUAL_KINDS),
        PayEntry.approved_by.is_(None))) if e.person_id in people]


def recovery_room(earned: Decimal, draw: Decimal, limit: Decimal) -> Decimal:
    """What may be recovered from ``earned`` in one period: at most ``limit`` percent of it
    (half up to the cent), never taking the pay below the ``draw``; 0 when nothing may."""
    room = min((earned * limit / 100).quantize(CENT, ROUND_HALF_UP), earned - draw)
    return max(room, ZERO)


def _earnings_entries(session: Session, run: ScoreRun, user: str) -> list[PayEntry]:
    period = session.get(Period, run.period_id)
    assert period is not None
    payouts = _payouts(session, run.id)
    concerned = set(session.scalars(select(DrawTerms.person_id)))
    concerned |= set(session.scalars(select(PayEntry.person_id)
                                     .where(PayEntry.recoverable > 0)))
    entries: list[PayEntry] = []
    for pid in sorted(concerned & set(payouts)):
        code, _name, earned = payouts[pid]
        terms = terms_for(session, pid, period)
        draw = Decimal(str(terms.amount)).quantize(CENT) if terms is not None else ZERO
        if earned < draw:
            shortfall = draw - earned
            recoverable = shortfall if terms is not None and terms.recoverable else ZERO
            entries.append(_new(run, pid, code, EntryKind.DRAW, shortfall,
                                f"draw {draw} minus earnings {earned}"
                                + (" (recoverable)" if recoverable else " (guaranteed)"),
                                user, recoverable=recoverable))
            continue
        limit = terms.recovery_limit if terms is not None else DEFAULT_RECOVERY_LIMIT
        room = recovery_room(earned, draw, Decimal(str(limit)))
        for owed_entry, left in open_balances(session, pid):
            if room <= 0:
                break
            take = min(left, room)
            room -= take
            entries.append(_new(run, pid, code, EntryKind.RECOVERY, -take,
                                f"recovery of {owed_entry.kind.value} #{owed_entry.id} "
                                f"(owed {left}; at most {limit} % of earnings {earned})",
                                user, settles_id=owed_entry.id))
    return entries


def _correction_entries(session: Session, run: ScoreRun, user: str) -> list[PayEntry]:
    base = paid_base(session, run)
    new, old = _payouts(session, run.id), _payouts(session, base.id)
    entries = []
    for pid in sorted(set(new) | set(old)):
        code = (new.get(pid) or old[pid])[0]
        before = old[pid][2] if pid in old else ZERO
        after = new[pid][2] if pid in new else ZERO
        if after != before:
            entries.append(_difference(
                run, pid, code, EntryKind.CORRECTION, after - before,
                f"run {run.id} pays {after}, run {base.id} paid {before}", user,
                other_run_id=base.id))
    return entries


def _check_advances(session: Session, run: ScoreRun, advances: list[int]) -> list[ScoreRun]:
    year = session.get(Period, run.period_id)
    assert year is not None
    if year.kind is not PeriodKind.YEAR:
        raise InvalidInputError(f"a true-up settles an annual run; run {run.id} is of "
                                f"{year.code}, a {year.kind.value}", field="run")
    if not advances:
        raise InvalidInputError("name the runs that paid the advances", field="advances")
    runs = []
    for run_id in dict.fromkeys(advances):
        advance = get_run(session, run_id)
        period = session.get(Period, advance.period_id)
        assert period is not None
        if period.kind is PeriodKind.YEAR or not (
                year.start_date <= period.start_date and period.end_date <= year.end_date):
            raise InvalidInputError(f"run {advance.id} ({period.code}) is not an advance "
                                    f"within {year.code}", field="advances")
        if current_run(session, period.id, advance.ruleset_name) != advance:
            raise InvalidInputError(f"run {advance.id} has been corrected: name the current "
                                    f"run of {period.code}", field="advances")
        if settlement_of(session, advance.id) is None:
            raise InvalidInputError(f"run {advance.id} ({period.code}) has not been paid "
                                    "(its payroll is not settled)", field="advances")
        runs.append(advance)
    return runs


def _true_up_entries(session: Session, run: ScoreRun, advances: list[ScoreRun],
                     user: str) -> list[PayEntry]:
    annual = _payouts(session, run.id)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for advance in advances:
        for pid, (_code, _name, payout) in _payouts(session, advance.id).items():
            paid[pid] += payout
    ids = [a.id for a in advances]
    refs = ", ".join(str(i) for i in ids)
    entries = []
    for pid in sorted(annual):
        code, _name, earned = annual[pid]
        diff = earned - paid[pid]
        if diff != 0:
            entries.append(_difference(
                run, pid, code, EntryKind.TRUE_UP, diff,
                f"annual earnings {earned} minus advances {paid[pid]} (runs {refs})", user,
                advance_runs=ids))
    return entries


def planned_entries(session: Session, run: ScoreRun, user: str,
                    advances: list[int] | None = None) -> tuple[SettlementKind, list[PayEntry]]:
    """The settlement ``run`` would write (nothing is added to the session)."""
    if advances:
        return SettlementKind.TRUE_UP, _true_up_entries(
            session, run, _check_advances(session, run, advances), user)
    if is_correction(session, run):
        return SettlementKind.CORRECTION, _correction_entries(session, run, user)
    return SettlementKind.EARNINGS, _earnings_entries(session, run, user)


def settle_run(session: Session, run_id: int, *, user: User | str,
               advances: list[int] | None = None) -> PaySettlement:
    """Settle run ``run_id`` (see the module doc) as ``user``, in the caller's transaction
    (the caller commits). A settled run is returned as it is."""
    from kamscore.scoring.payroll import payroll_refusal

    name = user.username if isinstance(user, User) else user
    run = get_run(session, run_id)
    found = settlement_of(session, run.id)
    if found is not None:
        if advances:
            raise ConflictError(f"run {run.id} was settled already ({found.kind.value}, by "
                                f"{found.settled_by})", field="run")
        return found
    refusal = payroll_refusal(session, run.id)
    if refusal is not None:
        raise ConflictError(refusal, field="run")
    kind, entries = planned_entries(session, run, name, advances)
    if kind is SettlementKind.EARNINGS:
        waiting = _pending(session, run, set(_payouts(session, run.id)))
        if waiting:
            ids = ", ".join(f"#{e.id} ({e.kam_code})" for e in waiting)
            raise ConflictError(f"pay entries {ids} wait for approval: approve them (or the "
                                "payroll cannot be settled)", field="run")
    settlement = PaySettlement(run_id=run.id, kind=kind, settled_by=name, settled_at=utcnow())
    session.add(settlement)
    session.add_all(entries)
    session.flush()
    record(session, user, "pay.settle", "run", run.id, kind=kind.value, entries=len(entries),
           advances=advances or None,
           total=str(sum((e.payable for e in entries), ZERO)))
    return settlement


def _refers(entry: PayEntry) -> str:
    if entry.kind is EntryKind.CORRECTION:
        return f"run {entry.other_run_id} → run {entry.run_id}"
    if entry.kind is EntryKind.TRUE_UP:
        runs = ", ".join(str(i) for i in entry.advance_runs or [])
        return f"run {entry.run_id} minus advances (runs {runs})"
    if entry.kind is EntryKind.RECOVERY:
        return f"entry #{entry.settles_id}"
    if entry.kind is EntryKind.CLAWBACK:
        return f"corrects run {entry.run_id}"
    if entry.kind is EntryKind.DRAW:
        return f"run {entry.run_id}"
    return f"entry #{entry.id}"


def _line(entry: PayEntry, names: dict[str, str]) -> PayLine:
    return PayLine(entry.kam_code, names.get(entry.kam_code, ""), entry.kind.value,
                   _cents(entry.amount), _cents(entry.payable), _refers(entry), entry.reason,
                   entry.id, pending=not entry.is_approved)


def pay_lines(session: Session, run_id: int, kam_code: str | None = None, *,
              with_pending: bool = False) -> list[PayLine]:
    """Run ``run_id``'s pay, line by line with its kind (one KAM's with ``kam_code``): the
    settled lines, or before the settlement what it would write (``with_pending``: the manual
    entries waiting for approval too, for the statement)."""
    run = get_run(session, run_id)
    settled = settlement_of(session, run.id)
    if settled is not None:
        kind = settled.kind
        computed = list(session.scalars(select(PayEntry).where(
            PayEntry.run_id == run.id, PayEntry.kind.notin_(MANUAL_KINDS))))
    else:
        kind, computed = planned_entries(session, run, "")
    payouts = _payouts(session, run.id, kam_code)
    names = {code: name for code, name, _ in payouts.values()}
    lines: list[PayLine] = []
    if kind is SettlementKind.EARNINGS:
        lines += [PayLine(code, name, "earnings", payout, payout, f"run {run.id}",
                          "the plan's payout") for code, name, payout in payouts.values()]
        manual = session.scalars(select(PayEntry).where(
            PayEntry.pay_period_id == run.period_id, PayEntry.kind.in_(MANUAL_KINDS),
            PayEntry.person_id.in_(list(payouts))))
        lines += [_line(e, names) for e in manual if with_pending or e.is_approved]
    elif run.corrects_run_id is not None:
        for code, name, _payout in _payouts(session, paid_base(session, run).id,
                                            kam_code).values():
            names.setdefault(code, name)
    lines += [_line(e, names) for e in computed]
    if kam_code is not None:
        lines = [line for line in lines if line.kam_code == kam_code]
    return sorted(lines, key=lambda line: (line.kam_code, KIND_ORDER.index(line.kind),
                                           line.entry_id or 0))


def statement_pay(session: Session, run_id: int, kam_code: str) -> dict[str, object]:
    """A KAM's pay lines for his statement (each with its kind; the manual entries waiting
    for approval marked ``pending``) and what this payroll pays him (``net_pay``, a decimal
    string; pending lines left out)."""
    lines = pay_lines(session, run_id, kam_code, with_pending=True)
    net = sum((line.payable for line in lines if not line.pending), ZERO)
    return {
        "pay_lines": [{"kind": line.kind, "label": line.label, "amount": str(line.amount),
                       "payable": str(line.payable), "refers_to": line.refers_to,
                       "reason": line.reason, "entry": line.entry_id,
                       "pending": line.pending} for line in lines],
        "net_pay": str(net),
    }
