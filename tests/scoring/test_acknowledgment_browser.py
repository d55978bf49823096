"""Plan acknowledgment and payment holds in the machine's Chromium (issue 18's "done when"):
the tiny plan holds the payouts of KAMs who have not acknowledged it. KAM K1 (``kim``) has
not when 2026-Q1's payroll is exported, so he is held and not in it; he then reads his plan
document and acknowledges it with his password; the analyst sees who has acknowledged and
releases the hold; 2026-Q2's payroll pays K1's 1,175.00 EUR naming 2026-Q1 and its run.

Every page visited: axe-core 0 violations, nothing scrolls sideways, no console error, at
desktop width and at 360 px."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, sign_in
from playwright.sync_api import expect
from sqlalchemy import select
from tiny_population import TINY_PLAN, publish

from kamscore.models import PaymentHold, Period, PeriodKind, Person, PlanAcknowledgment, User
from kamscore.scoring.payroll import export_payroll
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score

pytestmark = pytest.mark.browser


def _payroll(session, pm, run_id):
    _, data = export_payroll(session, run_id, user="ana", file_format="csv", pm=pm)
    session.commit()
    return {r["KAM code"]: (r["Payout"], r["Note"])
            for r in csv.DictReader(io.StringIO(data.decode("utf-8")))}


def test_a_kam_acknowledges_and_his_held_payout_is_paid_after_release(
        loopback_page, session, pm, tiny, live_server):
    version = publish(session, pm, TINY_PLAN + "acknowledgment: {hold_payouts: true}\n")
    kim = session.scalar(select(User).where(User.username == "kim"))
    kim.person_id = tiny.people["K1"]
    session.add(Period(code="2026-Q2", kind=PeriodKind.QUARTER,
                       start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 30)))
    session.commit()
    q1 = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    q1_id, version_id = q1.id, version.id
    first = _payroll(session, pm, q1_id)
    assert "K1" not in first  # not acknowledged: held
    session.rollback()

    page, foreign = loopback_page
    errors = console_errors(page)
    visited: dict[str, list[str]] = {"kim": [], "ana": []}

    # K1 reads his plan for 2026-Q2 (open) and 2026-Q1, and acknowledges 2026-Q1
    sign_in(page, live_server, "kim", "secret-kim", "/plans/mine")
    page.set_viewport_size(DESKTOP["viewport"])
    check(page, errors)
    visited["kim"].append("/plans/mine")
    document = f"/plans/mine/{version_id}/2026-Q1"
    page.goto(live_server + document)
    expect(page.locator(".plan-document")).to_contain_text("Your target incentive: 1,000.00 EUR")
    check(page, errors)
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Acknowledge my plan").click()
    expect(page.locator(".field__error")).to_contain_text("the password is not right")
    assert [e for e in errors if "status of 403" not in e] == []  # the refusal: a 403 page
    errors.clear()
    check(page, errors)
    assert session.scalar(select(PlanAcknowledgment)) is None
    session.rollback()
    page.get_by_label("Your password").fill("secret-kim")
    page.get_by_role("button", name="Acknowledge my plan").click()
    expect(page.locator("p.notice")).to_contain_text("You acknowledged this plan")
    check(page, errors)
    visited["kim"].append(document)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the document you acknowledged").click()
    kept = session.scalar(select(PlanAcknowledgment.document))
    session.rollback()
    assert download.value.path().read_text(encoding="utf-8") == kept

    # the analyst sees it and releases K1's hold into 2026-Q2
    page.context.clear_cookies()
    sign_in(page, live_server, "ana", "secret-ana", "/plans/acknowledgments")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("2026-Q2")
    check(page, errors)
    visited["ana"].append("/plans/acknowledgments")
    page.goto(f"{live_server}/holds/")
    check(page, errors)
    hold_id = session.scalar(select(PaymentHold.id).where(
        PaymentHold.person_id == tiny.people["K1"]))
    session.rollback()  # SQLite: hold no lock while the app writes
    page.get_by_label(f"Release hold {hold_id}").click()
    expect(page.locator(".flashes")).to_contain_text(
        "paid in the payroll of 2026-Q2")
    check(page, errors)
    visited["ana"].append("/holds/")
    statement = f"/scoring/runs/{q1_id}/statements/K1"
    page.goto(live_server + statement)
    expect(page.locator("#holds")).to_contain_text("released, paid with 2026-Q2")
    check(page, errors)
    visited["ana"].append(statement)

    q2 = run_score(session, pm, period="2026-Q2", ruleset="tiny", user="ana")
    session.commit()
    close_period(session, "2026-Q2", user="bob")
    session.commit()
    assert _payroll(session, pm, q2.id)["K1"] == (
        "1175.00", f"released hold {hold_id}: whole payout of 2026-Q1, run {q1_id} "
                   "(plan not acknowledged)")
    assert session.get(Person, tiny.people["K1"]).code == "K1"
    session.rollback()

    page.set_viewport_size(PHONE["viewport"])
    for who, password in (("ana", "secret-ana"), ("kim", "secret-kim")):
        page.context.clear_cookies()
        sign_in(page, live_server, who, password, visited[who][0])
        for url in visited[who]:
            page.goto(live_server + url)
            check(page, errors)
    assert foreign == []
