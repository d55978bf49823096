"""A caller's scope: which rows a permission lets through, as query filters.

``Scope.everything`` for a reach of ``ALL``; otherwise the ids of the people in reach (the
user's own person for ``OWN``, the members of his teams for ``TEAM``), the teams in reach
(the teams he manages and the teams he is a member of), and from those, the accounts (every
account assigned to a person in reach, at any time). Services add ``scope.people(...)``,
``scope.accounts(...)``, ``scope.teams(...)`` or ``scope.facts()`` to their ``select()``:
rows outside the scope are never fetched, so a count, a page and an export agree, and
nothing depends on a filter after the fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from kamscore.auth.roles import ALL, OWN, TEAM, reaches
from kamscore.models import Assignment, Fact, TeamMember, User
from kamscore.models.users import user_team


class AccessDenied(Exception):
    """The user holds no role with a grant for the permission."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__(f"your roles do not allow {permission}")


@dataclass(frozen=True)
class Scope:
    permission: str
    everything: bool
    person_ids: frozenset[int] = frozenset()
    team_ids: frozenset[int] = frozenset()

    @classmethod
    def unlimited(cls, permission: str = "*") -> Scope:
        """Everything: for the CLI, the scheduler and services acting for the system."""
        return cls(permission, True)

    # --- filters for select() -------------------------------------------------------------
    def people(self, column: Any) -> ColumnElement[bool]:
        """Rows whose person id ``column`` is in reach."""
        if self.everything:
            return true()
        return column.in_(self.person_ids) if self.person_ids else false()

    def teams(self, column: Any) -> ColumnElement[bool]:
        if self.everything:
            return true()
        return column.in_(self.team_ids) if self.team_ids else false()

    def accounts(self, column: Any) -> ColumnElement[bool]:
        """Rows whose account id ``column`` was ever assigned to a person in reach."""
        if self.everything:
            return true()
        if not self.person_ids:
            return false()
        return column.in_(select(Assignment.account_id)
                          .where(Assignment.person_id.in_(self.person_ids)))

    def facts(self) -> ColumnElement[bool]:
        """Facts about a person, an account or a team in reach."""
        if self.everything:
            return true()
        return or_(self.people(Fact.person_id), self.accounts(Fact.account_id),
                   self.teams(Fact.team_id))

    def includes_person(self, person_id: int | None) -> bool:
        return self.everything or (person_id is not None and person_id in self.person_ids)


def scope_for(session: Session, user: User, permission: str,
              settings: Mapping[str, Any]) -> Scope:
    """The scope ``user`` has for ``permission``; :class:`AccessDenied` if he has none.

    A disabled user has none (his sessions and tokens are refused before this; this is the
    last line)."""
    found = reaches(user.role_names, permission, settings) if user.is_active else frozenset()
    if not found:
        raise AccessDenied(permission)
    if ALL in found:
        return Scope(permission, True)
    people: set[int] = set()
    teams: set[int] = set()
    if OWN in found and user.person_id is not None:
        people.add(user.person_id)
        teams.update(session.scalars(select(TeamMember.team_id)
                                     .where(TeamMember.person_id == user.person_id)))
    if TEAM in found:
        managed = set(session.scalars(select(user_team.c.team_id)
                                      .where(user_team.c.user_id == user.id)))
        teams.update(managed)
        if managed:
            people.update(session.scalars(select(TeamMember.person_id)
                                          .where(TeamMember.team_id.in_(managed))))
    return Scope(permission, False, frozenset(people), frozenset(teams))
