"""Reading the audit log back: filters for the page, the CSV and the API.

Events are listed newest first; filters are exact (user, action, object type and key) or a
range of days (``since``/``until``, inclusive, in UTC). Read only: the log has no update.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kamscore.models.audit import AuditEvent

CSV_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_key", "details")


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_key: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def select_events(filters: AuditFilter) -> Select[Any]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor == filters.actor)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type)
    if filters.object_key:
        stmt = stmt.where(AuditEvent.object_key == filters.object_key)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= _start_of(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEvent.at < _start_of(filters.until + dt.timedelta(days=1)))
    return stmt


def page_of_events(session: Session, filters: AuditFilter, page: int, per_page: int
                   ) -> tuple[list[AuditEvent], int]:
    """One page of the events matching ``filters`` (newest first) and how many match."""
    stmt = select_events(filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    events = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    return events, total or 0


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def event_row(event: AuditEvent) -> list[Any]:
    """One event as CSV cells (details as compact JSON)."""
    import json

    return [event.id, event.at.isoformat(timespec="seconds"), event.actor, event.action,
            event.object_type, event.object_key,
            json.dumps(event.details, sort_keys=True, ensure_ascii=False)]
