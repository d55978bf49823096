"""The response-quality page of a campaign: flag counts (groups at the minimum size only),
excluding flagged responses with a reason, the speeder setting — and bad input refused with
the field named and nothing written."""

from __future__ import annotations

from sqlalchemy import func, select
from test_campaign_admin_pages import sign_in

from kamscore.models import AuditEvent, Campaign, SurveyResponse


def excluded(session) -> int:
    count = session.scalar(select(func.count()).select_from(SurveyResponse)
                           .where(SurveyResponse.excluded_for.is_not(None)))
    session.rollback()  # SQLite: let the app's requests write
    return count


def test_the_page_shows_counts_of_groups_at_the_minimum_only(client, session, flagged):
    sign_in(client, session, "sue", "survey_admin")
    page = client.get("/campaigns/manage/CS-Q/quality").get_data(as_text=True)
    assert "St. Mary &lt;Hospital&gt;" in page  # A001: 7 responses, escaped
    assert "Taipei General" not in page  # A002: 2 responses, under the minimum
    assert "1 subject with fewer than 3 responses is not listed" in page
    assert client.get("/campaigns/manage/NOPE/quality").status_code == 404


def test_excluding_from_the_page_is_audited(client, session, flagged):
    sign_in(client, session, "sue", "survey_admin")
    done = client.post("/campaigns/manage/CS-Q/quality/exclude", data={
        "flag": "speeder", "subject": "A001", "reason": "answered in seconds"})
    assert done.status_code == 302
    assert excluded(session) == 2
    page = client.get("/campaigns/manage/CS-Q/quality").get_data(as_text=True)
    assert "Excluded from scoring: 2 responses flagged speeder." in page
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "survey.exclude")) == 1


def test_bad_input_is_refused_naming_the_field(client, session, flagged):
    sign_in(client, session, "sue", "survey_admin")
    small = client.post("/campaigns/manage/CS-Q/quality/exclude", data={
        "flag": "speeder", "subject": "A002", "reason": "quick"})
    assert small.status_code == 409
    assert "A002 has 2 response(s)" in small.get_data(as_text=True)
    no_reason = client.post("/campaigns/manage/CS-Q/quality/exclude", data={
        "flag": "speeder", "subject": "", "reason": ""})
    assert no_reason.status_code == 422
    assert "Say why the responses are excluded." in no_reason.get_data(as_text=True)
    wrong_flag = client.post("/campaigns/manage/CS-Q/quality/exclude", data={
        "flag": "sloth", "subject": "", "reason": "why"})
    assert wrong_flag.status_code == 422
    assert excluded(session) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "survey.exclude")) == 0


def test_the_speeder_setting(client, session, flagged):
    sign_in(client, session, "sue", "survey_admin")
    assert client.post("/campaigns/manage/CS-Q/quality/setting",
                       data={"exclude_speeders": "y"}).status_code == 302
    assert excluded(session) == 4
    session.expire_all()
    assert session.scalar(select(Campaign.exclude_speeders).where(Campaign.code == "CS-Q"))
    session.rollback()
    client.post("/campaigns/manage/CS-Q/quality/setting", data={})
    assert excluded(session) == 0
