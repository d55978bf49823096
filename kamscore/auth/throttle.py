"""One throttle for everything that can be guessed: sign-in, survey links, API credentials.

A :class:`Rule` allows ``limit`` failures per key within a sliding span of two fixed windows
(the current one and the one before, so a burst across a window boundary still counts).
Callers ask :meth:`Throttle.retry_after` before they try (a number of seconds means "refuse
with 429 and this ``Retry-After``") and :meth:`Throttle.fail` after a failure. Keys are an
HMAC of what is counted (a username, a client address) with the app's secret key, so no
address or name is stored in clear.

The counts are shared by every web worker and host: in the database by default
(:class:`DatabaseStore`, table ``throttle_count``), or in Redis when ``THROTTLE_REDIS_URL``
is set (:class:`RedisStore`). Never in process memory: with four gunicorn workers a limit of
five would otherwise be a limit of twenty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kamscore.models.throttle import ThrottleCount

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """``limit`` failures per key within the current and the previous ``window`` seconds."""

    name: str
    limit: int
    window: int

    def window_start(self, now: dt.datetime) -> dt.datetime:
        seconds = int(now.timestamp()) // self.window * self.window
        return dt.datetime.fromtimestamp(seconds, dt.UTC)


def rules_from_config(config: Mapping[str, Any]) -> dict[str, Rule]:
    """The app's throttles, by name, from its settings."""
    return {
        "sign_in_user": Rule("sign_in_user", int(config["SIGN_IN_USER_LIMIT"]),
                             int(config["SIGN_IN_WINDOW"])),
        "sign_in_client": Rule("sign_in_client", int(config["SIGN_IN_CLIENT_LIMIT"]),
                               int(config["SIGN_IN_WINDOW"])),
        "survey_link": Rule("survey_link", int(config["SURVEY_LINK_MISS_LIMIT"]),
                            int(config["SURVEY_LINK_MISS_WINDOW"])),
        "api_credentials": Rule("api_credentials", int(config["API_CREDENTIAL_LIMIT"]),
                                int(config["API_CREDENTIAL_WINDOW"])),
    }


class Store(Protocol):
    def add(self, rule: Rule, key: str, start: dt.datetime) -> None: ...

    def counts(self, rule: Rule, key: str, start: dt.datetime) -> tuple[int, int]:
        """(failures in the previous window, failures in the current one)."""
        ...


class DatabaseStore:
    """Counts in ``throttle_count``, written in the caller's transaction (commit it)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rule: Rule, key: str, start: dt.datetime) -> None:
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        self.session.execute(
            insert(ThrottleCount)
            .values(throttle=rule.name, key=key, window_start=start, hits=1)
            .on_conflict_do_update(index_elements=["throttle", "key", "window_start"],
                                   set_={"hits": ThrottleCount.hits + 1}))
        self.session.execute(delete(ThrottleCount).where(
            ThrottleCount.throttle == rule.name,
            ThrottleCount.window_start < start - dt.timedelta(seconds=rule.window)))

    def counts(self, rule: Rule, key: str, start: dt.datetime) -> tuple[int, int]:
        previous = start - dt.timedelta(seconds=rule.window)
        rows = dict(self.session.execute(
            select(ThrottleCount.window_start, func.sum(ThrottleCount.hits))
            .where(ThrottleCount.throttle == rule.name, ThrottleCount.key == key,
                   ThrottleCount.window_start >= previous)
            .group_by(ThrottleCount.window_start)).all())
        return (int(rows.get(previous, 0)), int(rows.get(start, 0)))


class RedisStore:
    """Counts in Redis: one counter per window, expiring when it can no longer count."""

    def __init__(self, client: Any, prefix: str = "kamscore:throttle") -> None:
        self.client = client
        self.prefix = prefix

    def _name(self, rule: Rule, key: str, start: dt.datetime) -> str:
        return f"{self.prefix}:{rule.name}:{key}:{int(start.timestamp())}"

    def add(self, rule: Rule, key: str, start: dt.datetime) -> None:
        name = self._name(rule, key, start)
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, 2 * rule.window + 5)
        pipe.execute()

    def counts(self, rule: Rule, key: str, start: dt.datetime) -> tuple[int, int]:
        previous = start - dt.timedelta(seconds=rule.window)
        old, new = self.client.mget(self._name(rule, key, previous),
                                    self._name(rule, key, start))
        return (int(old or 0), int(new or 0))


class Throttle:
    """Failures counted per rule and key in a shared store."""

    def __init__(self, store: Store, secret: str) -> None:
        self.store = store
        self.secret = secret.encode()

    def key(self, value: str | None) -> str:
        return hmac.new(self.secret, (value or "unknown").encode(), hashlib.sha256).hexdigest()

    def retry_after(self, rule: Rule, value: str | None, now: dt.datetime) -> int | None:
        """``rule.window`` (the ``Retry-After`` to send) when ``value`` is over the limit of
        ``rule`` now; None when it may try. (A client that keeps failing may wait up to two
        windows: the count spans the current window and the one before.)"""
        previous, current = self.store.counts(rule, self.key(value), rule.window_start(now))
        return rule.window if previous + current >= rule.limit else None

    def fail(self, rule: Rule, value: str | None, now: dt.datetime, what: str = "") -> int:
        """Count one failure of ``value``; returns its failures in the span. Logged at
        WARNING with the key's first characters (never the value itself)."""
        key = self.key(value)
        start = rule.window_start(now)
        self.store.add(rule, key, start)
        previous, current = self.store.counts(rule, key, start)
        log.warning("%s: failure %d of %d for key %s%s", rule.name, previous + current,
                    rule.limit, key[:12], f" ({what})" if what else "")
        return previous + current


def redis_client(url: str) -> Any:
    """A Redis client for ``THROTTLE_REDIS_URL`` (the optional ``redis`` package)."""
    import redis

    return redis.Redis.from_url(url)
