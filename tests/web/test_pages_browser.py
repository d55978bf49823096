"""The staff pages in the machine's Chromium (Playwright), on a desktop and a phone: sign in
through the form, move around with the navigation, filter accounts; the skip link works from
the keyboard, nothing makes the page scroll sideways, and axe-core finds no serious or
critical accessibility violation."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from served_app import served

from kamscore.demo import DEMO_PASSWORD, DemoSpec, build_demo

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check(page: Page) -> None:
    assert serious_violations(page) == [], page.url
    assert fits_the_screen(page), page.url


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_browse_the_demo_organisation(chromium, session, database_url, tmp_path, device):
    build_demo(session, DemoSpec(size=0.5, seed=42, year=2025))
    session.commit()
    with served(database_url, str(tmp_path / "instance")) as base:
        context = chromium.new_context(**device)
        page = context.new_page()
        page.goto(base + "/")
        expect(page.locator(".stats")).to_contain_text("20 KAMs")
        check(page)

        # the skip link is the first stop of the keyboard and moves focus to the content
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

        # lists need signing in: the form brings the user back where they wanted to go
        page.goto(base + "/accounts")
        expect(page).to_have_url(re.compile(r"/sign-in\?next="))
        check(page)
        page.get_by_label("Username").fill("analyst")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".field__error")).to_have_text("Unknown username or wrong password.")
        check(page)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(base + "/accounts")
        expect(page.locator(".flash")).to_contain_text("Signed in as Compensation Analyst")
        check(page)

        # filter the accounts
        page.get_by_label("Segment").select_option("strategic")
        page.get_by_label("Type").select_option("hospital")
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(r"segment=strategic&type=hospital"))
        rows = page.locator("tbody tr")
        assert rows.count() > 0
        for cells in rows.all():
            expect(cells.locator("td").nth(1)).to_have_text("Hospital")
            expect(cells.locator("td").nth(2)).to_have_text("Strategic")

        # navigation: KAMs, one KAM, teams
        page.get_by_role("navigation", name="Main").get_by_role("link", name="KAMs").click()
        expect(page.locator("h1")).to_have_text("Key account managers")
        expect(page.get_by_role("link", name="KAMs", exact=True)).to_have_attribute(
            "aria-current", "page")
        check(page)
        page.locator("tbody th a").first.click()
        expect(page.locator("h2#assignments-title")).to_have_text("Account assignments")
        check(page)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
        expect(page.locator("section.card")).to_have_count(4)
        check(page)

        page.get_by_role("button", name="Sign out").click()
        expect(page.locator(".flash")).to_have_text("Signed out.")
        context.close()
