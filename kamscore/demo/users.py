"""The demo's sign-in users, one per kind of work, all with the same demo-only password."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from kamscore.demo.org import Org
from kamscore.models import Team, User

#: DEMO ONLY. Printed by ``kamscore demo``; a real installation creates its own users.
DEMO_PASSWORD = "kamscore-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    roles: str
    person: str | None = None  # person code the user is, for a KAM's own pages
    teams: tuple[str, ...] = ()  # team codes a manager is responsible for


def demo_users(org: Org) -> list[DemoUser]:
    """One user per kind of work: the comp team (analyst, approver), an administrator, a
    survey administrator, an auditor, a regional manager with his teams, and a KAM."""
    first = org.teams[0]
    managed = tuple(team.code for team in org.teams if team.manager == first.manager)
    return [
        DemoUser("analyst", "Compensation Analyst (demo)", "analyst"),
        DemoUser("approver", "Compensation Approver (demo)", "approver"),
        DemoUser("admin", "Administrator (demo)", "admin"),
        DemoUser("surveys", "Survey Administrator (demo)", "survey_admin"),
        DemoUser("auditor", "Auditor (demo)", "auditor"),
        DemoUser("manager", "Regional Manager (demo)", "manager", person=first.manager,
                 teams=managed),
        DemoUser("kam", "Key Account Manager (demo)", "kam", person=first.lead),
    ]


def build_users(session: Session, org: Org) -> list[DemoUser]:
    """Create the demo users. They share one password, so it is hashed once."""
    users = demo_users(org)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    teams = {team.code: team for team in session.scalars(select(Team))}
    for spec in users:
        session.add(User(username=spec.username, name=spec.name, roles=spec.roles,
                         password_hash=password_hash,
                         person_id=org.person_ids[spec.person] if spec.person else None,
                         teams=[teams[code] for code in spec.teams]))
    session.flush()
    return users
