"""Database-level guarantees of the survey tables, on every backend."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kamscore.models import (
    Account,
    AccountType,
    Campaign,
    Invitation,
    Period,
    PeriodKind,
    Stakeholder,
    StakeholderRole,
    SubjectType,
    SurveyAggregate,
    SurveyKind,
    SurveyResponse,
    SurveySubmission,
    SurveyVersion,
)


@pytest.fixture
def invitation(session) -> Invitation:
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER,
                    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31))
    account = Account(code="A001", name="St. Mary", type=AccountType.HOSPITAL, segment="key")
    stakeholder = Stakeholder(account=account, name="Dr. Lin", email="lin@example.org",
                              role=StakeholderRole.PHARMACIST)
    version = SurveyVersion(survey_key="s", checksum="0" * 64, kind=SurveyKind.CUSTOMER,
                            title="S", anonymous=True, filename="s.yaml", source="key: s")
    taipei = ZoneInfo("Asia/Taipei")
    campaign = Campaign(code="C1", name="C1", survey_version=version, period=period,
                        subject_type=SubjectType.ACCOUNT, anonymous=True,
                        opens_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=taipei),
                        closes_at=dt.datetime(2026, 2, 15, 18, 0, tzinfo=taipei))
    inv = Invitation(campaign=campaign, subject_type=SubjectType.ACCOUNT,
                     subject_account=account, subject_key="account:A001",
                     rater_group="pharmacist", stakeholder=stakeholder,
                     respondent_key="stakeholder:1", name="Dr. Lin", email="lin@example.org")
    session.add(inv)
    session.commit()
    return inv


def test_instants_come_back_aware_and_equal(session, invitation):
    session.expire_all()
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.opens_at.tzinfo is not None
    assert campaign.opens_at == dt.datetime(2026, 2, 1, 1, 0, tzinfo=dt.UTC)


def test_naive_instant_is_refused(session, invitation):
    invitation.campaign.closes_at = dt.datetime(2026, 3, 1, 12, 0)
    with pytest.raises(Exception, match="timezone-aware"):
        session.commit()


def test_an_invitation_is_used_once_by_the_database(session, invitation):
    session.add(SurveySubmission(invitation_id=invitation.id))
    session.commit()
    session.add(SurveySubmission(invitation_id=invitation.id))
    with pytest.raises(IntegrityError):
        session.commit()


def test_anonymous_response_cannot_point_at_its_invitation(session, invitation):
    session.add(SurveyResponse(campaign=invitation.campaign, subject_type=SubjectType.ACCOUNT,
                               subject_account_id=invitation.subject_account_id,
                               rater_group="pharmacist", anonymous=True,
                               submitted_on=dt.date(2026, 2, 3), invitation_id=invitation.id))
    with pytest.raises(IntegrityError):
        session.commit()


def test_response_subject_must_match_its_type(session, invitation):
    session.add(SurveyResponse(campaign=invitation.campaign, subject_type=SubjectType.KAM,
                               subject_account_id=invitation.subject_account_id,
                               rater_group="peer", anonymous=True,
                               submitted_on=dt.date(2026, 2, 3)))
    with pytest.raises(IntegrityError):
        session.commit()


def aggregate_row(campaign_id: int, subject: str = "A001") -> dict:
    return {"campaign_id": campaign_id, "subject_type": "account", "subject_code": subject,
            "measure": "q1", "rater_group": "all", "n": 3, "histogram": {}, "details": {},
            "computed_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)}


def aggregates(session) -> list[tuple[int, str]]:
    return sorted((row.campaign_id, row.subject_code) for row in session.execute(
        select(SurveyAggregate.campaign_id, SurveyAggregate.subject_code)))


def test_an_aggregate_of_no_campaign_is_refused(session, invitation):
    """A row naming no campaign is refused, by itself or among rows of a campaign that
    exists, and nothing is written (SQLite: the foreign key; PostgreSQL: migration 0023's
    statement triggers instead)."""
    campaign_id = invitation.campaign.id
    for rows in ([aggregate_row(campaign_id + 1)],
                 [aggregate_row(campaign_id), aggregate_row(campaign_id + 1, "A002")]):
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            session.execute(insert(SurveyAggregate), rows)
            session.commit()
        session.rollback()
        assert aggregates(session) == []


def test_an_aggregate_cannot_move_to_no_campaign(session, invitation):
    campaign_id = invitation.campaign.id
    session.execute(insert(SurveyAggregate), [aggregate_row(campaign_id)])
    session.commit()
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        session.execute(update(SurveyAggregate).values(campaign_id=campaign_id + 1))
        session.commit()
    session.rollback()
    assert aggregates(session) == [(campaign_id, "A001")]


def test_deleting_a_campaign_deletes_its_aggregates_only(session, invitation):
    first = invitation.campaign
    second = Campaign(code="C2", name="C2", survey_version=first.survey_version,
                      period=first.period, subject_type=SubjectType.ACCOUNT, anonymous=True,
                      opens_at=first.opens_at, closes_at=first.closes_at)
    session.add(second)
    session.commit()
    session.execute(insert(SurveyAggregate), [aggregate_row(first.id), aggregate_row(second.id),
                                              aggregate_row(first.id, "A002")])
    session.commit()
    session.execute(delete(Campaign).where(Campaign.id == first.id))
    session.commit()
    assert aggregates(session) == [(second.id, "A001")]
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1
