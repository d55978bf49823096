"""Test data of the survey results tests: an organisation big enough for reportable groups,
and a helper that answers an invitation through the answering service, page by page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    Campaign,
    Invitation,
    Period,
    PeriodKind,
    Person,
    Role,
    Stakeholder,
    StakeholderRole,
    Team,
    TeamMember,
)
from kamscore.surveys.answering import Action, answer_page, questionnaire
from kamscore.surveys.campaigns import CampaignSpec, close_campaign, create_campaign, open_campaign
from kamscore.surveys.definition import Question

UTC = dt.UTC
OPENS = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DURING = dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
CLOSES = dt.datetime(2026, 3, 30, 16, 0, tzinfo=UTC)
AFTER = dt.datetime(2026, 3, 31, 8, 0, tzinfo=UTC)


@dataclass
class ResultsOrg:
    period: Period
    kams: list[Person]


def seed_results_org(session) -> ResultsOrg:
    """KAM K01 (manager M01, peers K02 and K03, team T01 with MSL P01, market access P02 and
    marketing P03) owns account A001 (3 physicians, 3 pharmacists, 1 nurse); K02 owns A002
    (2 physicians only); K03 owns A003, which has no stakeholders."""
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER,
                    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31))
    manager = Person(code="M01", name="Mona Manager", email="m01@corp.example", role=Role.MANAGER)
    kams = [Person(code=f"K0{i}", name=f"KAM {i}", email=f"k0{i}@corp.example", role=Role.KAM,
                   manager=manager, base_salary=100_000) for i in (1, 2, 3)]
    colleagues = [
        Person(code="P01", name="Mei MSL", email="p01@corp.example", role=Role.MSL),
        Person(code="P02", name="Max Access", email="p02@corp.example", role=Role.MARKET_ACCESS),
        Person(code="P03", name="Mo Marketing", email="p03@corp.example", role=Role.MARKETING),
    ]
    team = Team(code="T01", name="North team", lead=kams[0])
    team.members = [TeamMember(person=p, function=p.role) for p in colleagues]
    a1 = Account(code="A001", name="St. Mary <Hospital>", type=AccountType.HOSPITAL, segment="key",
                 team=team)
    a2 = Account(code="A002", name="Taipei General", type=AccountType.HOSPITAL,
                 segment="strategic")
    roles = [StakeholderRole.PHYSICIAN] * 3 + [StakeholderRole.PHARMACIST] * 3 + [
        StakeholderRole.NURSE]
    a1.stakeholders = [Stakeholder(name=f"A1 person {i}", email=f"s{i}@stmary.example", role=r)
                       for i, r in enumerate(roles)]
    a2.stakeholders = [Stakeholder(name=f"A2 person {i}", email=f"s{i}@tgh.example",
                                   role=StakeholderRole.PHYSICIAN) for i in range(2)]
    a3 = Account(code="A003", name="Kaohsiung Clinic", type=AccountType.HOSPITAL, segment="key")
    session.add_all([
        period, a1, a2, a3, *colleagues,
        Assignment(person=kams[2], account=a3, start_date=dt.date(2025, 1, 1)),
        Assignment(person=kams[0], account=a1, start_date=dt.date(2025, 1, 1)),
        Assignment(person=kams[1], account=a2, start_date=dt.date(2025, 1, 1)),
    ])
    session.commit()
    return ResultsOrg(period, kams)


def spec(code: str, survey: str, **changes: Any) -> CampaignSpec:
    values: dict[str, Any] = dict(code=code, survey=survey, period="2026-Q1", opens_at=OPENS,
                                  closes_at=CLOSES, timezone="UTC")
    values.update(changes)
    return CampaignSpec(**values)


def open_new_campaign(session, code: str, survey: str, **changes: Any) -> Campaign:
    campaign = create_campaign(session, spec(code, survey, **changes))
    open_campaign(session, code, OPENS)
    session.commit()
    return campaign


def close(session, campaign: Campaign, now: dt.datetime = AFTER) -> None:
    close_campaign(session, campaign.code, now)
    session.commit()


def value_for(question: Question, level: int) -> Any:
    """An answer to ``question`` at ``level`` (1 = worst .. 5 = best)."""
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


def respond(session, invitation: Invitation, level: int | Callable[[str], int],
            now: dt.datetime = DURING) -> None:
    """Answer every shown question of ``invitation`` through the service, then submit.

    ``level`` is one level for everything, or a function of the answer item id.
    """
    pick = level if callable(level) else (lambda _item: level)
    session.expire_all()  # other sessions (the scheduler's) may have changed the campaign
    while True:
        page = questionnaire(session, invitation.id, now)
        values: dict[str, Any] = {}
        for question in page.section.shown_questions(page.earlier_answers()):
            for item in question.answer_items():
                values[item] = value_for(question, pick(item))
        action = Action.SUBMIT if page.is_last else Action.NEXT
        outcome = answer_page(session, invitation.id, page.section.id, values, action, now)
        session.commit()
        if outcome.submitted:
            return


def invitations_of(session, campaign: Campaign, **where: str) -> list[Invitation]:
    query = select(Invitation).where(Invitation.campaign_id == campaign.id)
    for name, value in where.items():
        query = query.where(getattr(Invitation, name) == value)
    found = list(session.scalars(query.order_by(Invitation.id)))
    session.commit()  # end the read: on SQLite every transaction holds the write lock
    return found
