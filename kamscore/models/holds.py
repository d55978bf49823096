"""Plan acknowledgments and payment holds.

- ``PlanAcknowledgment``: a KAM read his plan document for one ruleset version and one period
  and confirmed it with his password. The document is stored exactly as it was shown
  (``document``, plain text) with its SHA-256 (``document_hash``): what he acknowledged can be
  downloaded later, byte for byte. One row per (version, period, KAM); never changed.
- ``PaymentHold``: the comp team holds a KAM's payout of one run's period (``line`` NULL) or
  one line of his statement (``line``: a component id) with a reason code. The amount held is
  fixed when the hold is placed. A held amount is left out of that period's payroll export;
  when the hold is released it is paid in the export of the period it was released into
  (``paid_in_period_id``), which names the original period and run.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.periods import Period
from kamscore.models.scoring import RulesetVersion, ScoreRun
from kamscore.models.types import UTCDateTime, utcnow


class PlanAcknowledgment(Base):
    __tablename__ = "plan_acknowledgment"
    __table_args__ = (UniqueConstraint("ruleset_version_id", "period_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset_version_id: Mapped[int] = mapped_column(ForeignKey("ruleset_version.id"),
                                                    index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    acknowledged_by: Mapped[str] = mapped_column(String(80))  # username
    acknowledged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    document_hash: Mapped[str] = mapped_column(String(64))  # sha256 of ``document`` (UTF-8)
    document: Mapped[str] = mapped_column(Text)  # exactly as shown

    ruleset_version: Mapped[RulesetVersion] = relationship()
    period: Mapped[Period] = relationship()
    person: Mapped[Person] = relationship()


class HoldReason(enum.StrEnum):
    INVESTIGATION = "investigation"
    LEAVE = "leave"
    PLAN_NOT_ACKNOWLEDGED = "plan_not_acknowledged"
    DATA_DISPUTE = "data_dispute"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class PaymentHold(Base):
    __tablename__ = "payment_hold"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("(released_at IS NULL) = (released_by IS NULL)", name="released"),
        CheckConstraint("(released_at IS NULL) = (paid_in_period_id IS NULL)",
                        name="paid_in"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id"), index=True)
    ruleset_name: Mapped[str] = mapped_column(String(80))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kam_code: Mapped[str] = mapped_column(String(40))
    line: Mapped[str | None] = mapped_column(String(80))  # None: the whole payout
    line_title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[float] = mapped_column(Numeric(18, 2, asdecimal=False))
    reason: Mapped[HoldReason] = mapped_column(str_enum(HoldReason, "hold_reason"))
    note: Mapped[str | None] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(80))
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_by: Mapped[str | None] = mapped_column(String(80))
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    paid_in_period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"))
    release_note: Mapped[str | None] = mapped_column(Text)

    period: Mapped[Period] = relationship(foreign_keys=[period_id])
    paid_in_period: Mapped[Period | None] = relationship(foreign_keys=[paid_in_period_id])
    run: Mapped[ScoreRun] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def released(self) -> bool:
        return self.released_at is not None
