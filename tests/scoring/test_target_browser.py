"""A target round in the machine's Chromium, on the app as production serves it (CSRF on):
issue 18's "done when" for targets.

On the tiny population with the tiny plan published, the analyst's round R1 (sales_target
of 2026-Q1, 1,000,000 top-down per KAM) is open. The KAM kim (K1), on his phone, proposes
1,050,000 with a reason; his manager mia adjusts it to 1,040,000 with hers; the approver bob
approves the round. The next score run reads the approved target: K1's attainment is
1,100,000 / 1,040,000 and his payout, worked out by hand below, is €1,100.96 to the cent.

Every page visited passes axe-core with no violation, does not scroll sideways and logs no
console error, at desktop width and at 360 px.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, loopback_only, sign_in
from playwright.sync_api import expect
from served_app import served
from target_population import add_team_and_users, make_round

from kamscore.models import AuditEvent
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score

pytestmark = pytest.mark.browser


def hand_worked_payout(approved: Decimal) -> Decimal:
    """TINY_PLAN for K1: sales 1,100,000 / approved between target (100 % pays 1.0) and cap
    (120 % pays 1.5), weight 70 %; formulary listed 1.0, weight 30 %; 1,000 at target."""
    attainment = Decimal(1_100_000) / approved
    factor = Decimal(1) + (attainment - 1) / Decimal("0.2") * Decimal("0.5")
    total = (factor * Decimal("0.7") + Decimal("0.3")) * 1000
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def test_a_kam_proposes_his_manager_adjusts_an_approver_approves(
        chromium, session, pm, tiny, published, database_url, tmp_path):
    add_team_and_users(session)
    now = dt.datetime.now(dt.UTC)
    make_round(session, now=now, deadline=now + dt.timedelta(days=7))
    session.rollback()  # SQLite: hold no lock while the app serves the browser
    contexts = []

    def browser_page(device: dict):
        context = chromium.new_context(**device)
        contexts.append(context)
        page = context.new_page()
        foreign = loopback_only(page)
        return page, console_errors(page), foreign

    try:
        with served(database_url, str(tmp_path / "instance")) as base:
            # -- the KAM, on his phone -----------------------------------------------------
            kim, kim_errors, foreign = browser_page(PHONE)
            sign_in(kim, base, "kim", "secret-kim", "/targets/mine/R1")
            expect(kim.locator("h1")).to_contain_text("Q1 targets")
            expect(kim.locator(".target-figures")).to_contain_text("€1,000,000.00")
            check(kim, kim_errors)
            kim.get_by_label("Your target").fill("1,050,000")
            kim.get_by_label("Why").fill("The Northern tender starts in April, not January.")
            kim.get_by_role("button", name="Propose sales_target").click()
            expect(kim.locator(".flash")).to_contain_text("Proposed")
            expect(kim.locator(".target-figures")).to_contain_text("€1,050,000.00")
            check(kim, kim_errors)

            # -- his manager: everything to decide on one page -----------------------------
            mia, mia_errors, _ = browser_page(DESKTOP)
            sign_in(mia, base, "mia", "secret-mia", "/targets/team/R1")
            expect(mia.locator(".lead")).to_contain_text("1 proposal waits for your decision")
            expect(mia.locator("main")).to_contain_text("The Northern tender starts in April")
            expect(mia.locator("main")).not_to_contain_text("Kam K3")  # not his team
            check(mia, mia_errors)
            card = mia.locator("section", has_text="Kam K1")
            card.get_by_label("Adjusted target").fill("1040000")
            card.get_by_label("Reason").fill("The tender starts in March.")
            card.get_by_role("button", name="Adjust Kam K1's sales_target").click()
            expect(mia.locator(".flash")).to_contain_text("Decision recorded: adjust")
            team_total = mia.locator("tr", has_text="North hospitals")
            for amount in ("€2,000,000.00", "€2,050,000.00", "€2,040,000.00"):
                expect(team_total).to_contain_text(amount)
            check(mia, mia_errors)

            # -- the approver ---------------------------------------------------------------
            bob, bob_errors, _ = browser_page(DESKTOP)
            sign_in(bob, base, "bob", "secret-bob", "/targets/rounds/R1")
            expect(bob.get_by_role("table", name="Totals of sales_target")).to_contain_text(
                "€3,540,000.00")
            check(bob, bob_errors)
            bob.get_by_role("button", name="Approve round R1").click()
            expect(bob.locator(".flash")).to_contain_text("Round approved")
            expect(bob.locator(".lead")).to_contain_text("Approved by bob")
            check(bob, bob_errors)

            # -- every page again at the other width ----------------------------------------
            for who, password, url in (("kim", "secret-kim", "/targets/mine/R1"),
                                       ("mia", "secret-mia", "/targets/team/R1"),
                                       ("bob", "secret-bob", "/targets/rounds/R1"),
                                       ("bob", "secret-bob", "/targets/rounds/")):
                for device in (DESKTOP, PHONE):
                    page, errors, _ = browser_page(device)
                    sign_in(page, base, who, password, url)
                    check(page, errors)
            assert foreign == []
    finally:
        for context in contexts:
            context.close()

    # -- the next score run reads the approved target, to the cent --------------------------
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    k1 = {line.kam_code: line for line in load_lines(session, run.id)}["K1"].detail
    sales = k1["components"][0]
    assert sales["inputs"]["sales_target"] == 1_040_000.0
    assert sales["value"] == 1_100_000 / 1_040_000
    assert Decimal(k1["payout"]) == hand_worked_payout(Decimal(1_040_000)) == Decimal("1100.96")
    actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)
               if e.action.startswith("target")]
    assert actions[-3:] == ["target.propose", "target.adjust", "target_round.approve"]
