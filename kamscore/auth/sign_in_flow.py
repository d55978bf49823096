"""Signing in and out as a request does it: throttled, checked, audited, committed.

Before the password is even checked, the username and the client address must be under their
throttles (``sign_in_user``: ``SIGN_IN_USER_LIMIT`` failures per username, ``sign_in_client``:
``SIGN_IN_CLIENT_LIMIT`` per address, within two windows of ``SIGN_IN_WINDOW`` seconds);
over either, the answer is 429 with ``Retry-After`` and the attempt is logged. A failure
counts for both and is in the audit log with the username tried (never the password); a
success is in the audit log too. Signing out ends every session of the user.
"""

from __future__ import annotations

from flask import request

from kamscore.audit.log import record
from kamscore.auth.sign_in import authenticate
from kamscore.auth.web_throttle import TooManyAttempts, check, failed
from kamscore.db.session import get_session
from kamscore.models import User

MAX_USERNAME = 80


def sign_in(username: str, password: str) -> User | None:
    """The user, if the username and password are right and no throttle refuses; the caller
    then starts the session. Raises :class:`TooManyAttempts` (429) when throttled."""
    session = get_session()
    username = username.strip()[:MAX_USERNAME]
    try:
        check("sign_in_user", username.lower())
        check("sign_in_client", request.remote_addr)
    except TooManyAttempts:
        record(session, None, "sign_in.throttled", "user", username)
        session.commit()
        raise
    user = authenticate(session, username, password)
    if user is None:
        record(session, None, "sign_in.failed", "user", username)
        failed("sign_in_user", username.lower(), "failed sign-in")
        failed("sign_in_client", request.remote_addr, "failed sign-in")  # commits both
        return None
    record(session, user, "sign_in", "user", user.username)
    session.commit()  # the event, and a password hashed again under a newer scheme
    return user


def sign_out(user: User) -> None:
    """End every session of ``user`` (a copied cookie is refused afterwards)."""
    session = get_session()
    user.end_sessions()
    record(session, user, "sign_out", "user", user.username)
    session.commit()
