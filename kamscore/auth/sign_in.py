"""Checking a staff user's username and password (the web pages' sign-in).

Services layer: takes a Session, knows no Flask request. The answer for an unknown username
takes as long as for a wrong password (a dummy hash is checked), so the time a failed
sign-in takes does not tell which usernames exist.
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


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user with this username and password, or None (whichever of the two was wrong)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None
