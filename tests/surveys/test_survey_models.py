"""Database-level guarantees of the survey tables, on every backend."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
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
