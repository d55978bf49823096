"""Test data of the survey tests: a small organisation and campaign specs (the fixtures
built on them are in conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from kamscore.models import (
    Account,
    AccountType,
    Assignment,
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
from kamscore.surveys.campaigns import CampaignSpec, create_campaign, open_campaign
from kamscore.surveys.tokens import issue_token

TAIPEI = dt.timezone(dt.timedelta(hours=8))
#: "now" of the survey tests: inside the campaigns' window.
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=TAIPEI)
OPENS = dt.datetime(2026, 3, 1, 9, 0, tzinfo=TAIPEI)
CLOSES = dt.datetime(2026, 3, 31, 18, 0, tzinfo=TAIPEI)


@dataclass
class Org:
    period: Period
    accounts: dict[str, Account]
    people: dict[str, Person]


def seed_org(session) -> Org:
    """Two KAMs under one manager, an account team with cross-functional colleagues, two
    accounts with stakeholders (one of them without e-mail, one reading Chinese)."""
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER,
                    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31))
    manager = Person(code="M01", name="Mona Manager", email="mona@corp.example",
                     role=Role.MANAGER)
    kam1 = Person(code="K01", name="Kai Lin", email="kai@corp.example", role=Role.KAM,
                  manager=manager)
    kam2 = Person(code="K02", name="Kim Wu", email="kim@corp.example", role=Role.KAM,
                  manager=manager)
    msl = Person(code="P01", name="Mei MSL", email="mei@corp.example", role=Role.MSL)
    access = Person(code="P02", name="Max Access", email="max@corp.example",
                    role=Role.MARKET_ACCESS)
    gone = Person(code="P03", name="Gus Gone", email="gus@corp.example", role=Role.MARKETING,
                  end_date=dt.date(2025, 12, 31))
    team = Team(code="T01", name="North team", lead=kam1)
    team.members = [TeamMember(person=msl, function=Role.MSL),
                    TeamMember(person=access, function=Role.MARKET_ACCESS),
                    TeamMember(person=gone, function=Role.MARKETING),
                    TeamMember(person=manager, function=Role.MANAGER)]
    a1 = Account(code="A001", name="St. Mary <Hospital>", type=AccountType.HOSPITAL,
                 segment="key", team=team)
    a2 = Account(code="A002", name="Taipei General", type=AccountType.HOSPITAL,
                 segment="strategic")
    a1.stakeholders = [
        Stakeholder(name="Dr. Ann", email="ann@stmary.example", role=StakeholderRole.PHYSICIAN),
        Stakeholder(name="Bo Pharm", email="bo@stmary.example", role=StakeholderRole.PHARMACIST),
        Stakeholder(name="Cy Buyer", email="cy@stmary.example",
                    role=StakeholderRole.PROCUREMENT),
    ]
    a2.stakeholders = [
        Stakeholder(name="陳醫師", email="chen@tgh.example", role=StakeholderRole.PHYSICIAN,
                    language="zh-Hant"),
        Stakeholder(name="No Mail", email="", role=StakeholderRole.NURSE),
    ]
    session.add_all([
        period, a1, a2,
        Assignment(person=kam1, account=a1, start_date=dt.date(2025, 1, 1)),
        Assignment(person=kam2, account=a2, start_date=dt.date(2025, 1, 1)),
    ])
    session.commit()
    return Org(period, {"A001": a1, "A002": a2},
               {p.code: p for p in (manager, kam1, kam2, msl, access, gone)})


def customer_spec(**changes) -> CampaignSpec:
    values = dict(code="CSAT-26Q1", survey="customer_satisfaction", period="2026-Q1",
                  opens_at=OPENS, closes_at=CLOSES, timezone="Asia/Taipei")
    values.update(changes)
    return CampaignSpec(**values)


def live_window() -> tuple[dt.datetime, dt.datetime]:
    """Opening and closing instants around the real clock (the web pages use it)."""
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=1), now + dt.timedelta(days=30)


def live_campaign(session, survey: str = "customer_satisfaction", code: str = "LIVE",
                  **changes):
    """An open campaign whose window contains the real now."""
    opens, closes = live_window()
    campaign = create_campaign(session, customer_spec(code=code, survey=survey, opens_at=opens,
                                                      closes_at=closes, **changes))
    open_campaign(session, code, opens)
    session.commit()
    return campaign


def token_for(session, campaign, email: str | None = None, respondent_key: str | None = None,
              subject_key: str | None = None) -> str:
    """A fresh link token for one invitation of ``campaign`` (committed)."""
    query = select(Invitation).where(Invitation.campaign_id == campaign.id)
    if email:
        query = query.where(Invitation.email == email)
    if respondent_key:
        query = query.where(Invitation.respondent_key == respondent_key)
    if subject_key:
        query = query.where(Invitation.subject_key == subject_key)
    invitation = session.scalars(query).one()
    token = issue_token(session, invitation)
    session.commit()
    return token


#: Answers to the shipped customer survey, page by page (form field names).
CUSTOMER_PAGES = [
    {"overall_satisfaction": "4", "nps": "5"},
    {f"relationship__{row}": value for row, value in
     zip(("trust", "understanding", "responsiveness", "communication", "partnership"),
         ("5", "4", "3", "4", "2"), strict=True)},
    {"contact_frequency": "monthly", "services__medical_information": "4",
     "services__education": "na", "commitments_kept": "yes"},
    {"improve": "Faster answers <script>alert(1)</script>", "comments": ""},
]
