"""Users who sign in: compensation analysts, approvers, survey administrators, KAMs."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kamscore.models.base import Base
from kamscore.models.org import Person
from kamscore.models.types import UTCDateTime

#: Permissions a user may hold (stored space-separated in ``User.roles``).
USER_ROLES = ("admin", "analyst", "approver", "survey_admin", "viewer")


class User(UserMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(200), default="viewer")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    person: Mapped[Person | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        roles = self.roles.split()
        return role in roles or "admin" in roles


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
