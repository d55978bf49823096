"""Sessions end when they should: sign-out, a new password, new roles, disabling (a copied
cookie is refused afterwards), idle time; a disabled user's API tokens stop at once; a
password stored under an old scheme is hashed again at sign-in."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from world import PASSWORD, sign_in_page

from kamscore.auth.sign_in import current_scheme
from kamscore.auth.users import disable_user, reset_password, set_roles
from kamscore.models import User


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _signed_in_twice(app, client):
    """The user ``ana`` signed in; returns a second client holding a copy of the cookie."""
    assert sign_in_page(client, "ana", PASSWORD).status_code == 302
    assert client.get("/accounts").status_code == 200
    copy = app.test_client()
    copy.set_cookie("session", _cookie(client))
    assert copy.get("/accounts").status_code == 200
    return copy


def test_sign_out_ends_every_session_even_a_copied_cookie(app, client, world):
    copy = _signed_in_twice(app, client)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/accounts").status_code == 302  # to the sign-in page
    assert copy.get("/accounts").status_code == 302


@pytest.mark.parametrize("change", ["password", "roles", "disable"])
def test_changes_to_a_user_end_his_sessions(app, client, session, world, change):
    copy = _signed_in_twice(app, client)
    if change == "password":
        reset_password(session, "admin", "ana", "another long password")
    elif change == "roles":
        set_roles(session, "admin", "ana", roles=["analyst", "auditor"])
    else:
        disable_user(session, "admin", "ana")
    session.commit()
    assert client.get("/accounts").status_code == 302
    assert copy.get("/accounts").status_code == 302


def test_a_disabled_user_cannot_sign_in_and_his_tokens_stop(client, session, world):
    assert client.get("/api/v1/people", headers=world.tokens["analyst"]).status_code == 200
    disable_user(session, "admin", "ana")
    session.commit()
    assert client.get("/api/v1/people", headers=world.tokens["analyst"]).status_code == 401
    response = sign_in_page(client, "ana", PASSWORD)
    assert response.status_code == 400 and "wrong password" in response.get_data(as_text=True)


def test_an_idle_session_ends(app, client, world):
    app.config["SESSION_IDLE_MINUTES"] = 1
    assert sign_in_page(client, "ana", PASSWORD).status_code == 302
    assert client.get("/accounts").status_code == 200
    with client.session_transaction() as flask_session:
        flask_session["kamscore_seen"] = time.time() - 61
    assert client.get("/accounts").status_code == 302


def test_an_old_password_hash_is_replaced_at_sign_in(client, session, world):
    user = session.scalar(select(User).where(User.username == "ana"))
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.commit()
    assert sign_in_page(client, "ana", PASSWORD).status_code == 302
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "ana"))
    assert user.password_hash.startswith(current_scheme() + "$")
    assert user.check_password(PASSWORD)
