"""The people pages on both databases: a KAM's scorecard, a manager's team view, and queries
on statement lines — each role sees what its scope reaches and nothing else.

The world (``world.py``): T1 = K1 (A1), K2 (A2); T2 = K3, K4; ``mia`` manages T1; ``kim``
is K1. The tiny plan's payouts (hand-worked in ``tiny_population``): K1 1,175.00, K2 675.00,
K3 0.00, K4 675.00 EUR.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from world import ROLE_USERS

from kamscore.models import AuditEvent, QueryStatus, StatementQuery, User

ROLES = list(ROLE_USERS)


def sign_in(client, session, role: str) -> None:
    user = session.scalar(select(User).where(User.username == ROLE_USERS[role]))
    session_id = user.get_id()
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = session_id
        flask_session["_fresh"] = True


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_which_page(client, session, world, role):
    sign_in(client, session, role)
    assert (client.get("/me/scorecard").status_code == 200) == (role == "kam")
    assert (client.get("/team/").status_code == 200) == (role == "manager")
    assert client.get("/team/kam/K1").status_code == (200 if role == "manager" else 403)
    assert (client.get("/scoring/queries/").status_code == 200) == (role in ("admin",
                                                                              "analyst"))


def test_the_kams_scorecard_is_his_own(client, session, world):
    sign_in(client, session, "kam")
    page = client.get("/me/scorecard").get_data(as_text=True)
    assert "My scorecard" in page and "Estimate" in page and "If 2026-Q1 closed today" in page
    assert "€1,175.00" in page  # the run and the estimate (same data)
    # his next step on sales: the cap, 120 %, pays 1.35 x 1000
    assert "€1,350.00" in page and "120.0%" in page
    assert "Kam K2" not in page and "€675.00" not in page
    assert page.count("<svg") >= 3  # payout, score, and one per measure
    assert "Too few responses" not in page or "A2" not in page


def test_the_team_view_shows_his_teams_only(client, session, world):
    sign_in(client, session, "manager")
    page = client.get("/team/").get_data(as_text=True)
    assert "Kam K1" in page and "Kam K2" in page
    assert "Kam K3" not in page and "Kam K4" not in page
    assert "€1,175.00" in page and "€675.00" in page  # payouts: MANAGERS_SEE_PAY is on
    assert "€1,850.00" in page  # the team's total
    assert "117.5%" in page and "67.5%" in page  # scores 1.175 and 0.675
    assert "<svg" in page


def test_the_manager_opens_his_kams_scorecards(client, session, world):
    sign_in(client, session, "manager")
    team = client.get("/team/").get_data(as_text=True)
    assert 'href="/team/kam/K1"' in team and 'href="/team/kam/K2"' in team
    assert "/team/kam/K3" not in team
    page = client.get("/team/kam/K1").get_data(as_text=True)
    assert "Kam K1: scorecard" in page and "If 2026-Q1 closed today" in page
    assert "€1,175.00" in page and "€1,350.00" in page  # with pay: payouts, next steps
    assert f'href="/scoring/runs/{world.run_id}/statements/K1"' in page
    assert "Kam K2" not in page and "€675.00" not in page
    assert "My scorecard" not in page.split("<main")[-1]  # his, not the manager's
    assert "€675.00" in client.get("/team/kam/K2").get_data(as_text=True)
    # outside his teams, not a KAM, or no such person: as if absent
    for code in ("K3", "K4", "M1", "NOBODY", "K" * 5000):
        assert client.get(f"/team/kam/{code}").status_code == 404, code
    assert client.get("/team/kam/K1%00").status_code == 400  # refused before the view


def test_a_kams_scorecard_for_his_manager_without_pay(app, client, session, world):
    app.config["MANAGERS_SEE_PAY"] = False
    sign_in(client, session, "manager")
    page = client.get("/team/kam/K1").get_data(as_text=True)
    assert "Kam K1: scorecard" in page and "117.5%" in page
    assert "€" not in page and "Amounts are not shown to managers" in page
    assert "What would move it most" not in page and "Target incentive" not in page
    assert "/statements/K1" not in page  # the statement is pay: no link
    assert client.get("/team/kam/K3").status_code == 404


def test_the_team_view_says_which_nominations_wait_for_him(client, session, world):
    from people_surveys import add_nominations

    sign_in(client, session, "manager")
    assert "Waiting for you" not in client.get("/team/").get_data(as_text=True)
    add_nominations(session)
    page = client.get("/team/").get_data(as_text=True)
    # K1's two and K2's one; not K3's (team T2), not K4's (approved)
    assert 'href="/nominations/team/"' in page and "3 proposals of 360° raters wait" in page
    assert 'href="/nominations/team/360-NOM"' in page and ">360-NOM<" in page
    assert ": 3 proposals</li>" in page
    # decided: nothing waits any more
    client.post("/nominations/team/360-NOM/kam/K1/approve-all")
    assert "1 proposal of 360° raters waits" in client.get("/team/").get_data(as_text=True)
    client.post("/nominations/team/360-NOM/kam/K2/approve-all")
    assert "Waiting for you" not in client.get("/team/").get_data(as_text=True)


def test_the_team_view_without_pay(app, client, session, world):
    app.config["MANAGERS_SEE_PAY"] = False
    sign_in(client, session, "manager")
    page = client.get("/team/").get_data(as_text=True)
    assert "Kam K1" in page and "117.5%" in page
    assert "€" not in page and "Payouts are not shown" in page


def _raise(client, run_id, kam="K1", line="sales", body="Why is my sales factor 125%?"):
    return client.post(f"/scoring/queries/raise/{run_id}/{kam}",
                       data={"line": line, "body": body})


def test_a_query_raised_answered_resolved_and_audited(client, session, world):
    sign_in(client, session, "kam")
    response = _raise(client, world.run_id)
    assert response.status_code == 302
    statement = client.get(f"/scoring/runs/{world.run_id}/statements/K1").get_data(
        as_text=True)
    assert "Why is my sales factor 125%?" in statement and ">open<" in statement
    # the comp team's queue
    sign_in(client, session, "analyst")
    queue = client.get("/scoring/queries/").get_data(as_text=True)
    assert "Why is my sales factor 125%?" in queue and "Kam K1" in queue
    query_id = int(re.search(r'id="query-(\d+)"', queue).group(1))
    assert client.post(f"/scoring/queries/{query_id}/answer",
                       data={"answer": "110% is half-way from target to cap."}
                       ).status_code == 302
    assert "Why is my sales factor" not in client.get("/scoring/queries/").get_data(
        as_text=True)
    # the KAM sees the answer and resolves the query
    sign_in(client, session, "kam")
    statement = client.get(f"/scoring/runs/{world.run_id}/statements/K1").get_data(
        as_text=True)
    assert "110% is half-way from target to cap." in statement
    assert client.post(f"/scoring/queries/{query_id}/resolve").status_code == 302
    query = session.get(StatementQuery, query_id)
    assert query.status is QueryStatus.RESOLVED
    assert (query.raised_by, query.answered_by, query.resolved_by) == ("kim", "ana", "kim")
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "statement_query").order_by(AuditEvent.id)).all()
    assert actions == ["query.raise", "query.answer", "query.resolve"]
    session.rollback()


def test_a_kam_queries_only_his_own_statement(client, session, world):
    sign_in(client, session, "kam")
    assert _raise(client, world.run_id, kam="K2").status_code == 404
    assert _raise(client, world.run_id, line="no_such_line").status_code == 302
    assert _raise(client, world.run_id, body="x" * 501).status_code == 302
    assert _raise(client, world.run_id, body="   ").status_code == 302
    assert session.scalars(select(StatementQuery)).all() == []
    session.rollback()
    # the manager reads the statement (and its queries) but raises none
    sign_in(client, session, "manager")
    assert _raise(client, world.run_id).status_code == 403


def test_a_query_is_resolved_only_by_its_kam_or_the_comp_team(client, session, world):
    sign_in(client, session, "kam")
    _raise(client, world.run_id)
    query_id = session.scalar(select(StatementQuery.id))
    session.rollback()
    # not answered yet: nothing to resolve
    client.post(f"/scoring/queries/{query_id}/resolve")
    assert session.get(StatementQuery, query_id).status is QueryStatus.OPEN
    session.rollback()
    sign_in(client, session, "manager")
    assert client.post(f"/scoring/queries/{query_id}/resolve").status_code == 403
    assert client.post(f"/scoring/queries/{query_id}/answer",
                       data={"answer": "no"}).status_code == 403


def test_hostile_query_input(client, session, world):
    sign_in(client, session, "kam")
    assert _raise(client, world.run_id, body="a\x00b").status_code == 302  # refused: NUL
    assert _raise(client, world.run_id, line="x" * 5000).status_code == 302
    assert client.post("/scoring/queries/raise/99999999999/K1",
                       data={"line": "sales", "body": "?"}).status_code == 404
    assert client.post("/scoring/queries/99999999999/resolve").status_code == 404
    assert session.scalars(select(StatementQuery)).all() == []
    session.rollback()
    sign_in(client, session, "analyst")
    assert client.post("/scoring/queries/99999999999/answer",
                       data={"answer": "a"}).status_code == 404
    assert client.post("/scoring/queries/1/answer", data={"answer": "a\x00"}
                       ).status_code == 302
