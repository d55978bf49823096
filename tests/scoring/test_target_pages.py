"""The target round pages on both databases: the comp team creates, imports and opens a
round, a KAM proposes on his page, his manager adjusts on hers, an approver approves; who
reaches which page; and bad input answered 4xx naming the field, nothing written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select
from target_population import TOP_DOWN_CSV, add_team_and_users, make_round
from test_scoring_pages import html, sign_in, text

from kamscore.db.session import get_db
from kamscore.models import AuditEvent, Fact, TargetLine, TargetRound

SOON = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=7)


@pytest.fixture
def team(session, tiny):
    add_team_and_users(session)


@pytest.fixture
def opened(session, team):
    target_round = make_round(session, now=dt.datetime.now(dt.UTC), deadline=SOON)
    ids = {line.kam.code: line.id for line in target_round.lines}
    session.rollback()
    return ids


def test_the_comp_team_creates_imports_and_opens_a_round(client, session, team):
    sign_in(client, "ana")
    assert "No target round yet." in text(client.get("/targets/rounds/"))
    created = client.post("/targets/rounds/", data={
        "code": "Q1", "title": "Q1 targets", "period": "2026-Q1",
        "facts": "sales_target:EUR", "bound_pct": "20"})
    assert created.status_code == 302 and created.location.endswith("/targets/rounds/Q1")
    imported = client.post("/targets/rounds/Q1/import", data={
        "upload": (io.BytesIO(TOP_DOWN_CSV.encode()), "q1.csv")},
        content_type="multipart/form-data")
    assert imported.status_code == 302
    page = text(client.get("/targets/rounds/Q1"))
    assert "Top-down targets: imported from q1.csv." in page
    assert "National 4 €3,500,000.00 €3,500,000.00 €3,500,000.00" in page
    assert "North hospitals 2 €2,000,000.00" in page
    opened = client.post("/targets/rounds/Q1/open",
                         data={"deadline": SOON.strftime("%Y-%m-%dT%H:%M")})
    assert opened.status_code == 302
    assert "Proposals until" in text(client.get("/targets/rounds/Q1"))
    assert "Approve round" not in text(client.get("/targets/rounds/Q1"))  # not an approver


def test_propose_adjust_approve_through_the_pages(client, app, opened):
    sign_in(client, "kim")
    page = text(client.get("/targets/mine/R1"))
    assert "Top-down €1,000,000.00" in page and "Your last periods" in page
    assert "Kam K2" not in page  # his own lines only
    done = client.post(f"/targets/mine/R1/{opened['K1']}", data={
        f"t{opened['K1']}-value": "1,050,000", f"t{opened['K1']}-reason": "new tender"})
    assert done.status_code == 302
    assert "Your reason: new tender" in text(client.get("/targets/mine/R1"))
    sign_in(client, "mia")
    team_page = text(client.get("/targets/team/R1"))
    assert "1 proposal waits for your decision" in team_page
    assert "Kam K1: new tender" in team_page and "Kam K3" not in team_page
    adjusted = client.post(f"/targets/team/R1/{opened['K1']}", data={
        "decision": "adjust", "value": "1020000", "reason": "tender starts in March"})
    assert adjusted.status_code == 302
    sign_in(client, "bob")
    approved = client.post("/targets/rounds/R1/approve")
    assert approved.status_code == 302
    assert "Approved by bob" in text(client.get("/targets/rounds/R1"))
    with get_db(app).session() as s:
        fact = s.scalar(select(Fact).where(Fact.subject_key == "person:K1"))
        assert fact.value == 1020000.0 and fact.source == "target round R1"


def test_who_reaches_which_page(client, opened):
    sign_in(client, "kim")
    assert client.get("/targets/rounds/R1").status_code == 403
    assert client.get("/targets/team/R1").status_code == 403
    assert client.post(f"/targets/mine/R1/{opened['K3']}", data={
        f"t{opened['K3']}-value": "1000000", f"t{opened['K3']}-reason": "x"}).status_code == 404
    sign_in(client, "mia")
    assert client.get("/targets/mine/R1").status_code == 403
    assert client.post(f"/targets/team/R1/{opened['K3']}",
                       data={"decision": "accept"}).status_code == 404
    sign_in(client, "ana")
    assert client.post("/targets/rounds/R1/approve").status_code == 403  # an analyst
    assert client.get("/targets/rounds/NOPE").status_code == 404


@pytest.mark.parametrize(("value", "reason", "status", "field"), [
    ("-1000", "lower", 422, "value"),
    ("a lot", "lower", 422, "value"),
    ("9000000", "higher", 422, "value"),
    ("1000000", "", 422, "reason"),
])
def test_a_bad_proposal_is_4xx_naming_the_field(client, app, opened, value, reason, status,
                                                 field):
    sign_in(client, "kim")
    line = opened["K1"]
    answer = client.post(f"/targets/mine/R1/{line}",
                         data={f"t{line}-value": value, f"t{line}-reason": reason})
    assert answer.status_code == status
    assert f"{field}:" in html(answer)
    with get_db(app).session() as s:
        assert s.get(TargetLine, line).proposed is None
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "target.propose")) \
            is None


def test_a_proposal_after_the_deadline_is_409(client, app, opened):
    with get_db(app).session() as s:
        s.scalar(select(TargetRound)).deadline = dt.datetime.now(dt.UTC) - dt.timedelta(1)
    sign_in(client, "kim")
    line = opened["K1"]
    answer = client.post(f"/targets/mine/R1/{line}",
                         data={f"t{line}-value": "1000001", f"t{line}-reason": "late"})
    assert answer.status_code == 409 and "the deadline passed" in html(answer)
    with get_db(app).session() as s:
        assert s.get(TargetLine, line).proposed is None


def test_the_opener_cannot_approve_his_round(client, session, team):
    make_round(session, now=dt.datetime.now(dt.UTC), deadline=SOON, opener="carol")
    sign_in(client, "carol")  # analyst and approver
    answer = client.post("/targets/rounds/R1/approve")
    assert answer.status_code == 403 and "four-eyes" in html(answer)


def test_the_what_if_of_a_round(client, session, opened, published):
    session.rollback()
    sign_in(client, "ana")
    assert "What-if: payouts and total cost" in text(client.get("/targets/rounds/R1"))
    page = text(client.get("/scoring/whatif/targets/R1"))
    assert "Proposed €2,525.00" in page and "Approved €2,525.00" in page
    assert "Nobody's payout differs" in page
    assert client.get("/scoring/whatif/targets/NOPE").status_code == 404
