"""Users who sign in: compensation analysts, approvers, survey administrators, managers, KAMs,
auditors; their links to a person (a KAM) and to teams (a manager); their API tokens.

What each role may do and see is decided in ``kamscore.auth.roles``; this module only stores
who holds which role.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kamscore.models.base import Base
from kamscore.models.org import Person, Team
from kamscore.models.types import UTCDateTime

#: Roles a user may hold (stored space-separated in ``User.roles``); what each may do and see
#: is ``kamscore.auth.roles.GRANTS``.
USER_ROLES = ("admin", "analyst", "approver", "survey_admin", "manager", "kam", "auditor",
              "viewer")

#: The teams a manager user is responsible for (his scope: their members).
user_team = Table(
    "user_team",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, Base):
    """A person who signs in. ``session_token`` is part of every session cookie of the user:
    replacing it (sign-out, a new password, new roles, disabling) ends all of them at once.
    Users are never deleted, only disabled (the audit log names them)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(200), default="viewer")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: the pages' language (BCP 47: "en", "zh-Hant"); None follows the browser
    language: Mapped[str | None] = mapped_column(String(16))
    #: IANA time zone of dates and times on the pages ("Asia/Taipei"); None: UTC
    timezone: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person | None] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=user_team, order_by="Team.code")

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(self.roles.split())

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled user cannot sign in
        return self.disabled_at is None

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        """Store a hash of ``password`` (werkzeug's current default scheme, scrypt). The rules a
        new password must meet are checked by ``kamscore.auth.users``, not here."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        """Whether the user holds ``role``; an admin holds every role."""
        roles = self.role_names
        return role in roles or "admin" in roles

    def end_sessions(self) -> None:
        """Invalidate every session of this user (their cookies name the old token)."""
        self.session_token = new_session_token()


class ApiToken(Base):
    """A bearer token with which a script acts as a user on the JSON API.

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is
    issued. A token of 32 random bytes cannot be guessed, so a fast hash is enough (a slow
    password hash protects low-entropy secrets). ``prefix`` (the first characters of the token)
    lets a user tell their tokens apart without revealing them.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))  # what the token is for ("nightly ERP import")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_active(self, now: dt.datetime) -> bool:
        """Usable at ``now``: neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at
