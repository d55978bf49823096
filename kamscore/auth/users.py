"""Managing users: create, list, change roles, disable, reset a password.

Services layer (a Session in, plain results out) behind ``kamscore user ...`` and the admin
page. Every change is in the audit log, and every change that alters what a user may do —
new roles, person or teams, disabling, a new password — ends all his sessions at once
(``User.end_sessions``), so a copied old session cookie is refused afterwards; a disabled
user's API tokens are refused too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kamscore.audit.log import record
from kamscore.auth.roles import ROLES, unknown_roles
from kamscore.models import Person, Team, User
from kamscore.models.types import utcnow
from kamscore.texts import _

DEFAULT_MIN_PASSWORD_LENGTH = 12
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


class UserError(ValueError):
    """A user change that cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class UserChange:
    roles: tuple[str, ...]
    person: str | None
    teams: tuple[str, ...]


def check_password_rules(password: str, settings: Mapping[str, Any] | None = None) -> None:
    minimum = int((settings or {}).get("PASSWORD_MIN_LENGTH", DEFAULT_MIN_PASSWORD_LENGTH))
    if len(password) < minimum:
        raise UserError("password", _("must be at least %(minimum)s characters long",
                                       minimum=minimum))
    if "\x00" in password:
        raise UserError("password", _("must not contain NUL characters"))


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not name or len(name) > 80 or not set(name) <= _USERNAME_CHARS:
        raise UserError("username", _("use 1 to 80 lower-case letters, digits and . _ - @"))
    return name


def _resolve(session: Session, roles: Iterable[str], person: str | None,
             teams: Iterable[str]) -> tuple[str, Person | None, list[Team]]:
    roles = list(dict.fromkeys(r.strip() for r in roles if r.strip()))
    if not roles:
        raise UserError("role", _("give at least one role: %(roles)s", roles=", ".join(ROLES)))
    if bad := unknown_roles(roles):
        raise UserError("role", _("unknown role %(role)r; roles are %(roles)s", role=bad[0],
                                   roles=", ".join(ROLES)))
    found_person = None
    if person:
        found_person = session.scalar(select(Person).where(Person.code == person))
        if found_person is None:
            raise UserError("person", _("there is nobody with the code %(code)r", code=person))
    team_codes = list(dict.fromkeys(teams))
    found_teams = list(session.scalars(select(Team).where(Team.code.in_(team_codes))))
    if missing := sorted(set(team_codes) - {t.code for t in found_teams}):
        raise UserError("team", _("there is no team with the code %(code)r", code=missing[0]))
    if "kam" in roles and found_person is None:
        raise UserError("person", _("a user with the role 'kam' must be linked to his person"))
    if "manager" in roles and not found_teams:
        raise UserError("team", _("a user with the role 'manager' must be linked to a team"))
    return " ".join(roles), found_person, found_teams


def create_user(session: Session, actor: User | str | None, *, username: str, name: str,
                password: str, roles: Iterable[str], person: str | None = None,
                teams: Iterable[str] = (), settings: Mapping[str, Any] | None = None) -> User:
    username = _check_username(username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError("username", _("there is already a user named %(name)r", name=username))
    check_password_rules(password, settings)
    role_text, found_person, found_teams = _resolve(session, roles, person, teams)
    user = User(username=username, name=(name.strip() or username)[:200], roles=role_text,
                person=found_person, teams=found_teams)
    user.set_password(password)
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", username, roles=role_text.split(),
           person=person, teams=[t.code for t in found_teams])
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower())
                          .options(selectinload(User.teams), selectinload(User.person)))
    if user is None:
        raise UserError("username", _("there is no user named %(name)r", name=username))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)
                                .options(selectinload(User.teams), selectinload(User.person))))


def set_roles(session: Session, actor: User | str | None, username: str, *,
              roles: Iterable[str], person: str | None = None,
              teams: Iterable[str] = ()) -> User:
    user = get_user(session, username)
    role_text, found_person, found_teams = _resolve(session, roles, person, teams)
    user.roles, user.person, user.teams = role_text, found_person, found_teams
    user.end_sessions()
    record(session, actor, "user.roles", "user", user.username, roles=role_text.split(),
           person=person, teams=[t.code for t in found_teams])
    return user


def disable_user(session: Session, actor: User | str | None, username: str) -> User:
    user = get_user(session, username)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        user.end_sessions()
        record(session, actor, "user.disable", "user", user.username)
    return user


def enable_user(session: Session, actor: User | str | None, username: str) -> User:
    user = get_user(session, username)
    if user.disabled_at is not None:
        user.disabled_at = None
        record(session, actor, "user.enable", "user", user.username)
    return user


def reset_password(session: Session, actor: User | str | None, username: str, password: str,
                   settings: Mapping[str, Any] | None = None) -> User:
    user = get_user(session, username)
    check_password_rules(password, settings)
    user.set_password(password)
    user.end_sessions()
    record(session, actor, "user.password", "user", user.username)
    return user
