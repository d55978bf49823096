"""API tokens: how a script (a nightly ERP export, a payroll job) acts as a user on the API.

A token is ``ks_`` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is
stored; the token is shown once, when it is issued. Tokens can expire and be revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record as audit
from kamscore.models import ApiToken, User
from kamscore.models.types import utcnow

TOKEN_PREFIX = "ks_"
SHOWN_PREFIX = 10  # characters kept in clear to tell tokens apart ("ks_AbCdEfG")
USE_RESOLUTION = dt.timedelta(minutes=10)  # how precisely "last used" is kept


class TokenError(ValueError):
    """A token cannot be issued or revoked as asked."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, username: str, name: str, *, expires_at: dt.datetime | None = None,
    actor: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the user ``username``; returns the record and the token (shown once).
    Recorded in the audit log under ``actor`` (the CLI's operator when None)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TokenError(f"no user named '{username}'")
    if not name.strip():
        raise TokenError("give the token a name that says what it is for")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user=user,
        name=name.strip()[:80],
        prefix=token[:SHOWN_PREFIX],
        token_hash=hash_token(token),
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    audit(session, actor, "token.create", "token", record.id, user=user.username,
          name=record.name, prefix=record.prefix)
    return record, token


def find_active_token(session: Session, token: str) -> ApiToken | None:
    """The record of a presented token if it is valid now (known, not expired, not revoked)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if record is None or not record.is_active(utcnow()) or not record.user.is_active:
        return None  # a disabled user's tokens stop working at once
    return record


def record_use(record: ApiToken) -> bool:
    """Note that the token was used now; at most once per ``USE_RESOLUTION`` (fewer writes).

    Returns whether the record changed (and so needs a commit).
    """
    now = utcnow()
    if record.last_used_at is not None and now - record.last_used_at < USE_RESOLUTION:
        return False
    record.last_used_at = now
    return True


def list_tokens(session: Session, username: str | None = None) -> list[ApiToken]:
    stmt = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
    if username is not None:
        stmt = stmt.where(User.username == username)
    return list(session.scalars(stmt))


def revoke_token(session: Session, token_id: int, actor: str | None = None) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None:
        raise TokenError(f"no token with id {token_id}")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit(session, actor, "token.revoke", "token", record.id, user=record.user.username)
    return record
