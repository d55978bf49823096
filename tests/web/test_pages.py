"""The web shell's pages on demo data: what anonymous and signed-in users see, sign-in and
sign-out (with CSRF on), filters and pagination, escaping, error pages, the extensible nav."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kamscore import create_app
from kamscore.auth.access import requires
from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD, DemoSpec, build_demo
from kamscore.models import Account, AccountType, Assignment, Person, Role, Team, TeamMember
from kamscore.web.nav import add_nav_item

YEAR = 2025


@pytest.fixture
def demo(session):
    """The demo at size 1 (40 KAMs, 8 teams, 300 accounts)."""
    build_demo(session, DemoSpec(size=1, seed=42, year=YEAR))
    session.commit()
    return session


def read(session, stmt, many: bool = False):
    """Run a read and end the transaction: on SQLite every transaction takes the write lock
    (BEGIN IMMEDIATE), so a test must not hold one while the app serves a request."""
    result = session.scalars(stmt).all() if many else session.scalar(stmt)
    session.expunge_all()  # keep what was loaded: a rollback would expire it
    session.rollback()
    return result


def sign_in(client, username: str = "analyst", password: str = DEMO_PASSWORD, **extra):
    return client.post("/sign-in", data={"username": username, "password": password, **extra})


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_home_shows_counts_to_everyone_and_lists_to_signed_in_users(client, demo):
    home = text_of(client.get("/"))
    assert re.search(r'stats__number">40</span> KAMs', home)
    assert re.search(r'stats__number">300</span> key accounts', home)
    assert "Sign in</a> to see the lists" in home
    assert 'href="/kams"' not in home.split("<main")[0]  # the nav hides lists when signed out

    response = client.get("/kams")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")

    assert sign_in(client).status_code == 302
    home = text_of(client.get("/"))
    nav = home.split("<main")[0]
    for url in ('"/kams"', '"/teams"', '"/accounts"'):
        assert f"href={url}" in nav
    assert 'aria-current="page">Home' in nav


def test_layout_is_accessible_by_construction(client, demo):
    sign_in(client)
    page = text_of(client.get("/kams"))
    assert page.index('class="skip-link" href="#main"') < page.index("<main")
    assert '<main id="main"' in page and "<footer" in page and '<nav class="site-nav"' in page
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert "<caption" in page and 'scope="col"' in page
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    css = client.get("/static/web/kamscore.css")
    assert css.status_code == 200 and b":focus-visible" in css.data


def test_kam_list_and_a_kam_with_a_handover(client, demo):
    sign_in(client)
    page = text_of(client.get("/kams"))
    assert "1–40 of 40 KAMs" in page
    assert page.count('href="/kams/E') == 40
    # the KAM who joined in April took over accounts on 16 May
    joiner = read(demo, select(Person).where(Person.start_date == dt.date(YEAR, 4, 1)))
    taken_over = read(demo, select(Assignment).where(Assignment.person_id == joiner.id), True)
    assert taken_over and all(a.start_date == dt.date(YEAR, 5, 16) for a in taken_over)
    detail = text_of(client.get(f"/kams/{joiner.code}"))
    assert f"<h1>{joiner.name}</h1>" in detail
    assert detail.count(f"<td>May 16, {YEAR}</td>") == len(taken_over)
    assert "tag--current" in detail
    # ...from a colleague, whose page shows the span that ended the day before
    colleague = read(demo, select(Person).join(Assignment, Assignment.person_id == Person.id)
                     .where(Assignment.end_date == dt.date(YEAR, 5, 15)))
    assert f"<td>May 15, {YEAR}</td>" in text_of(client.get(f"/kams/{colleague.code}"))
    assert "tag--ended" in text_of(client.get(f"/kams/{colleague.code}"))


def test_teams_show_members_with_their_functions(client, demo):
    sign_in(client)
    page = text_of(client.get("/teams"))
    assert "1–8 of 8 teams" in page
    for label in ("Medical science liaison", "Market access", "Marketing", "Health economics",
                  "KAM"):
        assert f'<span class="tag">{label}</span>' in page
    team = read(demo, select(Team).where(Team.code == "T00001").options(joinedload(Team.lead)))
    assert f'Lead: <a href="/kams/{team.lead.code}">{team.lead.name}</a>' in page


def test_accounts_filter_by_segment_and_type_and_paginate(client, demo):
    sign_in(client)
    page = text_of(client.get("/accounts"))
    assert "1–50 of 300 accounts" in page and 'rel="next"' in page
    last = text_of(client.get("/accounts?page=6"))
    assert "251–300 of 300 accounts" in last and 'rel="prev"' in last

    strategic_hospitals = read(demo, select(Account.code).where(
        Account.segment == "strategic", Account.type == AccountType.HOSPITAL), True)
    page = text_of(client.get("/accounts?segment=strategic&type=hospital"))
    shown = re.findall(r"<td>(A\d{5})</td>", page)
    assert sorted(shown) == sorted(strategic_hospitals)[:50]
    assert '<option value="strategic" selected>' in page
    assert '<option value="hospital" selected>' in page
    assert f"of {len(strategic_hospitals)} accounts (filtered)" in page


def test_bad_list_input_is_a_clear_error_page(client, demo):
    sign_in(client)
    response = client.get("/accounts?type=pharmacy")
    assert response.status_code == 400
    assert "unknown account type &#39;pharmacy&#39;; expected one of: hospital, idn" in \
        text_of(response)
    assert client.get("/accounts?page=0").status_code == 400
    assert client.get("/accounts?page=x").status_code == 400
    assert client.get("/kams?page=2").status_code == 404
    missing = client.get("/kams/E99999")
    assert missing.status_code == 404 and "nobody with the code" in text_of(missing)
    assert '<main id="main"' in text_of(missing)  # in the layout
    # API URLs keep the API's JSON error shape
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["code"] == 404


def test_names_are_escaped_everywhere(client, session):
    evil = '<script>alert("x")</script>'
    kam = Person(code="K1", name=f"Eve {evil}", role=Role.KAM, email="eve@example.org")
    team = Team(code="T1", name=f"Team {evil}", lead=kam)
    session.add_all([kam, team, TeamMember(team=team, person=kam, function=Role.KAM)])
    account = Account(code="A1", name=f"Clinic {evil}", type=AccountType.HOSPITAL,
                      segment="key", team=team)
    session.add_all([account, Assignment(person=kam, account=account,
                                         start_date=dt.date(2020, 1, 1))])
    from kamscore.models import User

    user = User(username="u", name=f"User {evil}", roles="auditor")  # reads every page
    user.set_password("pw")
    session.add(user)
    session.commit()
    sign_in(client, "u", "pw")
    for url in ("/", "/kams", "/kams/K1", "/teams", "/accounts"):
        page = text_of(client.get(url))
        assert "<script>" not in page, url
    assert "Eve &lt;script&gt;" in text_of(client.get("/kams"))
    assert "Clinic &lt;script&gt;" in text_of(client.get("/accounts"))


def test_sign_in_failures_and_safe_redirects(client, demo):
    wrong = sign_in(client, password="nope")
    assert wrong.status_code == 400
    assert "Unknown username or wrong password." in text_of(wrong)
    assert 'aria-invalid="true"' in text_of(wrong)
    assert sign_in(client, username="nobody").status_code == 400
    assert client.get("/kams").status_code == 302  # still signed out

    response = sign_in(client, next="https://evil.example/")
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = sign_in(client, next="//evil.example/x")
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = sign_in(client, next="/accounts?segment=key")
    assert response.headers["Location"] == "/accounts?segment=key"


@pytest.fixture
def csrf_client(database_url, tmp_path):
    """A client of an app with CSRF protection on, as in production."""
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": database_url},
                     instance_path=str(tmp_path / "instance"))
    yield app.test_client()
    get_db(app).dispose()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_sign_in_and_out_need_the_csrf_token(csrf_client, demo):
    form = text_of(csrf_client.get("/sign-in"))
    assert csrf_client.post("/sign-in", data={
        "username": "analyst", "password": DEMO_PASSWORD}).status_code == 400
    signed_in = csrf_client.post("/sign-in", data={
        "username": "analyst", "password": DEMO_PASSWORD, "csrf_token": csrf_token(form)})
    assert signed_in.status_code == 302
    page = text_of(csrf_client.get("/kams"))
    assert "Compensation Analyst (demo)" in page

    assert csrf_client.post("/sign-out").status_code == 400  # no token: not signed out
    assert csrf_client.get("/kams").status_code == 200
    assert csrf_client.get("/sign-out").status_code == 405  # never by a GET
    out = csrf_client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert out.status_code == 302
    assert csrf_client.get("/kams").status_code == 302


def test_capabilities_extend_the_navigation(database_url, tmp_path, session):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url,
                      "WTF_CSRF_ENABLED": False}, instance_path=str(tmp_path / "i"))
    extra = Blueprint("extra", __name__)

    @extra.get("/payouts")
    @requires("periods.close")  # approvers: the entry shows to those the policy lets in
    def payouts() -> str:
        return "payouts"

    app.register_blueprint(extra)
    add_nav_item(app, "extra.payouts", "Payouts")
    with pytest.raises(ValueError, match="already has an entry"):
        add_nav_item(app, "extra.payouts", "Again")

    from kamscore.models import User

    for name, roles in (("ann", "approver"), ("vic", "viewer")):
        user = User(username=name, name=name, roles=roles)
        user.set_password("pw")
        session.add(user)
    session.commit()
    client = app.test_client()
    sign_in(client, "ann", "pw")
    assert 'href="/payouts">Payouts</a>' in text_of(client.get("/"))
    client.post("/sign-out")
    sign_in(client, "vic", "pw")
    assert "Payouts" not in text_of(client.get("/"))
    get_db(app).dispose()


def test_an_empty_database_says_how_to_fill_it(client):
    page = text_of(client.get("/"))
    assert "The database is empty" in page and "kamscore demo" in page
    sign_in(client)  # nobody to sign in as: the form says so
    assert client.get("/kams").status_code == 302
