"""Anonymity: what an anonymous response stores, and that small groups stay hidden end to end
(answers given through the pages, aggregates computed after close)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, DateTime, inspect, select, text
from survey_org import CUSTOMER_PAGES, live_campaign, token_for

from kamscore.models import (
    Base,
    Invitation,
    InvitationStatus,
    SurveyAggregate,
    SurveyDraft,
    SurveyResponse,
)
from kamscore.surveys.aggregate_store import Minimums, recompute_campaign
from kamscore.surveys.campaigns import close_campaign

PROBE_IP = "203.0.113.77"
PROBE_AGENT = "AnonymityProbe/9.9 (unique-agent-6b1f)"
ENVIRON = {"REMOTE_ADDR": PROBE_IP, "HTTP_USER_AGENT": PROBE_AGENT}


def submit(client, token, pages):
    response = client.get(f"/s/{token}", environ_base=ENVIRON)
    assert response.status_code == 302
    url = response.headers["Location"]
    for index, values in enumerate(pages):
        html = client.get(url, environ_base=ENVIRON).text
        section = re.search(r'name="section" value="([a-z_]+)"', html).group(1)
        action = "submit" if index == len(pages) - 1 else "next"
        posted = client.post(url, data={"section": section, "action": action, **values},
                             environ_base=ENVIRON)
        assert posted.status_code == 302, posted.text
    assert posted.headers["Location"].endswith("/thanks")


def dump_database(session) -> str:
    return "\n".join(repr(row) for table in Base.metadata.sorted_tables
                     for row in session.execute(text(f'SELECT * FROM "{table.name}"')))


def test_an_anonymous_response_stores_no_ip_agent_or_time_of_day(app, client, session, org):
    campaign = live_campaign(session)
    submit(client, token_for(session, campaign, email="ann@stmary.example"), CUSTOMER_PAGES)
    session.expire_all()
    dump = dump_database(session)
    assert PROBE_IP not in dump and PROBE_AGENT not in dump and "AnonymityProbe" not in dump

    response = session.scalars(select(SurveyResponse)).one()
    columns = {c.name: c for c in SurveyResponse.__table__.columns}
    assert set(columns) == {"id", "campaign_id", "subject_type", "subject_account_id",
                            "subject_person_id", "rater_group", "anonymous", "submitted_on",
                            "invitation_id",
                            # response quality: a duration in whole seconds, flags, a digest
                            # of the answers and an exclusion — never a clock time
                            "duration_seconds", "speeder", "straight_liner", "duplicate",
                            "answers_digest", "excluded_for", "excluded_reason"}
    assert isinstance(response.duration_seconds, int)  # whole seconds, from the draft's start
    assert session.scalars(select(SurveyDraft)).all() == []  # the start went with the draft
    for table in ("survey_response", "survey_answer", "survey_submission"):
        for column in Base.metadata.tables[table].columns:
            assert not isinstance(column.type, DateTime), f"{table}.{column.name}"
    assert isinstance(columns["submitted_on"].type, Date)
    assert type(response.submitted_on) is dt.date  # a date, no time of day
    assert response.invitation_id is None and response.anonymous
    assert re.fullmatch(r"[0-9a-f]{32}", response.id)  # random: not the order of submission
    # the response's foreign keys: campaign, subject, and the invitation — kept NULL for
    # anonymous responses by a CHECK constraint (named customer surveys only)
    foreign = {fk["referred_table"] for fk in inspect(session.connection()).get_foreign_keys(
        "survey_response")}
    assert foreign == {"survey_campaign", "account", "person", "survey_invitation"}
    submission = session.execute(text("SELECT * FROM survey_submission")).mappings().one()
    assert set(submission) == {"invitation_id"}  # only that the invitation was used
    invitation = session.scalars(select(Invitation).where(
        Invitation.email == "ann@stmary.example")).one()
    assert invitation.status is InvitationStatus.SUBMITTED
    assert str(invitation.id) != response.id
    assert session.execute(text("SELECT COUNT(*) FROM survey_draft")).scalar() == 0


def test_a_group_of_two_is_not_reported_nor_derivable_end_to_end(app, session, org):
    """K01's 360: self, manager (1), peer (1) and two cross-functional colleagues answer."""
    campaign = live_campaign(session, survey="internal_360", code="ANON360", kams=["K01"])
    scores = {"person:K01": "5", "person:M01": "4", "person:K02": "2",
              "person:P01": "1", "person:P02": "3"}
    for respondent, score in scores.items():
        token = token_for(session, campaign, respondent_key=respondent)
        pages = [
            {f"collaboration__{r}": score for r in ("shares_information", "involves_colleagues",
                                                    "keeps_commitments",
                                                    "resolves_disagreements")},
            {f"communication__{r}": score for r in ("clear", "listens", "keeps_team_informed")},
            {f"customer_focus__{r}": score for r in ("understands_dmu", "patient_outcomes",
                                                     "brings_insight")},
            {**{f"shared_goals__{r}": score for r in ("clear_goals", "team_success",
                                                      "tracks_progress")},
             "overall_effectiveness": score},
            {"keep_doing": f"comment from {respondent}"},
        ]
        submit(app.test_client(), token, pages)
    session.expire_all()
    close_campaign(session, "ANON360", dt.datetime.now(dt.UTC))
    recompute_campaign(session, session.merge(campaign), Minimums(3, 5),
                       dt.datetime.now(dt.UTC))
    session.commit()
    cells = session.scalars(select(SurveyAggregate).where(
        SurveyAggregate.subject_type == "kam")).all()
    groups = {c.rater_group for c in cells}
    assert "cross_functional" not in groups  # 2 answers: under the minimum of 3
    assert "manager" not in groups and "peer" not in groups
    assert groups <= {"self", "others", "all"}
    others = next(c for c in cells if c.measure == "overall_effectiveness"
                  and c.rater_group == "others")
    assert others.n == 4  # manager + peer + both colleagues, never split
    # nothing reported lets anyone isolate the two colleagues: every reported group of
    # others contains all four of them
    assert {c.n for c in cells if c.rater_group == "others"} == {4}
    # free text (minimum 5) is not reported for a group of 4
    assert not [c for c in cells if c.measure == "keep_doing" and c.rater_group != "self"]
    dump = dump_database(session)
    assert PROBE_IP not in dump and PROBE_AGENT not in dump
