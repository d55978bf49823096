"""The results pages in the machine's Chromium: a survey administrator signs in, reads a
closed campaign's results and one account's, on a desktop and a phone; axe-core finds no
serious or critical accessibility violation, and the charts come without any script."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_steps import DESKTOP, PHONE, check, console_errors, sign_in
from live_server import real_app, werkzeug_server
from playwright.sync_api import expect
from results_org import close, invitations_of, open_new_campaign, respond, seed_results_org
from sqlalchemy import update

from kamscore.models import ChosenBy, Stakeholder, User

pytestmark = pytest.mark.browser

LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900},
                                      {"width": 375, "height": 667}], ids=["desktop", "phone"])
def test_a_survey_administrator_reads_the_results(chromium, session, database_url, tmp_path,
                                                   viewport):
    seed_results_org(session)
    session.execute(update(Stakeholder).where(Stakeholder.email.in_(
        ["s0@stmary.example", "s4@stmary.example"])).values(chosen_by=ChosenBy.KAM))
    session.commit()
    campaign = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    for invitation in invitations_of(session, campaign):
        respond(session, invitation, LEVEL[invitation.rater_group])
    close(session, campaign)
    user = User(username="sam", name="Sam Surveys", roles="survey_admin")
    user.set_password("correct horse battery")
    session.add(user)
    session.commit()
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(f"{base}/campaigns/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Survey campaigns")
        assert serious(page) == []
        page.get_by_role("link", name=campaign.name).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("CS-26Q1")
        charts = page.get_by_role("img")
        assert charts.count() >= 3
        assert page.locator("script").count() == 0  # drawn on the server, no script at all
        expect(charts.first).to_be_visible()
        assert serious(page) == []
        page.get_by_role("link", name="St. Mary <Hospital>").click()
        expect(page.get_by_text("fewer than 3 responses — not shown")).to_be_visible()
        expect(page.locator("#chosen-by")).to_contain_text(
            "2 of the 7 people asked were chosen by the KAM himself (K01).")
        assert serious(page) == []
        context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_kams_360_page_shows_how_far_raters_agree(chromium, session, database_url, tmp_path,
                                                     device):
    seed_results_org(session)
    team = open_new_campaign(session, "360-26Q1", "internal_360")
    for n, invitation in enumerate(invitations_of(session, team)):
        # a profile over the items, each rater a little off it: real, imperfect agreement
        respond(session, invitation,
                lambda item, n=n: 1 + (sum(map(ord, item)) + (n % 3 == 0)) % 5)
    close(session, team)
    user = User(username="sam", name="Sam Surveys", roles="survey_admin")
    user.set_password("correct horse battery")
    session.add(user)
    session.commit()
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        context = chromium.new_context(**(DESKTOP if device == "desktop" else PHONE))
        page = context.new_page()
        errors = console_errors(page)
        sign_in(page, base, "sam", "correct horse battery", "/campaigns/360-26Q1/results/K01")
        expect(page.get_by_role("heading", name="How far raters agree")).to_be_visible()
        agreement = page.get_by_role("table", name="Agreement of the raters in each shown group")
        expect(agreement).to_contain_text("Colleagues (everyone but the KAM)")
        expect(agreement).to_contain_text("Raters agree")
        expect(page.get_by_role("columnheader", name="Completion")).to_be_visible()
        check(page, errors)
        page.get_by_text("All six intraclass correlations").click()
        expect(page.get_by_role("columnheader", name="ICC(3,k)")).to_be_visible()
        check(page, errors)
        page.get_by_role("link", name="show pairwise").click()
        expect(page.get_by_text("Cronbach's alpha (pairwise)")).to_be_visible()
        check(page, errors)
        context.close()
