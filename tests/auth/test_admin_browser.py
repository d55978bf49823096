"""The administrators' pages in the machine's Chromium, on a desktop and a 360 px phone: an
admin creates a user (a refused weak password first), changes his roles, disables him; an
auditor filters the audit log and finds those steps. axe-core finds no serious or critical
violation, nothing scrolls sideways, and the pages run under the Content-Security-Policy
without a console error (no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from served_app import served
from world import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def _check(page, errors: list[str]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    assert errors == [], errors


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash")).to_contain_text("Signed in as")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_admin_manages_a_user_and_an_auditor_reads_the_log(chromium, session, app,
                                                                database_url, tmp_path,
                                                                world, device):
    session.close()
    with served(database_url, str(tmp_path / "instance")) as base:
        context = chromium.new_context(**device)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _sign_in(page, base, "admin", PASSWORD)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
        expect(page.locator("h1")).to_have_text("Users")
        _check(page, errors)

        page.get_by_label("Username").fill("nina")
        page.get_by_label("Full name").fill("Nina Newcomer")
        page.get_by_label("Password (12 characters or more)").fill("too short")
        page.get_by_label("kam: his own statements").check()
        page.get_by_label("Person code (for a KAM)").fill("K3")
        page.get_by_role("button", name="Create user").click()
        expect(page.locator(".field__error").first).to_contain_text("at least 12 characters")
        # the refused form is answered 400, which the console reports: that one is expected
        assert errors == ["Failed to load resource: the server responded with a status of 400 "
                          "(BAD REQUEST)"]
        errors.clear()
        _check(page, errors)
        page.get_by_label("Password (12 characters or more)").fill("a long enough password")
        page.get_by_label("kam: his own statements").check()
        page.get_by_role("button", name="Create user").click()
        expect(page.locator(".flash")).to_contain_text("User nina created.")
        expect(page.locator("h1")).to_contain_text("Nina Newcomer")
        _check(page, errors)

        page.get_by_label("auditor: reads everything").check()
        page.get_by_role("button", name="Save roles").click()
        expect(page.locator(".flash")).to_contain_text("his sessions have ended")
        page.get_by_role("button", name="Disable nina").click()
        expect(page.locator(".flash")).to_contain_text("nina disabled")
        expect(page.get_by_role("button", name="Enable nina")).to_be_visible()
        _check(page, errors)
        page.get_by_role("button", name="Sign out").click()

        _sign_in(page, base, "aud", PASSWORD)
        page.get_by_role("navigation", name="Main").get_by_role("link",
                                                                name="Audit log").click()
        page.get_by_label("Action").select_option("user.roles")
        page.get_by_role("button", name="Filter").click()
        table = page.locator("table tbody")
        expect(table.locator("tr")).to_have_count(1)
        expect(table).to_contain_text("admin")
        expect(table).to_contain_text("nina")
        _check(page, errors)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download as CSV").click()
        with open(download.value.path(), encoding="utf-8") as exported:
            text = exported.read()
        assert "user.roles" in text and "nina" in text
        context.close()
