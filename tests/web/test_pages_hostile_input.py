"""Hostile input to the staff pages answers a clear 4xx and writes nothing: NUL characters in
the sign-in form and in URLs, page numbers beyond any column, ids beyond 64 bits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from kamscore.db.ids import MAX_ID
from kamscore.models import User


@pytest.fixture
def user(session):
    user = User(username="ana", name="Ana", roles="analyst")
    user.set_password("correct horse")
    session.add(user)
    session.commit()
    return user


def users(session) -> list[tuple]:
    rows = session.execute(select(User.username, User.password_hash, User.roles)).all()
    session.rollback()  # SQLite: hold no write lock while the app serves requests
    return [tuple(row) for row in rows]


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', html, re.S)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize(("username", "password", "field", "label"), [
    ("ana\x00", "correct horse", "username", "Username"),
    ("\x00", "x", "username", "Username"),
    ("ana", "correct\x00horse", "password", "Password"),
])
def test_nul_in_the_sign_in_form_is_400_naming_the_field(client, session, user, username,
                                                         password, field, label):
    before = users(session)
    response = client.post("/sign-in", data={"username": username, "password": password})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), field) == (
        f"{label} must not contain NUL characters (\\x00).")
    assert client.get("/kams").status_code == 302  # not signed in
    assert users(session) == before


def test_nul_in_a_page_url_is_400(client, user):
    client.post("/sign-in", data={"username": "ana", "password": "correct horse"})
    for url in ("/kams/K%001", "/accounts?segment=key%00", "/kams?x%00=1",
                "/campaigns/C%00/results"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.get_data(as_text=True)


def test_page_numbers_beyond_a_column_are_400(client, user):
    client.post("/sign-in", data={"username": "ana", "password": "correct horse"})
    for page in ("99999999999999999999", "2147483648", "1" * 5000, "²"):
        for url in ("/kams", "/teams", "/accounts"):
            response = client.get(f"{url}?page={page}")
            assert response.status_code == 400, (url, page[:30])
            assert "page must be a whole number from 1 to 2147483647" in \
                response.get_data(as_text=True)


def test_every_int_in_a_url_rule_is_bounded(app):
    """One converter for all: a route added with ``<int:...>`` (or asking for more than a
    column holds) still matches nothing beyond ``MAX_ID``."""
    bounded = [(rule.rule, converter.max) for rule in app.url_map.iter_rules()
               for converter in rule._converters.values()
               if isinstance(converter, IntegerConverter)]
    assert len(bounded) >= 10
    assert all(high == MAX_ID for _rule, high in bounded), bounded


def test_huge_survey_invitation_ids_are_404(client):
    assert client.get("/survey/99999999999999999999999").status_code == 404
    assert client.get(f"/survey/{MAX_ID + 1}/thanks").status_code == 404
