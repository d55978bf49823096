"""The demo's sign-in users, one per kind of work, all with the same demo-only password."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from kamscore.demo.org import Org
from kamscore.models import Person, Team, User

#: DEMO ONLY. Printed by ``kamscore demo``; a real installation creates its own users.
DEMO_PASSWORD = "kamscore-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    roles: str
    person: str | None = None  # person code the user is, for a KAM's own pages
    teams: tuple[str, ...] = ()  # team codes a manager is responsible for
    about: str = ""  # who the user is in the demo organisation, e.g. "Ann Lee (E00002), ..."


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
    names = dict(session.execute(select(Person.code, Person.name).where(
        Person.code.in_([u.person for u in users if u.person]))).all())
    return [replace(u, about=_about(u, names, teams, org)) for u in users]


def _about(user: DemoUser, names: dict[str, str], teams: dict[str, Team], org: Org) -> str:
    if user.person is None:
        return ""
    who = f"{names[user.person]} ({user.person})"
    if user.teams:
        return f"{who}, manager of {', '.join(teams[code].name for code in user.teams)}"
    led = [team.name for team in org.teams if team.lead == user.person]
    return f"{who}, lead KAM of {', '.join(led)}" if led else who
