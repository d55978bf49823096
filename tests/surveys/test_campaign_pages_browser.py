"""The results pages in the machine's Chromium: a survey administrator signs in, reads a
closed campaign's results and one account's, on a desktop and a phone; axe-core finds no
serious or critical accessibility violation, and the charts come without any script."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import real_app, werkzeug_server
from playwright.sync_api import expect
from results_org import close, invitations_of, open_new_campaign, respond, seed_results_org

from kamscore.models import User

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
        assert serious(page) == []
        context.close()
