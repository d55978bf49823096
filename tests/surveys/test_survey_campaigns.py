"""Campaigns: population, lifecycle, report; all-or-nothing creation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from survey_org import CLOSES, NOW, OPENS, customer_spec

from kamscore.content.bundled import bundled_dir
from kamscore.models import Campaign, CampaignStatus, Invitation, SurveyVersion
from kamscore.surveys.campaigns import (
    campaign_report,
    close_campaign,
    create_campaign,
    list_campaigns,
    open_campaign,
)
from kamscore.surveys.errors import Conflict, NotFound, SurveyError


def invitations(session, campaign):
    return session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)
                           .order_by(Invitation.id)).all()


def test_customer_campaign_invites_the_stakeholders_of_accounts_with_a_kam(session, org):
    campaign = create_campaign(session, customer_spec())
    session.commit()
    assert campaign.status is CampaignStatus.DRAFT and campaign.anonymous
    found = [(i.subject_key, i.rater_group, i.name, i.email, i.language)
             for i in invitations(session, campaign)]
    assert found == [
        ("account:A001", "physician", "Dr. Ann", "ann@stmary.example", "en"),
        ("account:A001", "pharmacist", "Bo Pharm", "bo@stmary.example", "en"),
        ("account:A001", "procurement", "Cy Buyer", "cy@stmary.example", "en"),
        ("account:A002", "physician", "陳醫師", "chen@tgh.example", "zh-Hant"),
        ("account:A002", "nurse", "No Mail", None, "en"),
    ]
    assert campaign.opens_at == OPENS and campaign.closes_at == CLOSES
    assert campaign.survey_version.survey_key == "customer_satisfaction"


def test_chosen_accounts_only(session, org):
    campaign = create_campaign(session, customer_spec(accounts=["A002"]))
    assert {i.subject_key for i in invitations(session, campaign)} == {"account:A002"}


def test_360_campaign_draws_raters_from_manager_peers_and_account_teams(session, org):
    campaign = create_campaign(session, customer_spec(code="360-26Q1", survey="internal_360",
                                                      language="zh-Hant"))
    session.commit()
    assert campaign.anonymous and campaign.subject_type.value == "kam"
    found = sorted((i.subject_key, i.respondent_key, i.rater_group)
                   for i in invitations(session, campaign))
    assert found == sorted([
        ("kam:K01", "person:K01", "self"),
        ("kam:K01", "person:M01", "manager"),  # also a team member: counted once, as manager
        ("kam:K01", "person:K02", "peer"),
        ("kam:K01", "person:P01", "cross_functional"),
        ("kam:K01", "person:P02", "cross_functional"),  # P03 left before the period
        ("kam:K02", "person:K02", "self"),
        ("kam:K02", "person:M01", "manager"),
        ("kam:K02", "person:K01", "peer"),
    ])
    assert {i.language for i in invitations(session, campaign)} == {"zh-Hant"}


def test_lifecycle_draft_open_closed(session, org):
    create_campaign(session, customer_spec(code="CANCELLED"))
    assert close_campaign(session, "CANCELLED", NOW).status is CampaignStatus.CLOSED
    with pytest.raises(Conflict, match="closed already"):
        close_campaign(session, "CANCELLED", NOW)
    create_campaign(session, customer_spec())
    early = OPENS - dt.timedelta(days=2)
    campaign = open_campaign(session, "CSAT-26Q1", early)
    assert campaign.status is CampaignStatus.OPEN
    assert campaign.opened_at == early and campaign.opens_at == early  # opened ahead of plan
    with pytest.raises(Conflict, match="only a draft opens"):
        open_campaign(session, "CSAT-26Q1", NOW)
    close_campaign(session, "CSAT-26Q1", NOW)
    assert campaign.status is CampaignStatus.CLOSED and campaign.closed_at == NOW
    assert not campaign.accepts_answers(NOW)
    with pytest.raises(Conflict):
        open_campaign(session, "CSAT-26Q1", NOW)


def test_a_campaign_past_its_closing_time_does_not_open(session, org):
    create_campaign(session, customer_spec())
    with pytest.raises(Conflict, match="change its closing time"):
        open_campaign(session, "CSAT-26Q1", CLOSES)


@pytest.mark.parametrize(("changes", "error", "field"), [
    ({"period": "2031-Q1"}, NotFound, "period"),
    ({"survey": "no_such_survey"}, SurveyError, "survey"),
    ({"opens_at": dt.datetime(2026, 3, 1, 9, 0)}, SurveyError, "opens_at"),
    ({"closes_at": OPENS}, SurveyError, "closes_at"),
    ({"timezone": "Mars/Olympus"}, SurveyError, "timezone"),
    ({"code": "bad code!"}, SurveyError, "code"),
    ({"accounts": ["A001", "Z999"]}, SurveyError, "accounts"),
    ({"kams": ["K01"]}, SurveyError, "kams"),
    ({"survey": "internal_360", "anonymous": False}, SurveyError, "anonymous"),
    ({"survey": "internal_360", "kams": ["P01"]}, SurveyError, "kams"),
    ({"reminder_every_days": 0}, SurveyError, "reminder_every_days"),
    # beyond what the database (and the reminder job's arithmetic) can hold: not a 500
    ({"reminder_every_days": 2**31}, SurveyError, "reminder_every_days"),
    ({"max_reminders": 2**31}, SurveyError, "max_reminders"),
    ({"opens_at": dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))},
     SurveyError, "opens_at"),
    ({"closes_at": dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))},
     SurveyError, "closes_at"),
])
def test_bad_campaigns_are_refused_naming_the_field(session, org, changes, error, field):
    with pytest.raises(error) as info:
        create_campaign(session, customer_spec(**changes))
    assert info.value.field == field
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_duplicate_code_is_a_conflict(session, org):
    create_campaign(session, customer_spec())
    session.commit()
    with pytest.raises(Conflict, match="exists already"):
        create_campaign(session, customer_spec())


def test_a_definition_is_snapshotted_once_per_content(session, org, tmp_path):
    create_campaign(session, customer_spec())
    create_campaign(session, customer_spec(code="CSAT-B"))
    assert session.scalar(select(func.count()).select_from(SurveyVersion)) == 1
    source = (bundled_dir("surveys") / "customer_satisfaction.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "customer_satisfaction.yaml"
    edited.write_text(source.replace("two minutes", "three minutes"), encoding="utf-8")
    create_campaign(session, customer_spec(code="CSAT-C", survey=str(edited)))
    assert session.scalar(select(func.count()).select_from(SurveyVersion)) == 2


def test_report_counts_invited_and_answered_per_group(session, org):
    campaign = create_campaign(session, customer_spec())
    rows = invitations(session, campaign)
    rows[0].status = rows[3].status = "submitted"
    rows[1].opted_out_at = NOW
    session.commit()
    report = campaign_report(session, "CSAT-26Q1")
    assert (report.invited, report.answered, report.opted_out) == (5, 2, 1)
    assert report.response_rate == pytest.approx(0.4)
    assert [(g.rater_group, g.invited, g.answered) for g in report.by_group] == [
        ("nurse", 1, 0), ("pharmacist", 1, 0), ("physician", 2, 2), ("procurement", 1, 0)]
    assert [c.code for c in list_campaigns(session)] == ["CSAT-26Q1"]
    assert campaign.status is CampaignStatus.DRAFT
    assert list_campaigns(session, CampaignStatus.OPEN) == []
