"""360° rater nominations: who a KAM proposes to rate him, and his manager's decision.

A 360° campaign whose raters are *nominated* (``Campaign.raters_nominated``) starts with the
KAMs' self-ratings only. While it is a draft, each KAM proposes colleagues per rater group
(peer, manager, cross-functional colleague, direct report); his manager approves, rejects or
changes the group of each, and may add raters himself. When the campaign opens, every
approved nomination becomes an invitation — and the campaign does not open while a KAM has
fewer approved raters in a group than the campaign's minimum for it (``nomination_minimums``).

One row per (campaign, KAM, rater): a colleague rates a KAM in one group only.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.surveys import Campaign
from kamscore.models.types import UTCDateTime, utcnow


class NominationStatus(enum.StrEnum):
    PROPOSED = "proposed"  # by the KAM (or added by the manager, then approved at once)
    APPROVED = "approved"  # by the manager: becomes an invitation when the campaign opens
    REJECTED = "rejected"  # by the manager: not asked


#: The groups a KAM nominates raters in (the ``self`` rating is always there).
NOMINATED_GROUPS = ("peer", "manager", "cross_functional", "direct_report")


class RaterNomination(Base):
    """One colleague proposed to rate one KAM in one 360° campaign."""

    __tablename__ = "rater_nomination"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kam_id", "rater_id"),
        CheckConstraint("kam_id <> rater_id", name="not_self"),
        CheckConstraint(
            "rater_group IN ('peer', 'manager', 'cross_functional', 'direct_report')",
            name="rater_group",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    kam_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    rater_group: Mapped[str] = mapped_column(String(40))
    status: Mapped[NominationStatus] = mapped_column(
        str_enum(NominationStatus, "nomination_status"), default=NominationStatus.PROPOSED
    )
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    kam: Mapped[Person] = relationship(foreign_keys=[kam_id])
    rater: Mapped[Person] = relationship(foreign_keys=[rater_id])
