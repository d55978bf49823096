"""Survey results for the world (``world.py``) of the people pages' browser tests: one closed
customer campaign and one closed 360° campaign, answered through the real answering
service, so that the scorecard and the team view show figures and "too few responses".

Added to the world: e-mail addresses for everyone, M1 as the line manager of K1..K4, three
cross-functional colleagues in team T1, and five more stakeholders at A1 (A1: 6 customers,
shown; A2: 1, too few).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from kamscore.models import (
    Account,
    Invitation,
    Person,
    Role,
    Stakeholder,
    StakeholderRole,
    Team,
    TeamMember,
)
from kamscore.surveys.answering import Action, answer_page, questionnaire
from kamscore.surveys.campaigns import CampaignSpec, close_campaign, create_campaign, open_campaign

UTC = dt.UTC
OPENS = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DURING = dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
CLOSES = dt.datetime(2026, 3, 30, 16, 0, tzinfo=UTC)
AFTER = dt.datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
#: answer level by rater group (1 worst .. 5 best)
LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 3, "self": 5, "manager": 3, "peer": 4,
         "cross_functional": 3}


def _value(question: Any, level: int) -> Any:
    if question.type in ("rating", "matrix"):
        low, high = question.scale_min, question.scale_max
        return low + round((high - low) * (level - 1) / 4)
    if question.type == "nps":
        return {1: 2, 2: 5, 3: 7, 4: 9, 5: 10}[level]
    if question.type == "yes_no":
        return "yes" if level >= 3 else "no"
    if question.type == "single_choice":
        return question.options[0].id
    if question.type == "multiple_choice":
        return [question.options[0].id]
    return f"Comment at level {level}"


def _respond(session, invitation_id: int, level: int) -> None:
    while True:
        page = questionnaire(session, invitation_id, DURING)
        values = {item: _value(question, level)
                  for question in page.section.shown_questions(page.earlier_answers())
                  for item in question.answer_items()}
        action = Action.SUBMIT if page.is_last else Action.NEXT
        outcome = answer_page(session, invitation_id, page.section.id, values, action, DURING)
        session.commit()
        if outcome.submitted:
            return


def add_surveys(session) -> None:
    people = {p.code: p for p in session.scalars(select(Person))}
    manager = people["M1"]
    for code, person in people.items():
        person.email = f"{code.lower()}@corp.example"
        if person.role is Role.KAM:
            person.manager = manager
    team = session.scalar(select(Team).where(Team.code == "T1"))
    for code, name, role in (("P1", "Mei MSL", Role.MSL),
                             ("P2", "Max Access", Role.MARKET_ACCESS),
                             ("P3", "Mo Marketing", Role.MARKETING)):
        colleague = Person(code=code, name=name, role=role, email=f"{code.lower()}@corp.example",
                           start_date=dt.date(2020, 1, 1))
        session.add(colleague)
        session.flush()
        session.add(TeamMember(team_id=team.id, person_id=colleague.id, function=role))
    a1 = session.scalar(select(Account).where(Account.code == "A1"))
    roles = [StakeholderRole.PHYSICIAN, StakeholderRole.PHYSICIAN, StakeholderRole.PHARMACIST,
             StakeholderRole.PHARMACIST, StakeholderRole.NURSE]
    for i, role in enumerate(roles):
        session.add(Stakeholder(account_id=a1.id, name=f"A1 person {i}",
                                email=f"s{i}@hospital1.example", role=role))
    session.commit()
    for code, survey in (("CS-26Q1", "customer_satisfaction"), ("360-26Q1", "internal_360")):
        create_campaign(session, CampaignSpec(code=code, survey=survey, period="2026-Q1",
                                              opens_at=OPENS, closes_at=CLOSES))
        campaign = open_campaign(session, code, OPENS)
        session.commit()
        invitations = session.execute(select(Invitation.id, Invitation.rater_group).where(
            Invitation.campaign_id == campaign.id).order_by(Invitation.id)).all()
        session.commit()
        for invitation_id, group in invitations:
            _respond(session, invitation_id, LEVEL.get(group, 3))
        close_campaign(session, code, AFTER)
        session.commit()


def add_nominations(session) -> None:
    """A draft 360° campaign with nominated raters about K1..K4 (``360-NOM``): K1 and K2
    (team T1, ``mia``'s) have three proposals waiting, K3 (T2) one, K4 one approved."""
    from kamscore.auth.scope import Scope
    from kamscore.surveys.nominations import add_approved, propose

    for person in session.scalars(select(Person)):
        person.email = person.email or f"{person.code.lower()}@corp.example"
    create_campaign(session, CampaignSpec(
        code="360-NOM", survey="internal_360", period="2026-Q1", raters_nominated=True,
        opens_at=dt.datetime(2030, 1, 6, 8, 0, tzinfo=UTC),
        closes_at=dt.datetime(2030, 1, 27, 16, 0, tzinfo=UTC), kams=["K1", "K2", "K3", "K4"],
        nomination_minimums={"peer": 1}))
    everything = Scope.unlimited()
    for kam, rater, group in (("K1", "K2", "peer"), ("K1", "M1", "manager"),
                              ("K2", "K1", "peer"), ("K3", "K4", "peer")):
        propose(session, "360-NOM", kam, rater, group, everything, "test", DURING)
    add_approved(session, "360-NOM", "K4", "K3", "peer", everything, "test", DURING)
    session.commit()


def add_target_round(session) -> None:
    """An open target round ``TR1`` of sales_target for 2026-Q1 (K1..K4 at 1,000,000
    top-down), where K1 has proposed 1,100,000 and K3 900,000."""
    from kamscore.auth.scope import Scope
    from kamscore.scoring import target_proposals, target_rounds

    target_rounds.create_round(session, code="TR1", title="Q1 targets", period="2026-Q1",
                               facts={"sales_target": "EUR"}, bound_pct="50", actor="ana")
    target_rounds.import_top_down(session, "TR1", "kam,fact,target\n" + "".join(
        f"{k},sales_target,1000000\n" for k in ("K1", "K2", "K3", "K4")), "tr1.csv", "ana")
    target_rounds.open_round(session, "TR1", dt.datetime(2030, 1, 6, 8, 0, tzinfo=UTC),
                             "ana", DURING)
    lines = {line.kam.code: line.id for line in target_rounds.get_round(session, "TR1").lines}
    for kam, value in (("K1", "1100000"), ("K3", "900000")):
        target_proposals.propose(session, "TR1", lines[kam], value, f"{kam}'s reason",
                                 Scope.unlimited(), "test", DURING)
    session.commit()
