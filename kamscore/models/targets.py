"""Target rounds: targets per KAM proposed top-down, discussed with the KAM, then approved.

The comp team opens a round for a period with one or more target facts (``sales_target``,
...) and a top-down value per KAM and fact (imported or allocated from a total). Until the
deadline each KAM may propose another value with a reason; his manager accepts, adjusts
(with a reason) or rejects each proposal; an approver (not the person who opened the round)
approves it, and the approved values are written as facts about each KAM
(``TargetLine.fact_id``: which one), with the round, the proposer and the decider kept here.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.facts import Fact
from kamscore.models.org import Person
from kamscore.models.periods import Period
from kamscore.models.types import UTCDateTime, utcnow

TARGET_AMOUNT = Numeric(16, 2)


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"  # the comp team fills in the top-down targets
    OPEN = "open"  # KAMs propose until the deadline, managers decide
    APPROVED = "approved"  # the targets are facts now; nothing changes any more


class ProposalDecision(enum.StrEnum):
    PENDING = "pending"  # the KAM proposed; his manager has not decided
    ACCEPTED = "accepted"  # the KAM's value stands
    ADJUSTED = "adjusted"  # the manager set another value, with a reason
    REJECTED = "rejected"  # the top-down value stands


class TargetRound(Base):
    """One round of targets for one period."""

    __tablename__ = "target_round"
    __table_args__ = (CheckConstraint("bound_pct > 0", name="bound"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    #: target fact name → unit (``{"sales_target": "EUR"}``)
    facts: Mapped[dict[str, str]] = mapped_column(JSON)
    #: a value (proposed or adjusted) may differ from the top-down one by at most this percent
    bound_pct: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    #: how the top-down values were made (the allocation key, or the file imported)
    basis: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus, "target_round_status"),
                                                default=RoundStatus.DRAFT)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by: Mapped[str | None] = mapped_column(String(80))
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    period: Mapped[Period] = relationship()
    lines: Mapped[list[TargetLine]] = relationship(back_populates="round",
                                                   cascade="all, delete-orphan")


class TargetLine(Base):
    """One KAM's target for one fact in one round: top-down, his proposal, the decision."""

    __tablename__ = "target_line"
    __table_args__ = (
        UniqueConstraint("round_id", "kam_id", "fact_name"),
        CheckConstraint("top_down >= 0", name="top_down"),
        CheckConstraint("proposed IS NULL OR proposed >= 0", name="proposed"),
        CheckConstraint("agreed IS NULL OR agreed >= 0", name="agreed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("target_round.id", ondelete="CASCADE"),
                                          index=True)
    kam_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    fact_name: Mapped[str] = mapped_column(String(60))
    top_down: Mapped[Decimal] = mapped_column(TARGET_AMOUNT)
    proposed: Mapped[Decimal | None] = mapped_column(TARGET_AMOUNT)
    reason: Mapped[str | None] = mapped_column(String(500))
    proposed_by: Mapped[str | None] = mapped_column(String(80))
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[ProposalDecision | None] = mapped_column(
        str_enum(ProposalDecision, "proposal_decision"))
    agreed: Mapped[Decimal | None] = mapped_column(TARGET_AMOUNT)  # the manager's value
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fact_id: Mapped[int | None] = mapped_column(ForeignKey("fact.id"))  # written on approval

    round: Mapped[TargetRound] = relationship(back_populates="lines")
    kam: Mapped[Person] = relationship()
    fact: Mapped[Fact | None] = relationship()

    @property
    def proposal_value(self) -> Decimal:
        """What the KAM's side says: his proposal, else the top-down value."""
        return self.proposed if self.proposed is not None else self.top_down

    @property
    def approved_value(self) -> Decimal:
        """What the round approves: the KAM's value if accepted, the manager's if adjusted,
        the top-down value if rejected or never discussed (a pending proposal counts as
        top-down until decided)."""
        if self.decision is ProposalDecision.ACCEPTED and self.proposed is not None:
            return self.proposed
        if self.decision is ProposalDecision.ADJUSTED and self.agreed is not None:
            return self.agreed
        return self.top_down
