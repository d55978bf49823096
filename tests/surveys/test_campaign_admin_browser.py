"""Running a campaign in the machine's Chromium, on a desktop and a 360 px phone: a survey
administrator creates a campaign, previews it in English and Traditional Chinese, launches
it, sends a reminder, closes it and reads the results; a KAM proposes his 360° raters and
his manager approves them. Every page: axe-core finds no violation, nothing scrolls
sideways, the console has no error. The desktop run writes the screenshots of
docs/surveys.md (docs/images/campaigns-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import real_app, werkzeug_server
from playwright.sync_api import Page, expect
from results_org import invitations_of, respond, seed_results_org, spec
from sqlalchemy import select

from kamscore.models import Campaign, Person, Role, Team, TeamMember, User
from kamscore.surveys.campaigns import create_campaign
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


class Checker:
    """Checks each page and keeps the console's errors; screenshots on the desktop run."""

    def __init__(self, page: Page, shots: bool) -> None:
        self.page, self.shots, self.errors = page, shots, []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)

    def __call__(self, name: str | None = None) -> None:
        page = self.page
        assert violations(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
            page.url
        assert self.errors == [], page.url
        if name and self.shots:
            page.screenshot(path=docs_image(f"campaigns-{name}.png"), full_page=True)


def _users(session) -> None:
    session.add(Team(code="MT", name="Mona's KAMs", members=[
        TeamMember(person=p, function=Role.KAM)
        for p in session.scalars(select(Person).where(Person.role == Role.KAM))]))
    session.flush()
    people = {p.code: p for p in session.scalars(select(Person))}
    team = session.scalar(select(Team).where(Team.code == "MT"))
    for username, name, roles, person, teams in (
            ("sam", "Sam Surveys", "survey_admin", None, []),
            ("kim", "KAM 1", "kam", people["K01"], []),
            ("mia", "Mona Manager", "manager", people["M01"], [team])):
        user = User(username=username, name=name, roles=roles, person=person, teams=teams)
        user.set_password(PASSWORD)
        session.add(user)
    session.commit()


def sign_in(page: Page, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/sign-in?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{then}")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_run_a_campaign_and_nominate_raters(chromium, session, database_url, tmp_path, device):
    seed_results_org(session)
    _users(session)
    now = dt.datetime.now(dt.UTC)
    create_campaign(session, spec("360-NOM", "internal_360", kams=["K01"], name="Colleague 360",
                                  opens_at=now + dt.timedelta(days=3),
                                  closes_at=now + dt.timedelta(days=20),
                                  raters_nominated=True,
                                  nomination_minimums={"peer": 2, "cross_functional": 2}))
    session.commit()
    shots = device is DESKTOP and database_url.startswith("sqlite")  # one set of pictures
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        # --- the survey administrator -----------------------------------------------------
        context = chromium.new_context(**device)
        page = context.new_page()
        check = Checker(page, shots)
        sign_in(page, base, "sam", "/campaigns/")
        check()
        page.get_by_role("link", name="New campaign").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
        page.get_by_label("Survey definition").select_option("customer_satisfaction")
        page.get_by_label("Campaign code").fill("CS-LIVE")
        page.get_by_label("Period", exact=True).select_option("2026-Q1")
        page.get_by_label("St. Mary <Hospital> (A001)").check()
        opens = now + dt.timedelta(days=1)
        page.get_by_label("Opens").fill(opens.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Closes", exact=True).fill(
            (opens + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Reminders: days before the close").fill("7, 2")
        check("new")
        page.get_by_role("button", name="Create the draft campaign").click()
        expect(page.locator(".flash")).to_contain_text("Draft campaign CS-LIVE created")
        check()

        page.get_by_role("link", name="Preview in English").click()
        expect(page.locator(".preview-banner")).to_contain_text("Nothing you enter is saved")
        expect(page.get_by_role("heading", level=1)).to_contain_text("How are we doing")
        check("preview-en")
        page.get_by_role("link", name="Page 2").click()
        expect(page.locator(".preview-banner")).to_contain_text("page 2 of")
        check()
        page.get_by_role("link", name="Back to the campaign").click()
        page.get_by_role("link", name="Preview in 繁體中文").click()
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        check("preview-zh-hant")
        page.get_by_role("link", name="Back to the campaign").click()

        page.get_by_role("button", name="Launch now").click()
        expect(page.locator(".flash")).to_contain_text("Launched: invitations 7 sent")
        check()
        campaign = session.scalars(select(Campaign).where(Campaign.code == "CS-LIVE")).one()
        for invitation in invitations_of(session, campaign):  # all but the nurse answer
            if invitation.rater_group != "nurse":
                respond(session, invitation, LEVEL[invitation.rater_group],
                        now=dt.datetime.now(dt.UTC))
        session.commit()
        page.reload()
        expect(page.get_by_role("table", name="Invited and answered, by rater group")
               ).to_contain_text("Physicians")
        page.get_by_role("button", name="Send a reminder now").click()
        expect(page.locator(".flash")).to_contain_text("Reminder sent: 1 sent, 0 failed, "
                                                       "6 skipped")
        expect(page.get_by_role("table", name="Reminders sent")).to_contain_text("Reminder 1")
        check("open")
        page.get_by_role("button", name="Close now").click()
        expect(page.locator(".flash")).to_contain_text("Closed")
        check()
        page.get_by_role("link", name="Results").first.click()
        expect(page.get_by_role("link", name="Download the results as CSV")).to_be_visible()
        assert page.get_by_role("img").count() >= 3
        check("results")
        context.close()

        # --- the KAM proposes his raters --------------------------------------------------
        context = chromium.new_context(**device)
        page = context.new_page()
        check = Checker(page, shots)
        sign_in(page, base, "kim", "/nominations/")
        page.get_by_role("link", name="Colleague 360").click()
        for rater, group in (("KAM 2 (K02)", "Peer"), ("KAM 3 (K03)", "Peer"),
                             ("Mei MSL (P01)", "Cross-functional colleague"),
                             ("Max Access (P02)", "Cross-functional colleague")):
            page.get_by_label("Colleague", exact=True).select_option(label=rater)
            page.get_by_label("Rates as").select_option(label=group)
            page.get_by_role("button", name="Propose").click()
            expect(page.locator(".flash")).to_contain_text("Proposed")
        expect(page.get_by_role("table", name="Colleagues proposed")).to_contain_text(
            "Max Access")
        check("nominations-kam")
        context.close()

        # --- his manager approves them ----------------------------------------------------
        context = chromium.new_context(**device)
        page = context.new_page()
        check = Checker(page, shots)
        sign_in(page, base, "mia", "/nominations/team/")
        page.get_by_role("link", name="Colleague 360").click()
        expect(page.get_by_role("heading", name="KAM 1 K01")).to_contain_text("short")
        page.get_by_role("button", name="Approve every proposal of KAM 1").click()
        expect(page.locator(".flash")).to_contain_text("approved")
        expect(page.get_by_role("heading", name="KAM 1 K01")).to_contain_text("ready")
        check("nominations-manager")
        context.close()
