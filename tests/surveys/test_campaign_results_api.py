"""``GET /api/v1/campaigns/<code>/results``: the same suppression as the pages — a rater
group under the minimum size has its counts and verdict, never a figure."""

from __future__ import annotations

import pytest
from results_org import close, invitations_of, open_new_campaign, respond, seed_results_org

from kamscore.auth.tokens import issue_token
from kamscore.models import User

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
RATER_LEVEL = {"self": 5, "manager": 2, "peer": 3, "cross_functional": 5}


def _token(session, roles: str) -> dict[str, str]:
    user = User(username=f"api-{roles}", name="Api", roles=roles)
    user.set_password("not used at all")
    session.add(user)
    session.flush()
    _, token = issue_token(session, user.username, "tests")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def answered(session):
    seed_results_org(session)
    customer = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    team = open_new_campaign(session, "360-26Q1", "internal_360")
    for invitation in invitations_of(session, customer):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group])
    for invitation in invitations_of(session, team):
        respond(session, invitation, RATER_LEVEL[invitation.rater_group])
    return customer, team


def test_results_need_campaigns_read(client, session, answered):
    assert client.get("/api/v1/campaigns/CS-26Q1/results").status_code == 401
    kam = _token(session, "kam")
    assert client.get("/api/v1/campaigns/CS-26Q1/results", headers=kam).status_code == 403
    admin = _token(session, "survey_admin")
    assert client.get("/api/v1/campaigns/NOPE/results", headers=admin).status_code == 404


def test_an_open_campaign_gives_counts_only(client, session, answered):
    headers = _token(session, "survey_admin")
    body = client.get("/api/v1/campaigns/CS-26Q1/results", headers=headers).json
    assert body["results_available"] is False and body["status"] == "open"
    assert body["campaign_cells"] == [] and body["subjects"] == []
    assert {g["rater_group"]: g["answered"] for g in body["groups"]} == {
        "nurse": 1, "pharmacist": 3, "physician": 5}


def test_a_small_group_returns_no_numbers(client, session, answered):
    customer, team = answered
    close(session, customer)
    close(session, team)
    headers = _token(session, "auditor")
    body = client.get("/api/v1/campaigns/CS-26Q1/results", headers=headers).json
    assert body["results_available"] is True and body["min_group"] == 3
    subjects = {s["code"]: s for s in body["subjects"]}
    a1 = subjects["A001"]
    verdicts = {g["rater_group"]: g["verdict"] for g in a1["groups"]}
    assert verdicts["nurse"] == "too_small"  # one nurse answered
    assert all(c["rater_group"] != "nurse" for c in a1["cells"])
    assert all(c["n"] >= 3 for c in a1["cells"])
    # A002: two physicians answered — a group of 2 gives nothing at all
    a2 = subjects["A002"]
    assert a2["cells"] == [] and [g["verdict"] for g in a2["groups"]] == ["too_small"]
    overall = next(c for c in a1["cells"] if c["measure"] == "overall_satisfaction"
                   and c["rater_group"] == "all")
    assert overall["n"] == 7 and overall["histogram"] == {"2": 1, "4": 3, "5": 3}
    # the 360°: K01's manager (1) and peers (2) are under the minimum; the self-rating apart
    body = client.get("/api/v1/campaigns/360-26Q1/results", headers=headers).json
    k01 = next(s for s in body["subjects"] if s["code"] == "K01")
    verdicts = {g["rater_group"]: g["verdict"] for g in k01["groups"]}
    assert verdicts["manager"] == "too_small" and verdicts["peer"] == "too_small"
    assert not {"manager", "peer"} & {c["rater_group"] for c in k01["cells"]}
    assert not any(c["subject"] == "K01" and c["rater_group"] in ("manager", "peer")
                   for c in body["campaign_cells"])


def test_create_with_reminders_before_the_close_and_nominated_raters(client, session):
    seed_results_org(session)
    headers = _token(session, "survey_admin")
    body = {"code": "360-API", "survey": "internal_360", "period": "2026-Q1",
            "opens_at": "2027-03-02T08:00:00+00:00", "closes_at": "2027-03-30T16:00:00+00:00",
            "teams": ["T01"], "reminder_days_before_close": [2, 7],
            "languages": ["en", "zh-Hant"], "raters_nominated": True,
            "nomination_minimums": {"peer": 3}}
    created = client.post("/api/v1/campaigns/", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["reminder_days_before_close"] == [7, 2]
    assert created.json["raters_nominated"] is True
    refused = client.post("/api/v1/campaigns/360-API/open", headers=headers)
    assert refused.status_code == 409
    assert "KAM 1 (K01) has 0 approved peer rater(s); 3 needed" in str(refused.json)
    wrong = client.post("/api/v1/campaigns/", headers=headers, json={
        **body, "code": "X", "nomination_minimums": {"boss": 1}})
    assert wrong.status_code == 422


def test_cli_reminders_before_the_close(runner, session):
    seed_results_org(session)
    session.commit()
    result = runner.invoke(args=["campaign", "create", "CS-CLI", "--survey",
                                 "customer_satisfaction", "--period", "2026-Q1", "--opens",
                                 "2026-03-02T08:00", "--closes", "2026-03-30T16:00",
                                 "--remind-before", "7", "--remind-before", "2"])
    assert result.exit_code == 0, result.output
    from sqlalchemy import select

    from kamscore.models import Campaign

    session.rollback()
    assert session.scalar(select(Campaign.reminder_days_before_close)) == [7, 2]


def _profile(item: str) -> int:
    """The same answer profile for every rater: 1-5 by the item's name (perfect agreement)."""
    return 1 + sum(map(ord, item)) % 5


def test_360_results_carry_rater_agreement_and_completion_rates(client, session):
    seed_results_org(session)
    team = open_new_campaign(session, "360-AGREE", "internal_360")
    for invitation in invitations_of(session, team):
        respond(session, invitation, _profile)
    close(session, team)
    headers = _token(session, "survey_admin")
    body = client.get("/api/v1/campaigns/360-AGREE/results", headers=headers).json
    k01 = next(s for s in body["subjects"] if s["code"] == "K01")
    shown = {g["rater_group"] for g in k01["groups"] if g["verdict"] == "shown"}
    for group in k01["groups"]:
        assert group["completion_rate"] == pytest.approx(group["answered"] / group["invited"])
    agreement = {a["rater_group"]: a for a in k01["agreement"]}
    # the whole of the others and every shown group inside it; never self, never a small one
    assert set(agreement) == ({"others"} | shown) - {"self"}
    others = agreement["others"]
    assert others["raters"] >= 3 and others["items"] >= 2
    assert set(others["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}
    for form in others["icc"].values():
        assert form["value"] == pytest.approx(1.0)
    assert others["krippendorff_alpha"]["value"] == pytest.approx(1.0)
    assert others["icc_reading"] == "excellent" and others["alpha_reading"] == "good"
    # agreement figures are not cells of a measure
    assert all(c["measure"] != "agreement" for c in k01["cells"])
