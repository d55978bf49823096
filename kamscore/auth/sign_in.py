"""Checking a staff user's username and password (the web pages' sign-in).

Services layer: takes a Session, knows no Flask request. The answer for an unknown username,
a disabled user and a wrong password is the same and takes as long (a dummy hash is checked),
so a failed sign-in does not tell which usernames exist. A password stored under an older
hashing scheme is hashed again with the current one when its owner signs in.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kamscore.models import User


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


@cache
def current_scheme() -> str:
    """The scheme and parameters of a new hash (``scrypt:32768:8:1`` with werkzeug 3)."""
    return _dummy_hash().split("$", 1)[0]


def needs_rehash(password_hash: str) -> bool:
    return password_hash.split("$", 1)[0] != current_scheme()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (whatever was wrong).

    Rehashes the stored password when its scheme is not the current one (the caller commits).
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    if needs_rehash(user.password_hash):
        user.set_password(password)
    return user
