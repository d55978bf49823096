"""The audit log: who did what, when — append-only.

Every sign-in (success and failure), user and role change, API token issued or revoked,
import, ruleset step, score run, period close, saved what-if, campaign step and export of pay
or survey results adds one :class:`AuditEvent` (``kamscore.audit.log.record``), in the same
transaction as the action itself, so an action cannot happen without its record. Database
triggers (migration 0006) refuse any UPDATE or DELETE of an event, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kamscore.models.base import Base
from kamscore.models.types import UTCDateTime, utcnow


class AuditEvent(Base):
    """One step somebody took. ``actor`` is the username as it was (users are never deleted;
    empty for an anonymous caller, e.g. a failed sign-in names the username tried in
    ``details``); ``object_type``/``object_key`` name what it was done to (a run id, a
    ruleset ``name@version``, a period code); ``details`` holds the figures (rows imported,
    the file's hash, the reason). No IP address is stored."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_key: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
