"""The language of the staff pages (kamscore.web.language, kamscore.auth.preferences): the
user's setting, else the switch's choice, else the browser's Accept-Language; numbers and dates
by locale; the catalogue holds every marked text; bad choices are refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import gettext
from sqlalchemy import select

from kamscore.auth.users import create_user
from kamscore.models import User
from kamscore.web.number_format import day, money, number

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "kamscore" / "web" / "translations"
#: The keywords of docs/translations.md's extraction command (besides Babel's defaults).
KEYWORDS = {"_l": None, "add_nav_item": (3,)}


@pytest.fixture
def kim(session):
    user = create_user(session, None, username="kim", name="Kim Lee",
                       password="a-long-password-1", roles=["viewer"])
    session.commit()
    return user


def stored_choice(session) -> tuple[str | None, str | None]:
    """Kim's stored language and time zone (the read's transaction ends: on SQLite it would
    hold the write lock while the app serves the next request)."""
    row = session.execute(select(User.language, User.timezone).where(User.username == "kim"))
    choice = tuple(row.one())
    session.rollback()
    return choice


def page(client, path: str = "/sign-in", **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_english_without_a_choice(client):
    html = page(client)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html


@pytest.mark.parametrize("header", ["zh-TW", "zh-Hant", "zh-HK,en;q=0.5", "de-DE, zh;q=0.8"])
def test_the_browser_asks_for_traditional_chinese(client, header):
    html = page(client, **{"Accept-Language": header})
    assert '<html lang="zh-Hant">' in html
    assert "<h1>登入</h1>" in html
    assert "跳至主要內容" in html


def test_a_language_nobody_offers_reads_english(client):
    assert '<html lang="en">' in page(client, **{"Accept-Language": "fr-FR, de;q=0.5"})


def test_the_switch_before_signing_in_lasts_for_the_browser(client):
    response = client.post("/settings/language",
                           data={"switch-language": "zh-Hant", "switch-next": "/sign-in"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert '<html lang="zh-Hant">' in page(client, **{"Accept-Language": "en"})


def test_a_signed_in_user_keeps_his_choice_on_every_device(app, client, session, kim):
    client.post("/sign-in", data={"username": "kim", "password": "a-long-password-1"})
    response = client.post("/settings/language", data={
        "language": "zh-Hant", "timezone": "Asia/Taipei", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # never to another site
    assert stored_choice(session) == ("zh-Hant", "Asia/Taipei")

    other_device = app.test_client()
    other_device.post("/sign-in", data={"username": "kim", "password": "a-long-password-1"},
                      headers={"Accept-Language": "en"})
    assert "<h1>語言與時區</h1>" in page(other_device, "/settings/language",
                                        **{"Accept-Language": "en"})


def test_the_user_time_zone_moves_times(app, session, kim):
    kim.timezone = "Asia/Taipei"
    session.commit()
    from flask_babel import format_datetime
    from flask_login import login_user

    with app.test_request_context():
        login_user(session.get(User, kim.id))
        assert format_datetime(dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC), "HH:mm") == "04:00"


@pytest.mark.parametrize("field,data,message", [
    ("language", {"language": "xx", "timezone": ""}, "Not a valid choice"),
    ("timezone", {"language": "en", "timezone": "Mars/Olympus"}, "Not a valid choice"),
])
def test_a_bad_choice_is_refused_and_nothing_is_stored(client, session, kim, field, data,
                                                       message):
    client.post("/sign-in", data={"username": "kim", "password": "a-long-password-1"})
    response = client.post("/settings/language", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert stored_choice(session) == (None, None)


def test_numbers_and_dates_follow_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        assert day(dt.date(2026, 12, 6)) == "2026年12月6日"
        assert money(Decimal("12345.67"), "TWD") == "$12,345.67"
        assert money(Decimal("12345.67"), "EUR") == "€12,345.67"
        assert number(1234567) == "1,234,567"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert money(Decimal("12345.67"), "TWD") == "NT$12,345.67"


def test_a_text_missing_from_the_catalogue_reads_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        assert gettext("Sign in") == "登入"
        assert gettext("A sentence nobody has translated yet.") == (
            "A sentence nobody has translated yet.")


def _catalogue(language: str):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def test_every_marked_text_is_translated():
    """What the extraction finds in the code and templates is in the zh-Hant catalogue with a
    translation that is not fuzzy (docs/translations.md: extract, update, translate, compile)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    method_map = [(section.split(":", 1)[1].strip(), section.split(":", 1)[0].strip())
                  for section in config.sections()]
    from babel.messages.extract import DEFAULT_KEYWORDS

    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(ROOT), method_map,
                                             keywords={**DEFAULT_KEYWORDS, **KEYWORDS})}
    assert "Sign in" in found and "What-if" in found  # a template text and a nav label
    catalogue = _catalogue("zh_Hant")
    missing = sorted(text for text in found
                     if text not in catalogue or not catalogue[text].string
                     or catalogue[text].fuzzy)
    assert missing == [], "run the commands of docs/translations.md"


def _key(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """A message id or translation as a dict key: plural forms come as lists."""
    return text if isinstance(text, str) else tuple(text)


def test_the_compiled_catalogue_matches_its_source():
    with open(CATALOGUES / "zh_Hant" / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
    buffer = BytesIO()
    write_mo(buffer, _catalogue("zh_Hant"))
    buffer.seek(0)
    expected = {_key(m.id): _key(m.string) for m in read_mo(buffer) if m.id}
    assert compiled == expected, "run: pybabel compile -d kamscore/web/translations"
