"""The tiny population (``tiny_population``) with what target rounds need: team T1 (K1 and K2)
managed by the user ``mia``, the KAM user ``kim`` linked to K1, and helpers to make a round
of ``sales_target`` for 2026-Q1 with a top-down target of 1,000,000 per KAM."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kamscore.auth.scope import Scope, scope_for
from kamscore.models import Person, Role, Team, TeamMember, User
from kamscore.scoring import target_rounds

NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 1, 20, 17, 0, tzinfo=dt.UTC)
TOP_DOWN_CSV = "kam,fact,target\nK1,sales_target,1000000\nK2,sales_target,1000000\n" \
               "K3,sales_target,1000000\nK4,sales_target,500000\n"


def add_team_and_users(session) -> None:
    people = dict(session.execute(select(Person.code, Person.id)).all())
    team = Team(code="T1", name="North hospitals", lead_id=people["K1"])
    session.add(team)
    session.flush()
    for code in ("K1", "K2"):
        session.add(TeamMember(team_id=team.id, person_id=people[code], function=Role.KAM))
    mia = User(username="mia", name="Mia", roles="manager")
    mia.set_password("secret-mia")
    mia.teams = [team]
    session.add(mia)
    kim = session.scalar(select(User).where(User.username == "kim"))
    kim.person_id = people["K1"]
    session.commit()


def scope(session, username: str, permission: str) -> Scope:
    user = session.scalar(select(User).where(User.username == username))
    return scope_for(session, user, permission, {})


def make_round(session, *, code: str = "R1", open_it: bool = True, opener: str = "ana",
               bound: str = "50", now: dt.datetime = NOW, deadline: dt.datetime = DEADLINE):
    """Round ``code`` of sales_target for 2026-Q1 (bound ±``bound`` %), top-down from
    ``TOP_DOWN_CSV``, opened by ``opener`` with ``DEADLINE`` (unless ``open_it`` is false)."""
    found = target_rounds.create_round(session, code=code, title="Q1 targets",
                                       period="2026-Q1", facts={"sales_target": "EUR"},
                                       bound_pct=bound, actor="ana")
    target_rounds.import_top_down(session, code, TOP_DOWN_CSV, "targets.csv", "ana")
    if open_it:
        target_rounds.open_round(session, code, deadline, opener, now)
    session.commit()
    return found


def line_of(target_round, kam: str):
    return next(line for line in target_round.lines if line.kam.code == kam)
