"""A service's refusal after a rejected form reads in the reader's language (issue 20): the
services write their refusals with ``kamscore.texts._`` where they raise them, so a zh-Hant
user reads them in Traditional Chinese on the users, pay ledger, holds and run pages (the
survey pages' are in tests/surveys/test_campaign_admin_pages.py); the JSON API's
``message``s stay English whatever the caller's language, and nothing is written."""

from __future__ import annotations

import datetime as dt
from html import unescape

from signed_in import sign_in_new_user
from sqlalchemy import func, select
from untranslated import english_left

from kamscore.models import (
    AuditEvent,
    PayEntry,
    PaymentHold,
    Period,
    PeriodKind,
    PeriodStatus,
    Person,
    Role,
    User,
)

CLOSED_AT = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)


def sign_in(client, session, username: str = "boss", language: str | None = "zh-Hant",
            roles: str = "admin") -> None:
    sign_in_new_user(client, session, username, roles, language=language)


def seed(session) -> None:
    session.add_all([
        Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=dt.date(2026, 1, 1),
               end_date=dt.date(2026, 3, 31), status=PeriodStatus.CLOSED, closed_at=CLOSED_AT),
        Period(code="2026-Q2", kind=PeriodKind.QUARTER, start_date=dt.date(2026, 4, 1),
               end_date=dt.date(2026, 6, 30)),
        Person(code="K01", name="Kai Lin", role=Role.KAM)])
    session.commit()


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _errors(html: str) -> list[str]:
    """The texts of the page's error messages (field errors and flashed errors)."""
    import re

    return [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in re.findall(
        r'<(?:p|li|div|span)[^>]*class="[^"]*(?:error|flash--error)[^"]*"[^>]*>(.*?)</',
        html, re.S)]


def test_the_users_page_refuses_in_chinese(client, session):
    sign_in(client, session)
    taken = client.post("/admin/users", data={"username": "boss", "password": "p" * 12,
                                               "roles": ["viewer"]})
    assert taken.status_code == 400
    assert "已有名為 'boss' 的使用者" in _page(taken)
    short = client.post("/admin/users", data={"username": "eve", "password": "short",
                                               "roles": ["viewer"]})
    assert "長度至少須為 12 個字元" in _page(short)
    kam = client.post("/admin/users", data={"username": "eve", "password": "p" * 12,
                                             "roles": ["kam"]})
    html = _page(kam)
    assert "具有「kam」角色的使用者必須連結到本人的人員資料" in html
    assert "must be linked" not in html and "already a user" not in html
    assert set(session.scalars(select(User.username))) == {"boss"}
    assert session.scalar(select(func.count(AuditEvent.id))) == 0


def test_the_pay_ledger_refuses_in_chinese(client, session):
    seed(session)
    sign_in(client, session)
    zero = client.post("/pay/adjustments", data={
        "kam": "K01", "period": "2026-Q2", "kind": "adjustment", "amount": "0", "reason": "x"})
    assert zero.status_code == 422
    html = _page(zero)
    assert "0.00 的調整不會改變任何金額" in html and "changes nothing" not in html
    settled_free = client.post("/pay/adjustments", data={
        "kam": "K01", "period": "2026-Q2", "kind": "spiff", "amount": "-5", "reason": "x"})
    assert "SPIFF 必須是正數金額，而不是 -5.00" in _page(settled_free)
    assert session.scalar(select(func.count(PayEntry.id))) == 0
    session.rollback()  # SQLite: no read transaction left open while the app writes
    entered = client.post("/pay/adjustments", data={
        "kam": "K01", "period": "2026-Q2", "kind": "adjustment", "amount": "100",
        "reason": "x"})
    assert entered.status_code == 303
    entry_id = session.scalar(select(PayEntry.id))
    session.rollback()
    own = client.post(f"/pay/adjustments/{entry_id}/approve", follow_redirects=True)
    html = _page(own)
    assert f"boss 輸入了項目 {entry_id}：依四眼原則，須由另一人核准" in html
    assert "four-eyes" not in html
    session.rollback()
    assert session.scalar(select(PayEntry.approved_by)) is None


def test_holds_and_the_period_close_refuse_in_chinese(client, session):
    seed(session)
    sign_in(client, session)
    hold = client.post("/holds/", data={"run": "999", "kam": "K01", "reason": "other"})
    assert hold.status_code == 404
    html = _page(hold)
    assert "沒有計算 999" in html and "no score run" not in html
    assert session.scalar(select(func.count(PaymentHold.id))) == 0
    session.rollback()
    again = client.post("/scoring/periods/2026-Q1/close", data={"confirm": "y"},
                        follow_redirects=True)
    html = _page(again)
    assert "2026-Q1 已於 2026-04-02 09:30 UTC 結算" in html
    assert [e for e in _errors(html) if english_left(e, {"UTC"})] == []


def test_the_api_keeps_its_messages_english(client, session):
    """The same refusal through the JSON API, for a zh-Hant user asking in Chinese: its
    ``message`` is English (programs and logs read it)."""
    seed(session)
    sign_in(client, session)
    response = client.post("/api/v1/pay/entries", json={
        "kam": "K01", "period": "2026-Q2", "kind": "adjustment", "amount": "0",
        "reason": "x"}, headers={"Accept-Language": "zh-TW"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "an adjustment of 0.00 changes nothing" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(PayEntry.id))) == 0
