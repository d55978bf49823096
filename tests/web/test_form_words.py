"""The forms' own messages in the reader's language (issue 20): WTForms' checks ("This field
is required.", "Not a valid integer value.", the number and length ranges) read in
Traditional Chinese from WTForms' ``zh_TW`` catalogue for a zh-Hant user, in English for an
English user; Flask-WTF's CSRF refusals read from our catalogue
(``kamscore.web.form_words``)."""

from __future__ import annotations

import datetime as dt

import pytest
from signed_in import sign_in_new_user
from sqlalchemy import select

from kamscore.models import AuditEvent, Campaign, PayEntry, PaymentHold, User
from kamscore.web.form_words import CSRF_TEXTS, FormTranslations, csrf_text

SOON = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")


def sign_in(client, session, language: str | None, roles: str = "admin") -> None:
    sign_in_new_user(client, session, f"boss-{language}", roles, language=language)


#: (path, data, English messages, their Traditional Chinese) — each post is refused (400).
CASES = [
    pytest.param("/admin/users", {"username": "", "password": "", "roles": ["viewer"]},
                 ["This field is required."], ["此欄位是必需的。"], id="user"),
    pytest.param("/admin/users", {"username": "x" * 81, "password": "p" * 12,
                                  "roles": ["viewer"]},
                 ["Field cannot be longer than 80 characters."],
                 ["欄位長度不能超過 80 個字元。"], id="user-length"),
    pytest.param("/pay/adjustments", {"kind": "adjustment", "amount": "", "reason": "",
                                      "run": "seven"},
                 ["This field is required.", "Not a valid integer value."],
                 ["此欄位是必需的。", "不是有效的整數值。"], id="adjustment"),
    pytest.param("/campaigns/manage/new", {
        "survey": "customer_satisfaction", "code": "CS-WEB", "period": "2026-Q1",
        "languages": ["en"], "opens_at": SOON, "closes_at": LATER, "timezone": "UTC",
        "raters": "organisation", "min_peer": "99", "min_manager": "-1"},
                 ["Number must be between 0 and 50."], ["數字必須介於 0 和 50 之間。"],
                 id="campaign"),
    pytest.param("/holds/", {"run": "abc", "kam": "K1"},
                 ["Not a valid integer value."], ["不是有效的整數值。"], id="hold"),
]


@pytest.mark.parametrize(("path", "data", "english", "chinese"), CASES)
def test_a_refused_form_speaks_the_readers_language(client, session, path, data, english,
                                                    chinese):
    sign_in(client, session, "zh-Hant")
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422), html
    for zh, en in zip(chinese, english, strict=True):
        assert zh in html
        assert en not in html
    assert session.scalar(select(PayEntry.id)) is None
    assert session.scalar(select(PaymentHold.id)) is None
    assert session.scalar(select(Campaign.id)) is None
    assert session.scalar(select(AuditEvent.id)) is None
    assert set(session.scalars(select(User.username))) == {"boss-zh-Hant"}


@pytest.mark.parametrize(("path", "data", "english", "chinese"), CASES)
def test_an_english_reader_keeps_wtforms_english(client, session, path, data, english,
                                                 chinese):
    sign_in(client, session, "en")
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422), html
    for zh, en in zip(chinese, english, strict=True):
        assert en in html
        assert zh not in html


def test_zh_hant_reads_the_traditional_catalogue_not_the_simplified(app):
    """WTForms' ``zh`` is Simplified Chinese; gettext's fallback from ``zh_Hant`` would find
    it."""
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        said = FormTranslations().gettext("Invalid email address.")
        assert said == "無效的電子郵件地址。"  # Simplified: 无效的电子邮件地址。
        assert FormTranslations().ngettext("Field must be at least %(min)d character long.",
                                           "Field must be at least %(min)d characters long.",
                                           3) == "欄位長度必須至少為 %(min)d 個字元。"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert FormTranslations().gettext("Invalid email address.") == "Invalid email address."


def test_the_csrf_refusals_are_translated(app):
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        for english in CSRF_TEXTS:
            said = csrf_text(english)
            assert said != english and not any(c.islower() for c in said), said
        assert csrf_text("something else") == "something else"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert csrf_text("The CSRF token has expired.") == (
            "The form has expired: reload the page and try again.")


def test_a_form_sent_without_its_token_is_refused_in_chinese(app, session):
    """With CSRF protection on (as in production), a post without a token answers 400 with
    the reason in the reader's language; nothing is written."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in(client, session, "zh-Hant")
    response = client.post("/admin/users", data={"username": "eve", "password": "p" * 12,
                                                  "roles": ["viewer"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The CSRF token is missing." not in html
    assert "表單的安全憑證" in html
    assert set(session.scalars(select(User.username))) == {"boss-zh-Hant"}
