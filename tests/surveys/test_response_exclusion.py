"""Flag counts for survey admins and excluding flagged responses from scoring: counts only
for groups reaching the minimum size, small groups refused with nothing written, every
exclusion audit-logged, and the results computed again without the excluded responses."""

from __future__ import annotations

import pytest
from flagged_campaign import CSAT_PLAN
from results_org import DURING
from sqlalchemy import func, select

from kamscore.auth.tokens import issue_token
from kamscore.models import AuditEvent, SurveyResponse, User
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.explain import as_text, explain
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from kamscore.scoring.statements import line_statement
from kamscore.surveys.aggregate_store import Minimums, campaign_cells
from kamscore.surveys.errors import NotFound, SurveyError
from kamscore.surveys.response_exclusion import (
    GroupTooSmall,
    exclude_flagged,
    exclusions,
    quality_report,
    set_exclude_speeders,
)


def overall_n(session, campaign, subject: str) -> int | None:
    session.expire_all()
    cells = campaign_cells(session, [campaign], Minimums())[campaign.id]
    found = [c.n for c in cells if c.subject == subject
             and c.measure == "overall_satisfaction" and c.rater_group == "all"]
    return found[0] if found else None


def events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_counts_only_for_groups_reaching_the_minimum(session, flagged):
    report = quality_report(session, "CS-Q", Minimums())
    assert report.total.responses == 9
    assert report.total.flagged == {"speeder": 4, "straight_liner": 1, "duplicate": 0}
    assert [s.code for s in report.subjects] == ["A001"]
    assert report.subjects[0].counts.flagged == {"speeder": 2, "straight_liner": 1,
                                                 "duplicate": 0}
    assert report.hidden_subjects == 1  # A002: 2 responses, no counts shown


def test_excluding_speeders_changes_the_results_and_is_audited(session, flagged):
    assert overall_n(session, flagged, "A001") == 7
    assert exclude_flagged(session, "CS-Q", "speeder", "answered in 5 s", "surveys",
                           Minimums(), DURING, subject="A001") == 2
    session.commit()
    assert overall_n(session, flagged, "A001") == 5
    (event,) = events(session, "survey.exclude")
    assert event.details == {"flag": "speeder", "subject": "A001", "excluded": 2,
                             "reason": "answered in 5 s"}
    report = quality_report(session, "CS-Q", Minimums())
    assert report.subjects[0].counts.excluded["speeder"] == 2
    assert dict(exclusions(session, [flagged.id])) == {
        (flagged.id, "account", "A001"): {"speeder": 2}}
    # again: nothing more to exclude
    assert exclude_flagged(session, "CS-Q", "speeder", "again", "surveys", Minimums(),
                           DURING, subject="A001") == 0


def test_a_group_under_the_minimum_is_refused_with_nothing_written(session, flagged):
    with pytest.raises(GroupTooSmall) as refused:
        exclude_flagged(session, "CS-Q", "speeder", "too quick", "surveys", Minimums(),
                        DURING, subject="A002")
    assert refused.value.field == "subject" and refused.value.status == 409
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(SurveyResponse.excluded_for.is_not(None))) == 0
    assert events(session, "survey.exclude") == []


@pytest.mark.parametrize(("flag", "reason", "subject", "field"), [
    ("slow", "why", None, "flag"),
    ("speeder", "   ", None, "reason"),
    ("speeder", "x" * 501, None, "reason"),
    ("speeder", "why", "A999", "subject"),
])
def test_bad_input_names_the_field(session, flagged, flag, reason, subject, field):
    with pytest.raises(SurveyError) as refused:
        exclude_flagged(session, "CS-Q", flag, reason, "surveys", Minimums(), DURING,
                        subject=subject)
    assert refused.value.field == field
    session.rollback()
    assert events(session, "survey.exclude") == []


def test_an_unknown_campaign(session, flagged):
    with pytest.raises(NotFound):
        exclude_flagged(session, "NOPE", "speeder", "why", "surveys", Minimums(), DURING)


def test_the_campaign_setting_excludes_speeders_and_counts_them_again(session, flagged):
    assert set_exclude_speeders(session, "CS-Q", True, "surveys", Minimums(), DURING) == 4
    session.commit()
    assert overall_n(session, flagged, "A001") == 5
    assert set_exclude_speeders(session, "CS-Q", False, "surveys", Minimums(), DURING) == 4
    session.commit()
    assert overall_n(session, flagged, "A001") == 7
    assert [e.details["exclude_speeders"] for e in
            events(session, "campaign.exclude_speeders")] == [True, False]


def _token(session, roles: str) -> dict[str, str]:
    user = User(username=f"api-{roles}", name="Api", roles=roles)
    user.set_password("not used at all")
    session.add(user)
    session.flush()
    _, token = issue_token(session, user.username, "tests")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_api_reports_flags_and_excludes(client, session, flagged):
    admin = _token(session, "survey_admin")
    body = client.get("/api/v1/campaigns/CS-Q/quality", headers=admin).json
    assert body["total"]["flagged"]["speeder"] == 4 and body["hidden_subjects"] == 1
    done = client.post("/api/v1/campaigns/CS-Q/exclusions", headers=admin, json={
        "flag": "straight_liner", "reason": "one value everywhere", "subject": "A001"})
    assert done.status_code == 200, done.json
    assert done.json["excluded"] == 1
    assert done.json["quality"]["subjects"][0]["counts"]["excluded"]["straight_liner"] == 1


def test_the_api_refuses_bad_input_naming_the_field(client, session, flagged):
    admin = _token(session, "survey_admin")
    small = client.post("/api/v1/campaigns/CS-Q/exclusions", headers=admin, json={
        "flag": "speeder", "reason": "quick", "subject": "A002"})
    assert small.status_code == 409 and "subject" in small.json["errors"]
    wrong = client.post("/api/v1/campaigns/CS-Q/exclusions", headers=admin, json={
        "flag": "sloth", "reason": ""})
    assert wrong.status_code == 422
    assert {"flag", "reason"} <= set(wrong.json["errors"]["json"])
    viewer = _token(session, "kam")
    assert client.post("/api/v1/campaigns/CS-Q/exclusions", headers=viewer, json={
        "flag": "speeder", "reason": "quick"}).status_code == 403
    assert session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(SurveyResponse.excluded_for.is_not(None))) == 0




def test_excluding_changes_the_metric_and_the_statement_says_how_many(app, session, flagged):
    session.add_all([User(username="ana", name="Ana", roles="analyst", password_hash="-"),
                     User(username="bob", name="Bob", roles="approver", password_hash="-")])
    session.commit()
    pm = get_plugin_manager(app)
    version = lifecycle.import_ruleset(session, pm, CSAT_PLAN, "csat_plan.yaml", user="ana")
    lifecycle.approve_version(session, version.name, version.version, user="bob")
    lifecycle.publish_version(session, version.name, version.version, user="ana")

    def k01_csat() -> dict:
        run = run_score(session, pm, period="2026-Q1", ruleset="csat_plan", user="ana")
        line = {line.kam_code: line for line in load_lines(session, run.id)}["K01"]
        (component,) = line.detail["components"]
        statement = explain({"kam": {"code": "K01", "name": "KAM 1"}, "payout": "0",
                             **line_statement(line)}, {})
        return component | {"words": as_text(statement)}

    before = k01_csat()
    assert before["inputs"]["responses"] == 7 and before["inputs"]["excluded"] is None
    assert "excluded" not in before["words"]
    for flag in ("speeder", "straight_liner"):
        exclude_flagged(session, "CS-Q", flag, "not credible", "surveys", Minimums(), DURING,
                        subject="A001")
    session.commit()
    after = k01_csat()
    assert after["inputs"]["responses"] == 4
    assert after["value"] != before["value"]
    assert after["inputs"]["excluded"] == "3 responses (2 speeders, 1 straight-liner)"
    assert "excluded 3 responses (2 speeders, 1 straight-liner)" in after["words"]



RATE_PLAN = CSAT_PLAN.replace("name: csat_plan", "name: rate_plan").replace(
    "params: {min_responses: 3}", "params: {min_responses: 5, min_response_rate: 0.3}")


@pytest.mark.parametrize(("invited_more", "paid"), [(0, True), (20, False)])
def test_a_ruleset_requires_a_response_count_and_rate(app, session, flagged, invited_more,
                                                      paid):
    """CSAT counts only with 5 or more responses and a 30 % response rate; otherwise the
    component's missing-data treatment (here: zero) applies."""
    from kamscore.models import Invitation

    a001 = session.scalars(select(Invitation).where(
        Invitation.campaign_id == flagged.id, Invitation.subject_key == "account:A001")).first()
    for i in range(invited_more):  # more stakeholders asked who never answered: 7 of 27
        session.add(Invitation(
            campaign_id=flagged.id, subject_type=a001.subject_type,
            subject_account_id=a001.subject_account_id, subject_key=a001.subject_key,
            rater_group="physician", stakeholder_id=a001.stakeholder_id,
            respondent_key=f"extra-{i}", name=f"Extra {i}"))
    session.add_all([User(username="ana", name="Ana", roles="analyst", password_hash="-"),
                     User(username="bob", name="Bob", roles="approver", password_hash="-")])
    session.commit()
    pm = get_plugin_manager(app)
    version = lifecycle.import_ruleset(session, pm, RATE_PLAN, "rate_plan.yaml", user="ana")
    lifecycle.approve_version(session, version.name, version.version, user="bob")
    lifecycle.publish_version(session, version.name, version.version, user="ana")
    run = run_score(session, pm, period="2026-Q1", ruleset="rate_plan", user="ana")
    (component,) = {line.kam_code: line for line in load_lines(session, run.id)}[
        "K01"].detail["components"]
    assert component["inputs"]["response_rate"] == pytest.approx(7 / (7 + invited_more))
    if paid:
        assert component["value"] is not None and component["treatment"] != "zero"
    else:
        assert component["value"] is None and component["treatment"] == "zero"
        assert component["reason"] == "response rate 26%, 30% needed"
