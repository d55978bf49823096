"""Link tokens of survey invitations: random, single-use, stored only as a hash.

A token is ``secrets.token_urlsafe(32)``: 32 random bytes (256 bits) from the operating
system's CSPRNG, 43 URL-safe characters. The database keeps its SHA-256 only; a plain hash
(no salt, no key stretching) is enough because the token has 256 bits of entropy, so neither
guessing nor a precomputed table can find a token from its hash, and a lookup stays one
indexed equality. Each e-mail (the invitation and every reminder) carries a fresh token;
any of an invitation's tokens opens it until it is used or its campaign closes.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.models import Invitation, InvitationToken

TOKEN_BYTES = 32
#: Length of ``secrets.token_urlsafe(TOKEN_BYTES)`` (base64 without padding).
TOKEN_LENGTH = 43


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database work (a link cut short, a stray path)."""
    return len(text) == TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in text)


def issue_token(session: Session, invitation: Invitation) -> str:
    """Create a token for ``invitation``; only its hash is added to the session."""
    token = new_token()
    session.add(InvitationToken(invitation=invitation, token_hash=hash_token(token)))
    return token


def invitation_for_token(session: Session, token: str) -> Invitation | None:
    """The invitation a token belongs to, or None for an unknown token."""
    if not looks_like_token(token):
        return None
    return session.scalars(
        select(Invitation)
        .join(InvitationToken, InvitationToken.invitation_id == Invitation.id)
        .where(InvitationToken.token_hash == hash_token(token))
    ).one_or_none()
