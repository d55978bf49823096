"""The people pages in the machine's Chromium, on a desktop and a 360 px phone: a KAM reads
his scorecard with its trends and raises a query on a line of his statement; an analyst
answers it from the queue; the KAM reads the answer and resolves it; a manager reads his
team view. axe-core finds no violation at all, nothing scrolls sideways, no console error,
nothing is loaded from elsewhere. The screenshots in docs/people.md are taken here.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from people_surveys import add_nominations, add_surveys
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tiny_population import build_tiny  # noqa: F401  (the world is built on it)
from werkzeug.serving import make_server
from world import PASSWORD

from kamscore.models import Account, Fact, Period, PeriodKind
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.runs import run_score
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
#: earlier quarters, each account's net sales (target 1,000,000): a trend to draw
EARLIER = {"2025-Q3": {"A1": 850_000, "A2": 950_000, "A3": 780_000, "A4": 0},
           "2025-Q4": {"A1": 980_000, "A2": 1_050_000, "A3": 820_000, "A4": 0}}


def add_earlier_periods(session, app) -> None:
    """Two earlier quarters with sales facts and a run each (the tiny plan is published)."""
    pm = get_plugin_manager(app)
    accounts = {a.code: a for a in session.scalars(select(Account))}
    for code, sales in EARLIER.items():
        year, quarter = int(code[:4]), int(code[-1])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
               - dt.timedelta(days=1))
        period = Period(code=code, kind=PeriodKind.QUARTER, start_date=start, end_date=end)
        session.add(period)
        session.flush()
        for account_code, value in sales.items():
            account = accounts[account_code]
            for name, amount in (("net_sales", value), ("sales_target", 1_000_000)):
                session.add(Fact(period_id=period.id, name=name, value=amount, unit="EUR",
                                 source="test", account_id=account.id,
                                 subject_key=Fact.make_subject_key(account=account.code)))
        session.commit()
        run_score(session, pm, period=code, ruleset="tiny", user="ana")
    session.commit()


@pytest.fixture
def live_server(app, session, world):
    add_earlier_periods(session, app)
    add_surveys(session)
    add_nominations(session)
    session.rollback()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


class Browser:
    """A page of a fresh context: loads from 127.0.0.1 only, collects console errors."""

    def __init__(self, chromium, device: dict, base: str) -> None:
        self.context = chromium.new_context(**device)
        self.page = self.context.new_page()
        self.base = base
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._guard)
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _guard(self, route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def sign_in(self, username: str, path: str) -> Page:
        page = self.page
        self.context.clear_cookies()
        page.goto(f"{self.base}/sign-in?next={path}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**{path}")
        return page

    def check(self) -> None:
        violations = Axe().run(self.page).response["violations"]
        assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in violations] == [], self.page.url
        assert self.page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"), self.page.url
        assert self.errors == [] and self.foreign == [], self.page.url

    def shot(self, name: str) -> None:
        self.page.screenshot(path=docs_image(name), full_page=True)


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_kam_a_query_an_analyst_and_a_manager(chromium, live_server, world, device):
    name = "phone" if device is PHONE else "desktop"
    browser = Browser(chromium, device, live_server)
    try:
        # the KAM's scorecard: trends over three quarters, the estimate, the next steps
        page = browser.sign_in("kim", "/me/scorecard")
        expect(page.get_by_role("heading", level=1)).to_have_text("My scorecard")
        expect(page.locator(".estimate")).to_contain_text("If 2026-Q1 closed today")
        expect(page.locator(".moves")).to_contain_text("Sales attainment")
        payout = page.get_by_role("img", name="Your payout by period")
        expect(payout).to_be_visible()
        assert "2025-Q3" in payout.inner_html() and "2026-Q1" in payout.inner_html()
        assert page.locator("svg.trend").count() >= 4  # payout, score, two measures
        expect(page.get_by_role("table", name="Your statements, period by period")
               ).to_contain_text("€1,175.00")
        browser.check()
        browser.shot(f"scorecard-{name}.png")

        # a query on the statement's sales line
        page.get_by_role("link", name="2026-Q1").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kam K1: 2026-Q1 statement")
        page.get_by_label("About which line").select_option(label="Sales attainment")
        page.get_by_label("Your question").fill("Which sales count towards my 110%?")
        page.get_by_role("button", name="Send the question").click()
        expect(page.locator(".flash--success")).to_contain_text("sent to the comp team")
        expect(page.locator("#queries")).to_contain_text("Which sales count towards my 110%?")
        browser.check()
        page.locator("#queries").screenshot(path=docs_image(f"scorecard-query-{name}.png"))

        # the comp team answers from its queue
        page = browser.sign_in("ana", "/scoring/queries/")
        expect(page.locator(".query")).to_contain_text("Which sales count towards my 110%?")
        browser.check()
        browser.shot(f"scorecard-queue-{name}.png")
        page.get_by_label("Answer to Kam K1").fill(
            "Net sales of Hospital 1 in the quarter, against its target of €1,000,000.")
        page.get_by_role("button", name="Send the answer").click()
        expect(page.locator(".flash--success")).to_contain_text("is answered")
        expect(page.get_by_text("No open queries.")).to_be_visible()

        # the KAM reads the answer on his statement and resolves the query
        page = browser.sign_in("kim", f"/scoring/runs/{world.run_id}/statements/K1")
        queries = page.locator("#queries")
        expect(queries).to_contain_text("against its target of €1,000,000")
        expect(queries.locator(".tag")).to_have_text("answered")
        browser.check()
        page.get_by_role("button", name="Mark as resolved").click()
        expect(page.locator("#queries .tag")).to_have_text("resolved")
        browser.check()
        page.locator("#queries").screenshot(
            path=docs_image(f"scorecard-answer-{name}.png"))

        # the manager's team view: T1's KAMs, their scores and payouts, the trends
        page = browser.sign_in("mia", "/team/")
        expect(page.get_by_role("heading", level=1)).to_have_text("My team")
        table = page.get_by_role("table", name="Score by period (100% = on target), and "
                                               "the latest payout")
        expect(table).to_contain_text("Kam K1")
        expect(table).to_contain_text("Kam K2")
        expect(table).not_to_contain_text("Kam K3")
        expect(page.get_by_role("img", name="Team median score by period")).to_be_visible()
        waiting = page.locator(".waiting")
        expect(waiting).to_contain_text("3 proposals of 360° raters wait for your decision")
        expect(waiting.get_by_role("link", name="Approve raters")).to_have_attribute(
            "href", "/nominations/team/")
        browser.check()
        browser.shot(f"team-{name}.png")

        # one of his KAMs' scorecards, read-only: the same page the KAM sees
        table.get_by_role("link", name="Kam K1").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kam K1: scorecard")
        expect(page.locator(".estimate")).to_contain_text("If 2026-Q1 closed today")
        expect(page.get_by_role("img", name="Kam K1: payout by period")).to_be_visible()
        expect(page.get_by_role("table", name="The statements, period by period")
               ).to_contain_text("€1,175.00")
        expect(page.locator("main")).not_to_contain_text("Kam K2")
        expect(page.locator("main form")).to_have_count(0)  # read-only
        browser.check()
        browser.shot(f"team-kam-{name}.png")
        page.get_by_role("link", name="My team").last.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    finally:
        browser.context.close()
