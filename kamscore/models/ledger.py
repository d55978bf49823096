"""The pay ledger: every amount paid besides a run's earnings, as a record that never changes.

- ``PayEntry``: one amount for one KAM, paid in the payroll of one period (``pay_period_id``),
  of one *kind*: a manual ``adjustment``, a ``spiff``, a ``clawback`` (negative, referencing the
  run it corrects), a ``draw`` (the top-up to a KAM's draw), a ``recovery`` (taken back from a
  later period's earnings, referencing the entry it settles), a ``true_up`` (annual earnings
  minus the quarterly advances, referencing the annual run and the advances' runs), or a
  ``correction`` (the difference per KAM between a corrected run and the run it corrects,
  referencing both). ``amount`` is what the line is worth (signed, two decimals); ``payable``
  is what it adds to that payroll (equal to ``amount``, except a negative correction or
  true-up: 0, recovered later); ``recoverable`` is what the KAM owes back from it (a
  recoverable draw, a negative correction or true-up), settled by ``recovery`` entries.
  Manual kinds (adjustment, spiff, clawback) are paid once a second person approved them:
  ``approved_by``/``approved_at`` are the only columns ever written after the insert, once,
  from empty — the mapper refuses anything else and a CHECK refuses self-approval.
- ``DrawTerms``: a KAM's draw from a period on (amount per period, guaranteed or recoverable,
  and the recovery limit in percent of a period's earnings). A change is a new record; the
  latest one starting on or before a period applies.
- ``PaySettlement``: a run's payroll was settled (its draws, recoveries, corrections or
  true-up written): once per run, so that a second export re-reads the same entries.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.periods import Period
from kamscore.models.scoring import ImmutableRecordError
from kamscore.models.types import UTCDateTime, utcnow


class EntryKind(enum.StrEnum):
    ADJUSTMENT = "adjustment"
    SPIFF = "spiff"
    CLAWBACK = "clawback"
    DRAW = "draw"
    RECOVERY = "recovery"
    TRUE_UP = "true_up"
    CORRECTION = "correction"


#: Kinds a person enters and a second person approves (four-eyes) before they are paid.
MANUAL_KINDS = (EntryKind.ADJUSTMENT, EntryKind.SPIFF, EntryKind.CLAWBACK)


class SettlementKind(enum.StrEnum):
    EARNINGS = "earnings"  # a period's run: earnings, entries, draws and recoveries
    CORRECTION = "correction"  # a correction of a closed period: the differences only
    TRUE_UP = "true_up"  # an annual run settled against its quarterly advances


class PayEntry(Base):
    __tablename__ = "pay_entry"
    __table_args__ = (
        CheckConstraint("approved_by IS NULL OR approved_by <> entered_by", name="four_eyes"),
        CheckConstraint("recoverable >= 0", name="recoverable"),
        CheckConstraint("kind <> 'clawback' OR amount < 0", name="clawback_negative"),
        CheckConstraint("kind <> 'spiff' OR amount > 0", name="spiff_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kam_code: Mapped[str] = mapped_column(String(40))  # denormalised for the export
    pay_period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "pay_entry_kind"))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    payable: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    recoverable: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    #: the run the entry refers to: the run a clawback corrects, a correction's new run, the
    #: run whose earnings a draw or recovery was computed from, a true-up's annual run
    run_id: Mapped[int | None] = mapped_column(ForeignKey("score_run.id"), index=True)
    #: a correction's old run (the one corrected)
    other_run_id: Mapped[int | None] = mapped_column(ForeignKey("score_run.id"))
    #: a recovery's draw, negative correction or negative true-up
    settles_id: Mapped[int | None] = mapped_column(ForeignKey("pay_entry.id"), index=True)
    #: a true-up's advance runs (their ids)
    advance_runs: Mapped[list[Any] | None] = mapped_column(JSON)
    entered_by: Mapped[str] = mapped_column(String(80))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()
    pay_period: Mapped[Period] = relationship()

    @property
    def is_manual(self) -> bool:
        return self.kind in MANUAL_KINDS

    @property
    def is_approved(self) -> bool:
        return not self.is_manual or self.approved_by is not None


class DrawTerms(Base):
    __tablename__ = "draw_terms"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("recovery_limit > 0 AND recovery_limit <= 100", name="recovery_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    from_period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # per period
    recoverable: Mapped[bool] = mapped_column(Boolean)
    recovery_limit: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # % of a period's earnings
    entered_by: Mapped[str] = mapped_column(String(80))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()
    from_period: Mapped[Period] = relationship()


class PaySettlement(Base):
    __tablename__ = "pay_settlement"

    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id"), primary_key=True)
    kind: Mapped[SettlementKind] = mapped_column(str_enum(SettlementKind, "settlement_kind"))
    settled_by: Mapped[str] = mapped_column(String(80))
    settled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


_APPROVAL = ("approved_by", "approved_at")


@event.listens_for(PayEntry, "before_update")
def _entry_only_approved(_mapper: Any, conn: Any, target: PayEntry) -> None:
    state = inspect(target)
    for attr in state.mapper.column_attrs:
        if not state.attrs[attr.key].history.has_changes():
            continue
        if attr.key in _APPROVAL:
            table = PayEntry.__table__
            stored = conn.execute(select(table.c.approved_by, table.c.approved_at)
                                  .where(table.c.id == target.id)).one()
            if stored == (None, None):  # approved once, from empty
                continue
        raise ImmutableRecordError(
            f"pay entry {target.id}: '{attr.key}' never changes; a correction is a new entry")


def _refuse(_mapper: Any, _conn: Any, target: Any) -> None:
    raise ImmutableRecordError(f"{type(target).__name__} is immutable: add a new record")


event.listen(PayEntry, "before_delete", _refuse)
for _cls in (DrawTerms, PaySettlement):
    event.listen(_cls, "before_update", _refuse)
    event.listen(_cls, "before_delete", _refuse)
