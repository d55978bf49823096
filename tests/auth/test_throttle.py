"""One throttle for sign-in, survey links and API credentials, shared by every worker: in the
database, or in Redis. Over the limit: 429 with ``Retry-After``, and the refusal is logged."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from sqlalchemy import select
from world import PASSWORD, sign_in_page

from kamscore.auth.throttle import DatabaseStore, RedisStore, Rule, Throttle
from kamscore.models import AuditEvent


def test_failed_sign_ins_per_username_are_throttled(app, client, session, world):
    app.config["SIGN_IN_USER_LIMIT"] = 3
    for _ in range(3):
        assert sign_in_page(client, "ana", "wrong password!").status_code == 400
    refused = sign_in_page(client, "ana", PASSWORD)  # even the right password now
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(app.config["SIGN_IN_WINDOW"])
    assert "Too many" in refused.get_data(as_text=True)
    # another user from the same client is not affected (the client limit is higher)
    assert sign_in_page(client, "bob", PASSWORD).status_code == 302
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("sign_in.failed") == 3 and "sign_in.throttled" in actions
    assert actions[-1] == "sign_in"


def test_failed_sign_ins_per_client_are_throttled(app, client, world):
    app.config["SIGN_IN_CLIENT_LIMIT"] = 4
    for name in ("u1", "u2", "u3", "u4"):
        assert sign_in_page(client, name, "nope nope nope").status_code == 400
    assert sign_in_page(client, "ana", PASSWORD).status_code == 429
    other = client.application.test_client()
    response = other.post("/sign-in", data={"username": "ana", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert response.status_code == 302


def test_guessed_api_tokens_are_throttled_per_client(app, client, world):
    app.config["API_CREDENTIAL_LIMIT"] = 3
    for _ in range(3):
        bad = client.get("/api/v1/people", headers={"Authorization": "Bearer ks_guess"})
        assert bad.status_code == 401
    refused = client.get("/api/v1/people", headers=world.tokens["analyst"])
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "600"
    assert set(refused.json) == {"code", "status", "message", "errors"}


def _redis_or_skip():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    return redis.Redis(host="127.0.0.1", port=6379)


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_stores_count_the_same(session, world, store):
    if store == "redis":
        client = _redis_or_skip()
        backend = RedisStore(client, prefix=f"kamscore-test:{uuid.uuid4().hex}")
    else:
        backend = DatabaseStore(session)
    throttle = Throttle(backend, "secret")
    rule = Rule("sign_in_user", limit=3, window=60)
    start = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    assert throttle.retry_after(rule, "ana", start) is None
    for second in (1, 2):
        throttle.fail(rule, "ana", start + dt.timedelta(seconds=second))
    assert throttle.retry_after(rule, "ana", start + dt.timedelta(seconds=3)) is None
    # the third failure, in the next window: the previous window still counts
    throttle.fail(rule, "ana", start + dt.timedelta(seconds=61))
    assert throttle.retry_after(rule, "ana", start + dt.timedelta(seconds=62)) == 60
    assert throttle.retry_after(rule, "bob", start + dt.timedelta(seconds=62)) is None
    # two windows later the first two failures no longer count
    assert throttle.retry_after(rule, "ana", start + dt.timedelta(seconds=121)) is None


def test_the_app_counts_in_redis_when_configured(app, client, world):
    redis_client = _redis_or_skip()
    app.config["THROTTLE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    app.config["SIGN_IN_USER_LIMIT"] = 2
    # the per-client count of 127.0.0.1 is shared by every test run using this Redis within
    # the window (both databases, other checkouts): only the per-user limit is under test
    app.config["SIGN_IN_CLIENT_LIMIT"] = 1_000_000
    name = f"nobody-{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        assert sign_in_page(client, name, "wrong wrong wrong").status_code == 400
    assert sign_in_page(client, name, "wrong wrong wrong").status_code == 429
    keys = redis_client.keys("kamscore:throttle:sign_in_user:*")
    assert keys, "the counts are in Redis"
    redis_client.delete(*keys)
