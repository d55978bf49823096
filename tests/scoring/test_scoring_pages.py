"""The pay pages: run list, a run's KAMs, a KAM's statement (to him, not to other KAMs),
rulesets with their diff and comments (what-if: test_whatif_pages)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select
from tiny_population import TINY_PLAN

from kamscore.db.session import get_db
from kamscore.models import Person, User
from kamscore.scoring import lifecycle
from kamscore.scoring.runs import run_score


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302, response.get_data(as_text=True)


def text(response) -> str:
    """The page's text as a reader sees it: tags dropped, white space collapsed (tag
    attributes such as ids and values are kept in ``html``)."""
    assert response.status_code == 200, response.status_code
    inline = re.sub(r"</?(strong|em|a|span|code)\b[^>]*>", "", html(response))
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def scored(app, session, pm, published):
    with get_db(app).session() as s:
        kim = s.scalar(select(User).where(User.username == "kim"))
        kim.person_id = s.scalar(select(Person.id).where(Person.code == "K4"))
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.rollback()  # SQLite: hold no write lock while the app serves requests
    return run.id


def test_an_analyst_sees_runs_and_every_statement(client, scored):
    sign_in(client, "ana")
    runs = text(client.get("/scoring/"))
    assert f'Run {scored}' in runs and "2,525.00 EUR" in runs
    page = text(client.get(f"/scoring/runs/{scored}"))
    assert "KAMs 4 (4 eligible, 0 held for review)" in page
    assert "Kam K1" in page and "1,175.00" in page
    assert "1 KAM matching “K3”" in text(client.get(f"/scoring/runs/{scored}?q=K3"))
    statement = text(client.get(f"/scoring/runs/{scored}/statements/K4"))
    assert "Kam K4: 2026-Q1 statement" in statement
    assert "Your payout is 675.00 EUR." in statement
    assert "at or above cap" in statement
    assert "no data: paid at target" in statement
    assert "No data: no formulary status for the assigned accounts" in statement
    assert "50.0 % of the period in role" in statement
    csv_text = client.get(f"/scoring/runs/{scored}/statements.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("kam_code,kam_name,status")


def test_a_kam_sees_his_own_statement_only(client, scored):
    sign_in(client, "kim")
    mine = text(client.get("/scoring/"))
    assert "My statements" in mine and "675.00 EUR" in mine
    assert client.get(f"/scoring/runs/{scored}/statements/K4").status_code == 200
    assert client.get(f"/scoring/runs/{scored}/statements/K1").status_code == 403
    assert client.get(f"/scoring/runs/{scored}").status_code == 403
    assert client.get("/scoring/whatif").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, scored):
    response = client.get(f"/scoring/runs/{scored}/statements/K4")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_kam_comments_on_a_draft_and_sees_the_change(client, session, pm, published):
    changed = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")
    lifecycle.import_ruleset(session, pm, changed, "tiny.yaml", user="alice")
    session.rollback()
    sign_in(client, "kim")
    listing = text(client.get("/scoring/rulesets"))
    assert "open for comments" in listing
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "What changes against tiny v1 (published)" in page
    assert "component sales weight changed 70 % 50 %" in page
    response = client.post("/scoring/rulesets/tiny/2", data={
        "body": "Half on formulary is too much for hospital accounts.",
        "key_path": "components.formulary.weight"})
    assert response.status_code == 302
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "kim on components.formulary.weight" in page
    assert "Half on formulary is too much for hospital accounts." in page
    published_page = text(client.get("/scoring/rulesets/tiny/1"))
    assert "comments were taken while it was a draft" in published_page
