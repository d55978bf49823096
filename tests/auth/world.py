"""A small world in which every role has something it may see and something it may not.

The tiny population (``tiny_population``: KAMs K1..K4, one account each A1..A4, facts, the
tiny plan published and run on 2026-Q1), plus:

- teams T1 (K1, K2) and T2 (K3, K4), and a regional manager M1 (a person, not in a team);
- per account one stakeholder and one account plan;
- a person fact per KAM (``calls``) and a team fact per team (``team_goal``);
- imported customer-survey figures: A1's group of 5 respondents (reportable) and A2's group
  of 2 (under the minimum of 3: never to leave the service);
- one user per role: ``admin``, ``ana`` (analyst), ``bob`` (approver), ``sam``
  (survey_admin), ``mia`` (manager of T1), ``kim`` (kam, person K1), ``aud`` (auditor),
  ``vic`` (viewer); every password is ``PASSWORD``.

``EXPECTED_ROWS`` says, for each role, which accounts, KAMs and teams its scope reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from tiny_population import build_tiny, publish

from kamscore.auth.tokens import issue_token
from kamscore.models import (
    AccountPlan,
    Fact,
    Person,
    Role,
    Stakeholder,
    StakeholderRole,
    Team,
    TeamMember,
    User,
)
from kamscore.scoring.runs import run_score

PASSWORD = "a password of twelve+"
ROLE_USERS = {"admin": "admin", "analyst": "ana", "approver": "bob", "survey_admin": "sam",
              "manager": "mia", "kam": "kim", "auditor": "aud", "viewer": "vic"}

ALL_ACCOUNTS = {"A1", "A2", "A3", "A4"}
#: role → the accounts (and their KAMs) its scope reaches for accounts, facts and pay
#: (None: the role has no access at all).
EXPECTED_ACCOUNTS: dict[str, set[str] | None] = {
    "admin": ALL_ACCOUNTS, "analyst": ALL_ACCOUNTS, "approver": ALL_ACCOUNTS,
    "auditor": ALL_ACCOUNTS, "survey_admin": ALL_ACCOUNTS, "manager": {"A1", "A2"},
    "kam": {"A1"}, "viewer": None,
}
KAM_OF = {"A1": "K1", "A2": "K2", "A3": "K3", "A4": "K4"}
TEAM_OF = {"K1": "T1", "K2": "T1", "K3": "T2", "K4": "T2"}


@dataclass
class World:
    run_id: int
    tokens: dict[str, dict[str, str]]  # role → Authorization header
    users: dict[str, int]  # role → user id


def _fact(period_id: int, name: str, *, value: float, unit: str = "count",
          account: tuple[int, str] | None = None, person: tuple[int, str] | None = None,
          team: tuple[int, str] | None = None) -> Fact:
    return Fact(period_id=period_id, name=name, value=value, unit=unit, source="test",
                subject_key=Fact.make_subject_key(account=account and account[1],
                                                  person=person and person[1],
                                                  team=team and team[1]),
                account_id=account and account[0], person_id=person and person[0],
                team_id=team and team[0])


def build_world(session, pm) -> World:
    tiny = build_tiny(session)
    manager = Person(code="M1", name="Manager One", role=Role.MANAGER)
    session.add(manager)
    teams = {}
    for code, members in (("T1", ("K1", "K2")), ("T2", ("K3", "K4"))):
        team = Team(code=code, name=f"Team {code}", lead_id=tiny.people[members[0]])
        session.add(team)
        session.flush()
        teams[code] = team
        for member in members:
            session.add(TeamMember(team_id=team.id, person_id=tiny.people[member],
                                   function=Role.KAM))
    for account, account_id in tiny.accounts.items():
        kam = KAM_OF[account]
        session.add(Stakeholder(account_id=account_id, name=f"Dr {account}",
                                email=f"dr.{account.lower()}@example.org",
                                role=StakeholderRole.PHYSICIAN))
        session.add(AccountPlan(account_id=account_id, period_id=tiny.period_id,
                                owner_id=tiny.people[kam]))
        session.add(_fact(tiny.period_id, "calls", value=10,
                          person=(tiny.people[kam], kam)))
    for code, team in teams.items():
        session.add(_fact(tiny.period_id, "team_goal", value=1, unit="ratio",
                          team=(team.id, code)))
    for account, n in (("A1", 5), ("A2", 2)):
        subject = (tiny.accounts[account], account)
        session.add(_fact(tiny.period_id, "survey.overall_satisfaction.all.n", value=n,
                          account=subject))
        session.add(_fact(tiny.period_id, "survey.overall_satisfaction.all.mean", value=4.2,
                          unit="points", account=subject))
        session.add(_fact(tiny.period_id, "survey.overall_satisfaction.all.count.5", value=n,
                          account=subject))
    session.commit()
    publish(session, pm)
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")

    users, tokens = {}, {}
    for role, username in ROLE_USERS.items():
        user = User(username=username, name=username.title(), roles=role,
                    person_id=tiny.people["K1"] if role == "kam" else
                    manager.id if role == "manager" else None,
                    teams=[teams["T1"]] if role == "manager" else [])
        user.set_password(PASSWORD)
        existing = session.scalar(select(User).where(User.username == username))
        if existing is not None:  # the tiny population's own ana, bob, kim
            existing.roles, existing.person_id = user.roles, user.person_id
            existing.teams = user.teams
            existing.set_password(PASSWORD)
            user = existing
        else:
            session.add(user)
        session.flush()
        users[role] = user.id
        _, token = issue_token(session, username, "tests")
        tokens[role] = {"Authorization": f"Bearer {token}"}
    session.commit()
    return World(run.id, tokens, users)


def sign_in_page(client, username: str, password: str, **kwargs):
    """Sign in through the real sign-in form; returns the response."""
    return client.post("/sign-in", data={"username": username, "password": password}, **kwargs)
