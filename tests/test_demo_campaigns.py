"""The demo's survey campaigns: two closed with results, one open with some answers — all
through the survey services — and the demo's score run reading its survey metrics from them."""

from __future__ import annotations

from collections import Counter

import pytest
from page_data import lacks_data
from sqlalchemy import func, select

from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD
from kamscore.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    ChosenBy,
    Invitation,
    InvitationStatus,
    ScoreRun,
    SurveyAggregate,
    SurveyDraft,
    SurveyResponse,
)
from kamscore.scoring.run_store import raw_details

DEMO = ["demo", "--no-serve", "--size", "0.5", "--year", "2025"]


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=DEMO)
    assert result.exit_code == 0, result.output
    with get_db(app).sessionmaker() as session:
        yield session


def counts(session, campaign: Campaign) -> Counter:
    return Counter(session.scalars(select(Invitation.status)
                                   .where(Invitation.campaign_id == campaign.id)))


def test_two_closed_campaigns_with_results_and_an_open_one(demo):
    session = demo
    campaigns = {c.code: c for c in session.scalars(select(Campaign))}
    assert {code: c.status for code, c in campaigns.items()} == {
        "csat-2025-q4": CampaignStatus.CLOSED, "360-2025-q4": CampaignStatus.CLOSED,
        "csat-2025-pulse": CampaignStatus.OPEN}
    for code in ("csat-2025-q4", "360-2025-q4"):
        campaign = campaigns[code]
        assert campaign.period.code == "2025-Q4"  # the quarter the demo scores
        statuses = counts(session, campaign)
        assert statuses[InvitationStatus.SUBMITTED] > 0.6 * sum(statuses.values())
        responses = session.scalar(select(func.count()).select_from(SurveyResponse)
                                   .where(SurveyResponse.campaign_id == campaign.id))
        assert responses == statuses[InvitationStatus.SUBMITTED]
        assert session.scalar(select(func.count()).select_from(SurveyAggregate)
                              .where(SurveyAggregate.campaign_id == campaign.id)) > 0

    # customers: most accounts reach the minimum group size, small ones do not
    csat = campaigns["csat-2025-q4"]
    answered = set(session.scalars(select(SurveyResponse.subject_account_id).distinct()
                                   .where(SurveyResponse.campaign_id == csat.id)))
    shown = set(session.scalars(select(SurveyAggregate.subject_code).distinct().where(
        SurveyAggregate.campaign_id == csat.id, SurveyAggregate.subject_type == "account",
        SurveyAggregate.rater_group == "all")))
    assert 0.5 * len(answered) < len(shown) < len(answered)

    # the open campaign: answered, started (a draft saved page by page) and not yet begun
    pulse = campaigns["csat-2025-pulse"]
    statuses = counts(session, pulse)
    assert statuses[InvitationStatus.SUBMITTED] > 0 and statuses[InvitationStatus.STARTED] > 0
    assert sum(statuses.values()) > statuses[InvitationStatus.SUBMITTED] + statuses[
        InvitationStatus.STARTED]
    assert session.scalar(select(func.count()).select_from(SurveyDraft)) == statuses[
        InvitationStatus.STARTED]

    # launched by the survey administrator, as in the audit log of a real campaign
    launched = session.scalars(select(AuditEvent.actor).where(
        AuditEvent.action == "campaign.launch")).all()
    assert launched == ["surveys"] * 3


def test_the_score_run_reads_the_closed_campaigns(demo):
    session = demo
    sources = Counter()
    details = [detail for run_id in session.scalars(select(ScoreRun.id))
               for _, detail in raw_details(session, run_id)]
    assert details
    for detail in details:
        metrics = detail["in"]["metrics"]
        for key, metric in metrics.items():
            source = (metric.get("inputs") or {}).get("source")
            if source:
                sources[key.split("{")[0], source] += 1
    assert sources[("csat", "surveys")] > 0
    assert sources[("collaboration_360", "surveys")] > 0
    assert not [key for key in sources if key[1] != "surveys"]


def test_the_survey_administrator_sees_results_with_small_groups_hidden(app, demo):
    client = app.test_client()
    client.post("/sign-in", data={"username": "surveys", "password": DEMO_PASSWORD})
    page = client.get("/campaigns/csat-2025-q4/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "suppressed" in html or "too few" in html.lower()
    assert client.get("/campaigns/360-2025-q4/results").status_code == 200
    listing = client.get("/campaigns/").get_data(as_text=True)
    assert "csat-2025-pulse" in listing and "open" in listing


def test_a_demo_results_page_says_the_kam_chose_some_stakeholders(app, demo):
    session = demo
    csat = session.scalar(select(Campaign).where(Campaign.code == "csat-2025-q4"))
    chosen = Counter(session.scalars(select(Invitation.chosen_by)
                                     .where(Invitation.campaign_id == csat.id)))
    assert chosen[ChosenBy.KAM] > 0 and chosen[ChosenBy.MANAGER] > 0
    assert chosen[ChosenBy.ORGANISATION] > chosen[ChosenBy.KAM]
    subject = session.scalar(
        select(Invitation.subject_key).where(Invitation.campaign_id == csat.id,
                                             Invitation.chosen_by == ChosenBy.KAM)
        .order_by(Invitation.subject_key).limit(1)).split(":", 1)[1]
    session.commit()  # end the read: on SQLite a transaction holds the database lock
    client = app.test_client()
    client.post("/sign-in", data={"username": "surveys", "password": DEMO_PASSWORD})
    html = client.get(f"/campaigns/csat-2025-q4/results/{subject}").get_data(as_text=True)
    assert 'id="chosen-by"' in html and "chosen by the KAM himself" in html


def test_every_campaign_page_of_the_demo_shows_data(app, demo):
    client = app.test_client()
    client.post("/sign-in", data={"username": "surveys", "password": DEMO_PASSWORD})
    failures = []
    for code in ("csat-2025-q4", "360-2025-q4", "csat-2025-pulse"):
        html = client.get(f"/campaigns/{code}/results").get_data(as_text=True)
        failures += [f"{code}: {problem}" for problem in lacks_data(html)]
    assert failures == []


def test_the_demo_has_flagged_responses_and_excludes_the_customer_speeders(app, demo):
    session = demo
    campaigns = {c.code: c for c in session.scalars(select(Campaign))}
    for code in ("csat-2025-q4", "360-2025-q4"):
        flags = session.execute(
            select(func.count().filter(SurveyResponse.speeder),
                   func.count().filter(SurveyResponse.straight_liner),
                   func.count().filter(SurveyResponse.duration_seconds.is_(None)))
            .where(SurveyResponse.campaign_id == campaigns[code].id)).one()
        assert flags[0] > 0 and flags[2] == 0, (code, flags)
        # the shipped 360°'s matrices have 3 or 4 items: too few for straight-lining
        assert (flags[1] > 0) == (code == "csat-2025-q4"), (code, flags)
    csat = campaigns["csat-2025-q4"]
    assert csat.exclude_speeders
    assert session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.campaign_id == csat.id, SurveyResponse.speeder,
        SurveyResponse.excluded_for.is_(None))) == 0
    client = app.test_client()
    client.post("/sign-in", data={"username": "surveys", "password": DEMO_PASSWORD})
    for code in ("csat-2025-q4", "360-2025-q4"):
        html = client.get(f"/campaigns/manage/{code}/quality").get_data(as_text=True)
        assert lacks_data(html) == [], code
    # some statements of the demo's run say how many responses were excluded
    excluded = [metric["inputs"]["excluded"]
                for run_id in session.scalars(select(ScoreRun.id))
                for _, detail in raw_details(session, run_id)
                for metric in detail["in"]["metrics"].values()
                if (metric.get("inputs") or {}).get("excluded")]
    assert excluded and all("speeder" in text for text in excluded)
