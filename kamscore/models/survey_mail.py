"""Survey e-mail: each message sent for an invitation, and the addresses no e-mail goes to
(see ``kamscore.models.surveys`` for how the survey tables hang together)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.surveys import Invitation
from kamscore.models.types import UTCDateTime, utcnow


class MessageKind(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # claimed; being sent (stays so if the sender died: never re-sent)
    SENT = "sent"
    FAILED = "failed"  # the SMTP server refused it; see ``error``
    SKIPPED = "skipped"  # not sent on purpose: suppressed address, no address, already used


class SuppressionReason(enum.StrEnum):
    BOUNCE = "bounce"
    OPT_OUT = "opt_out"


class SurveyMessage(Base):
    """One e-mail for an invitation: the invitation (sequence 0) or reminder number n.

    The row is inserted (status ``pending``) and committed *before* the e-mail is handed to
    the mail server, so the UNIQUE constraint lets exactly one sender claim each message;
    a sender that dies after claiming leaves ``pending`` behind and nothing is sent twice.
    """

    __tablename__ = "survey_message"
    __table_args__ = (
        UniqueConstraint("invitation_id", "kind", "sequence"),
        CheckConstraint("sequence >= 0", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "message_status"), default=MessageStatus.PENDING
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(500))

    invitation: Mapped[Invitation] = relationship()


class EmailSuppression(Base):
    """An address that bounced or opted out: no survey e-mail goes to it any more.

    ``email`` is stored lower-cased. Recorded by the opt-out link of every e-mail and by
    ``kamscore campaign bounce`` / the bounce API endpoint.
    """

    __tablename__ = "email_suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[SuppressionReason] = mapped_column(
        str_enum(SuppressionReason, "suppression_reason")
    )
    detail: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
