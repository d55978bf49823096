"""The customer survey in the machine's Chromium (Playwright), on a desktop and a phone:
validation error next to the field, leave and resume, submit, answers in the database, link
refused afterwards; axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import real_app, werkzeug_server
from playwright.sync_api import Page, expect
from sqlalchemy import select
from survey_org import live_campaign, token_for

from kamscore.models import SurveyDraft, SurveyResponse

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def choose(page: Page, name: str, value: str) -> None:
    """Pick an answer the way a person does: by its label."""
    radio = page.locator(f'input[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()


def no_sideways_scrolling(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_answer_the_customer_survey_in_a_browser(chromium, session, org, database_url, tmp_path,
                                                 device):
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="ann@stmary.example")
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        context = chromium.new_context(**device)
        page = context.new_page()
        page.goto(f"{base}/s/{token}")
        assert token not in page.url and re.search(r"/survey/\d+$", page.url)
        expect(page.locator("h1")).to_contain_text("How are we doing as your partner?")
        expect(page.locator(".progress")).to_have_text("Page 1 of 4")
        assert serious_violations(page) == []
        assert no_sideways_scrolling(page)

        # page 1 sent with one answer missing: the error is next to its field, focused
        choose(page, "nps", "6")
        page.get_by_role("button", name="Save and continue").click()
        error = page.locator("#overall_satisfaction-error")
        expect(error).to_have_text(re.compile("Please answer this question."))
        question = page.locator("#q-overall_satisfaction")
        expect(question.locator("#overall_satisfaction-error")).to_be_visible()
        # autofocus is applied at the browser's next rendering update, after the page is in
        # the DOM: wait for it rather than read the focus once
        expect(page.locator("#overall_satisfaction-0")).to_be_focused()
        described = page.locator("#overall_satisfaction-0").get_attribute("aria-describedby")
        assert "overall_satisfaction-error" in described
        expect(page.locator(".error-summary a")).to_have_attribute(
            "href", "#overall_satisfaction-0")
        expect(page).to_have_title(re.compile("^Error: "))
        assert page.locator('input[name="nps"][value="6"]').is_checked()  # kept
        assert serious_violations(page) == []

        choose(page, "overall_satisfaction", "4")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".progress")).to_have_text("Page 2 of 4")
        for row, value in (("trust", "5"), ("understanding", "4"), ("responsiveness", "4"),
                           ("communication", "3"), ("partnership", "5")):
            choose(page, f"relationship__{row}", value)
        assert no_sideways_scrolling(page)
        assert serious_violations(page) == []
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".progress")).to_have_text("Page 3 of 4")
        context.close()

        # the respondent leaves, comes back later from the e-mail link, and resumes
        context = chromium.new_context(**device)
        page = context.new_page()
        page.goto(f"{base}/s/{token}")
        expect(page.locator(".progress")).to_have_text("Page 3 of 4")
        page.get_by_role("button", name="Back").click()
        expect(page.locator(".progress")).to_have_text("Page 2 of 4")
        assert page.locator('input[name="relationship__partnership"][value="5"]').is_checked()
        page.get_by_role("button", name="Save and continue").click()
        choose(page, "contact_frequency", "quarterly")
        choose(page, "services__supply", "na")
        choose(page, "commitments_kept", "no")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".progress")).to_have_text("Page 4 of 4")
        page.get_by_label("What is the one thing we should improve first?").fill(
            "Answer faster <script>alert(1)</script>")
        assert serious_violations(page) == []
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("h1")).to_have_text("Thank you")
        expect(page.locator(".message")).to_contain_text("Your answers have been recorded")

        # the same link is refused afterwards
        page.goto(f"{base}/s/{token}")
        expect(page.locator("h1")).to_have_text("This survey has already been answered")
        assert serious_violations(page) == []
        context.close()

    session.expire_all()
    response = session.scalars(select(SurveyResponse)).one()
    answers = {a.item: (a.number, a.text) for a in response.answers}
    assert answers["overall_satisfaction"] == (4.0, None)
    assert answers["nps"] == (6.0, None)
    assert answers["relationship.trust"] == (5.0, None)
    assert answers["contact_frequency"] == (None, "quarterly")
    assert answers["services.supply"] == (None, "na")
    assert answers["commitments_kept"] == (0.0, "no")
    assert answers["improve"] == (None, "Answer faster <script>alert(1)</script>")
    assert response.invitation_id is None and response.anonymous
    assert session.scalars(select(SurveyDraft)).all() == []


def test_chinese_page_and_language_switch_in_a_browser(chromium, session, org, database_url,
                                                       tmp_path):
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="chen@tgh.example")
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.goto(f"{base}/s/{token}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.locator(".progress")).to_have_text("第 1 頁，共 4 頁")
        page.get_by_role("button", name="儲存並繼續").click()
        expect(page.locator("#overall_satisfaction-error")).to_contain_text("請回答此問題")
        assert serious_violations(page) == []
        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator(".progress")).to_have_text("Page 1 of 4")
        context.close()
