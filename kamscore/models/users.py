"""Users who sign in: compensation analysts, approvers, survey administrators, KAMs."""

from __future__ import annotations

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Base
from .org import Person

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
