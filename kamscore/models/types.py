"""Column types shared by several model modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: The largest value of an ``Integer`` column (PostgreSQL's ``integer``: ids, versions). A
#: number beyond it names nothing stored, and some drivers cannot even send it (SQLite stops
#: at 2**63 - 1): look-ups answer "not found" without asking the database.
MAX_INTEGER = 2**31 - 1


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, stored in UTC and always read back as an aware datetime.

    PostgreSQL keeps ``timestamptz`` itself; SQLite has no time zones and would silently drop
    the offset of an aware value, so the value is converted to UTC before it is stored and
    marked UTC again when read. A naive datetime is refused: "10:00" means nothing without
    a zone, and campaigns open and close at instants.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"a timezone-aware datetime is required, got {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)
