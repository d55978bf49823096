"""The pay ledger's manual side: adjustments, SPIFFs and clawbacks, their approval, draw terms,
and the balances KAMs owe back (docs/scoring.md, "Pay beyond the run").

- ``enter_entry``: one amount for one KAM, paid in one period's payroll, with a reason. An
  ``adjustment`` is any non-zero amount, a ``spiff`` is positive, a ``clawback`` is negative
  and names the run it corrects. It is paid once a second person approved it.
- ``approve_entry``: an approver (or admin) who did not enter it (four-eyes; the database
  refuses self-approval too). An entry whose period's payroll has been settled is no longer
  entered nor approved: enter it in a later period.
- ``set_draw_terms``: a KAM's draw from a period on — an amount per period, guaranteed
  (never recovered) or recoverable (recovered from later earnings, at most ``recovery_limit``
  percent of a period's earnings). A change is a new record.
- ``balances``: per KAM what he owes back (recoverable draws, negative corrections and
  true-ups) and what has been recovered.

Every function validates everything first, writes nothing on a refusal, audit-logs and
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.engine.rounding import CENT
from kamscore.models import (
    MANUAL_KINDS,
    DrawTerms,
    EntryKind,
    PayEntry,
    PaySettlement,
    Period,
    Person,
    ScoreLine,
    ScoreRun,
    SettlementKind,
    User,
)
from kamscore.models.types import MAX_INTEGER, utcnow
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.texts import _

ZERO = Decimal("0.00")
#: The recovery limit (percent of a period's earnings) for a KAM without draw terms.
DEFAULT_RECOVERY_LIMIT = Decimal("100")
MAX_AMOUNT = Decimal("10000000000")  # ten billion: more is a typing error
REASON_MAX = 2000


def parse_amount(value: object, field: str = "amount") -> Decimal:
    """``value`` as an exact amount of at most two decimals (InvalidInputError naming
    ``field`` otherwise)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInputError(_("%(field)s must be a number such as 250.00, not %(value)r",
                                  field=field, value=value), field=field) from None
    if not amount.is_finite():
        raise InvalidInputError(_("%(field)s must be a finite number", field=field),
                                field=field)
    if amount != amount.quantize(CENT):
        raise InvalidInputError(_("%(field)s has at most two decimals (cents): %(value)s",
                                  field=field, value=value), field=field)
    if abs(amount) >= MAX_AMOUNT:
        raise InvalidInputError(_("%(field)s %(value)s is beyond any plausible pay",
                                  field=field, value=value), field=field)
    return amount.quantize(CENT)


def _username(user: User | str) -> str:
    name = user.username if isinstance(user, User) else user
    if not name or not name.strip():
        raise InvalidInputError("a user name is required", field="user")
    return name


def get_kam(session: Session, kam_code: str) -> Person:
    person = session.scalar(select(Person).where(Person.code == (kam_code or "").strip()))
    if person is None:
        raise NotFoundError(_("no KAM %(kam)r", kam=kam_code), field="kam")
    return person


def get_period(session: Session, code: str, field: str = "period") -> Period:
    period = session.scalar(select(Period).where(Period.code == (code or "").strip()))
    if period is None:
        raise NotFoundError(_("no period %(period)r", period=code), field=field)
    return period


def settled_run_of(session: Session, person_id: int, period_id: int) -> int | None:
    """The run of ``period_id`` with a line of the KAM whose payroll has been settled."""
    return session.scalar(
        select(ScoreRun.id).join(PaySettlement, PaySettlement.run_id == ScoreRun.id)
        .join(ScoreLine, ScoreLine.run_id == ScoreRun.id)
        .where(ScoreRun.period_id == period_id, ScoreLine.person_id == person_id,
               PaySettlement.kind == SettlementKind.EARNINGS).limit(1))


def _currency_of(session: Session, person_id: int, default: str) -> str:
    found = session.scalar(
        select(ScoreRun.currency).join(ScoreLine, ScoreLine.run_id == ScoreRun.id)
        .where(ScoreLine.person_id == person_id).order_by(ScoreRun.id.desc()).limit(1))
    return found or default


def enter_entry(session: Session, *, user: User | str, kam_code: str, period_code: str,
                kind: str, amount: object, reason: str, run_id: int | None = None,
                currency: str = "EUR") -> PayEntry:
    """Enter an adjustment, SPIFF or clawback for approval (see the module doc); commits."""
    name = _username(user)
    try:
        entry_kind = EntryKind(kind)
    except ValueError:
        entry_kind = None
    if entry_kind not in MANUAL_KINDS:
        raise InvalidInputError(f"kind must be adjustment, spiff or clawback, not {kind!r}",
                                field="kind")
    person = get_kam(session, kam_code)
    period = get_period(session, period_code)
    value = parse_amount(amount)
    if entry_kind is EntryKind.SPIFF and value <= 0:
        raise InvalidInputError(_("a SPIFF is a positive amount, not %(value)s", value=value),
                                field="amount")
    if entry_kind is EntryKind.CLAWBACK and value >= 0:
        raise InvalidInputError(_("a clawback is a negative amount (what is taken back), not "
                                  "%(value)s", value=value), field="amount")
    if value == 0:
        raise InvalidInputError(_("an adjustment of 0.00 changes nothing"), field="amount")
    text = (reason or "").strip()
    if not text:
        raise InvalidInputError(_("say why: a reason is required"), field="reason")
    if len(text) > REASON_MAX:
        raise InvalidInputError(_("a reason is at most %(max)s characters", max=REASON_MAX),
                                field="reason")
    if entry_kind is EntryKind.CLAWBACK:
        if run_id is None:
            raise InvalidInputError(_("a clawback names the run it corrects"), field="run")
        run = session.get(ScoreRun, run_id) if 0 < run_id <= MAX_INTEGER else None
        if run is None:
            raise NotFoundError(_("no score run %(run)s", run=run_id), field="run")
        if session.scalar(select(ScoreLine.id).where(ScoreLine.run_id == run.id,
                                                     ScoreLine.person_id == person.id)) is None:
            raise InvalidInputError(_("run %(run)s has no line for %(kam)s: a clawback corrects "
                                      "a run that paid him", run=run.id, kam=person.code),
                                    field="run")
    elif run_id is not None:
        raise InvalidInputError(_("only a clawback names a run"), field="run")
    settled = settled_run_of(session, person.id, period.id)
    if settled is not None:
        raise ConflictError(_("the payroll of %(period)s has been settled (run %(run)s): enter "
                              "the amount in a later period", period=period.code,
                              run=settled), field="period")
    entry = PayEntry(person_id=person.id, kam_code=person.code, pay_period_id=period.id,
                     kind=entry_kind, amount=value, payable=value, recoverable=ZERO,
                     currency=_currency_of(session, person.id, currency), reason=text,
                     run_id=run_id, entered_by=name, entered_at=utcnow())
    session.add(entry)
    session.flush()
    record(session, user, "pay.enter", "pay_entry", entry.id, kind=entry_kind.value,
           kam=person.code, period=period.code, amount=str(value), reason=text, run=run_id)
    session.commit()
    return entry


def get_entry(session: Session, entry_id: int) -> PayEntry:
    entry = session.get(PayEntry, entry_id) if 0 < entry_id <= MAX_INTEGER else None
    if entry is None:
        raise NotFoundError(_("no pay entry %(entry)s", entry=entry_id), field="entry")
    return entry


def approve_entry(session: Session, entry_id: int, *, user: User | str) -> PayEntry:
    """Approve entry ``entry_id`` as ``user``: not the person who entered it; commits."""
    name = _username(user)
    entry = get_entry(session, entry_id)
    if not entry.is_manual:
        raise ConflictError(_("entry %(entry)s is a %(kind)s, computed at the settlement: "
                              "nothing to approve", entry=entry.id, kind=entry.kind.value),
                            field="entry")
    if entry.approved_by is not None:
        raise ConflictError(_("entry %(entry)s was approved by %(user)s already",
                              entry=entry.id, user=entry.approved_by), field="entry")
    if entry.entered_by == name:
        raise PermissionDeniedError(_("%(user)s entered entry %(entry)s: four-eyes rule — "
                                      "another person approves it", user=name,
                                      entry=entry.id), field="user")
    found = session.scalar(select(User).where(User.username == name))
    if found is not None and not (found.has_role("approver") or found.has_role("admin")):
        raise PermissionDeniedError(_("user '%(user)s' does not have the 'approver' role "
                                      "needed to approve a pay entry", user=name),
                                    field="user")
    settled = settled_run_of(session, entry.person_id, entry.pay_period_id)
    if settled is not None:
        raise ConflictError(_("the payroll of its period has been settled (run %(run)s): "
                              "enter the amount again in a later period", run=settled),
                            field="entry")
    entry.approved_by = name
    entry.approved_at = utcnow()
    record(session, user, "pay.approve", "pay_entry", entry.id, kind=entry.kind.value,
           kam=entry.kam_code, amount=str(entry.amount), entered_by=entry.entered_by)
    session.commit()
    return entry


def set_draw_terms(session: Session, *, user: User | str, kam_code: str, from_period: str,
                   amount: object, recoverable: bool, recovery_limit: object = "100"
                   ) -> DrawTerms:
    """A KAM's draw from ``from_period`` on (a new record; the latest applies); commits."""
    name = _username(user)
    person = get_kam(session, kam_code)
    period = get_period(session, from_period, field="from_period")
    value = parse_amount(amount)
    if value < 0:
        raise InvalidInputError(f"a draw is 0 or more per period, not {value}", field="amount")
    limit = parse_amount(recovery_limit, field="recovery_limit")
    if not 0 < limit <= 100:
        raise InvalidInputError(f"recovery_limit is a percentage above 0 and at most 100, "
                                f"not {limit}", field="recovery_limit")
    terms = DrawTerms(person_id=person.id, from_period_id=period.id, amount=value,
                      recoverable=bool(recoverable), recovery_limit=limit, entered_by=name,
                      entered_at=utcnow())
    session.add(terms)
    session.flush()
    record(session, user, "pay.draw_terms", "person", person.code, from_period=period.code,
           amount=str(value), recoverable=bool(recoverable), recovery_limit=str(limit))
    session.commit()
    return terms


def terms_for(session: Session, person_id: int, period: Period) -> DrawTerms | None:
    """The draw terms that apply to the KAM in ``period`` (the latest starting by then)."""
    return session.scalar(
        select(DrawTerms).join(Period, Period.id == DrawTerms.from_period_id)
        .where(DrawTerms.person_id == person_id, Period.start_date <= period.start_date)
        .order_by(Period.start_date.desc(), DrawTerms.id.desc()).limit(1))


def recovered_by_entry(session: Session, entry_ids: list[int]) -> dict[int, Decimal]:
    """Per owed entry, what recoveries have taken back so far (a positive amount)."""
    if not entry_ids:
        return {}
    rows = session.execute(
        select(PayEntry.settles_id, func.sum(PayEntry.amount))
        .where(PayEntry.settles_id.in_(entry_ids), PayEntry.kind == EntryKind.RECOVERY)
        .group_by(PayEntry.settles_id))
    return {int(key): -Decimal(str(total)).quantize(CENT) for key, total in rows}


def open_balances(session: Session, person_id: int) -> list[tuple[PayEntry, Decimal]]:
    """The KAM's entries with something still owed, oldest first, with what is owed."""
    owed = list(session.scalars(
        select(PayEntry).where(PayEntry.person_id == person_id, PayEntry.recoverable > 0)
        .order_by(PayEntry.id)))
    taken = recovered_by_entry(session, [e.id for e in owed])
    result = []
    for entry in owed:
        left = Decimal(str(entry.recoverable)).quantize(CENT) - taken.get(entry.id, ZERO)
        if left > 0:
            result.append((entry, left))
    return result


@dataclass(frozen=True)
class Balance:
    kam_code: str
    kam_name: str
    draw: Decimal | None  # per period (None: no draw terms)
    recoverable: bool | None
    recovery_limit: Decimal
    owed: Decimal  # everything ever recoverable
    recovered: Decimal
    outstanding: Decimal


def balances(session: Session, period: Period | None = None) -> list[Balance]:
    """Per KAM with draw terms or anything owed: his draw, what he owed, what has been
    recovered and what is outstanding."""
    people = set(session.scalars(select(DrawTerms.person_id)))
    people |= set(session.scalars(select(PayEntry.person_id).where(PayEntry.recoverable > 0)))
    result = []
    for person in session.scalars(select(Person).where(Person.id.in_(people))
                                  .order_by(Person.code)):
        terms = (terms_for(session, person.id, period) if period is not None else
                 session.scalar(select(DrawTerms).where(DrawTerms.person_id == person.id)
                                .order_by(DrawTerms.id.desc()).limit(1)))
        owed_entries = list(session.scalars(select(PayEntry).where(
            PayEntry.person_id == person.id, PayEntry.recoverable > 0)))
        owed = sum((Decimal(str(e.recoverable)) for e in owed_entries), ZERO).quantize(CENT)
        taken = sum(recovered_by_entry(session, [e.id for e in owed_entries]).values(), ZERO)
        result.append(Balance(
            person.code, person.name, terms.amount if terms else None,
            terms.recoverable if terms else None,
            terms.recovery_limit if terms else DEFAULT_RECOVERY_LIMIT,
            owed, taken.quantize(CENT), (owed - taken).quantize(CENT)))
    return result


def list_entries(session: Session, *, pending_only: bool = False, limit: int = 200
                 ) -> list[PayEntry]:
    """Manual entries, newest first (``pending_only``: those waiting for approval)."""
    query = select(PayEntry).where(PayEntry.kind.in_(MANUAL_KINDS))
    if pending_only:
        query = query.where(PayEntry.approved_by.is_(None))
    return list(session.scalars(query.order_by(PayEntry.id.desc()).limit(limit)))
