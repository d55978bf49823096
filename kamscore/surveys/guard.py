"""Slowing down guessed survey links: misses counted per client in the database.

Tokens have 256 bits, so guessing cannot succeed; the limit is there to keep scanners from
loading the database and to make guessing visible. Every miss (a link that matches no
invitation) is logged at WARNING and counted for the client; a client with ``limit`` misses
within the last window (the current fixed window plus the one before, so a burst across a
window boundary still counts) gets "429 Too many attempts" — even for a valid link — until
the count drops. The counts live in the database (``survey_token_miss``) so that every web
worker and process shares them. The client is an HMAC of its IP address with the app's
secret key: the address itself is not stored, and nothing here is related to responses.

Behind a reverse proxy, configure Werkzeug's ``ProxyFix`` so that the address seen is the
respondent's, not the proxy's (otherwise everybody shares one count).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kamscore.models import TokenMiss

log = logging.getLogger(__name__)


def client_key(address: str | None, secret: str) -> str:
    return hmac.new(secret.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _window_start(now: dt.datetime, window_seconds: int) -> dt.datetime:
    seconds = int(now.timestamp()) // window_seconds * window_seconds
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def recent_misses(session: Session, client: str, now: dt.datetime, window_seconds: int) -> int:
    """Misses of ``client`` in the current and the previous window."""
    since = _window_start(now, window_seconds) - dt.timedelta(seconds=window_seconds)
    return session.scalar(
        select(func.coalesce(func.sum(TokenMiss.misses), 0))
        .where(TokenMiss.client == client, TokenMiss.window_start >= since)
    ) or 0


def is_blocked(session: Session, client: str, now: dt.datetime, *, window_seconds: int,
               limit: int) -> bool:
    return recent_misses(session, client, now, window_seconds) >= limit


def record_miss(session: Session, client: str, now: dt.datetime, *, window_seconds: int,
                path: str = "") -> int:
    """Count one miss of ``client``; returns its recent misses. Logs the miss at WARNING."""
    start = _window_start(now, window_seconds)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(TokenMiss).values(client=client, window_start=start, misses=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=["client", "window_start"],
        set_={"misses": TokenMiss.misses + 1},
    ))
    session.execute(delete(TokenMiss).where(
        TokenMiss.window_start < start - dt.timedelta(seconds=2 * window_seconds)))
    count = recent_misses(session, client, now, window_seconds)
    log.warning("survey link matches no invitation: client %s, %d misses in the last %d s%s",
                client[:12], count, 2 * window_seconds, f" ({path})" if path else "")
    return count
