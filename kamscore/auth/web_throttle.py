"""The throttles as a request sees them: the app's store, the client's address, the 429.

``check_client(name)`` refuses a client over the limit of throttle ``name`` with
:class:`TooManyAttempts` (answered 429 with ``Retry-After``: a plain page, or the API's
JSON error shape); ``client_failed(name, what)`` counts one failure of the client and
commits it at once (the request itself is about to be refused and rolled back).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

from kamscore.auth.throttle import DatabaseStore, RedisStore, Rule, Throttle, redis_client
from kamscore.auth.throttle import rules_from_config as rules_from_config
from kamscore.db.session import get_session
from kamscore.models.types import utcnow

_REDIS_KEY = "kamscore.throttle_redis"


class TooManyAttempts(TooManyRequests):
    """429 with ``Retry-After``; the API answers it in its error shape, pages as plain text."""

    def __init__(self, retry_after: int, description: str | None = None) -> None:
        super().__init__(description or "Too many failed attempts; try again later.",
                         retry_after=retry_after)


def app_throttle(app: Flask | None = None) -> Throttle:
    """The throttle of this app: Redis when ``THROTTLE_REDIS_URL`` is set (one client per
    app), else the database through the request's session."""
    app = app or current_app
    url = app.config.get("THROTTLE_REDIS_URL")
    if url:
        store = app.extensions.get(_REDIS_KEY)
        if store is None:
            store = app.extensions.setdefault(_REDIS_KEY, RedisStore(redis_client(url)))
    else:
        store = DatabaseStore(get_session())
    return Throttle(store, app.config["SECRET_KEY"])


def rule(name: str) -> Rule:
    return rules_from_config(current_app.config)[name]


def check(name: str, value: str | None) -> None:
    """Refuse (429) when ``value`` is over the limit of throttle ``name``."""
    retry = app_throttle().retry_after(rule(name), value, utcnow())
    if retry is not None:
        get_session().rollback()
        raise TooManyAttempts(retry)


def failed(name: str, value: str | None, what: str = "") -> int:
    """Count one failure of ``value`` and commit it; returns its failures in the span."""
    count = app_throttle().fail(rule(name), value, utcnow(), what)
    get_session().commit()
    return count


def check_client(name: str) -> None:
    check(name, request.remote_addr)


def client_failed(name: str, what: str = "") -> int:
    return failed(name, request.remote_addr, what)

