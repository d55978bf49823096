"""The language switch in the machine's Chromium, as a KAM on a 360 px phone and as an analyst
on a desktop: the footer's switch turns the page into Traditional Chinese in real glyphs, the
choice follows the user to his next sign-in, and the page passes axe-core without scrolling
sideways."""

from __future__ import annotations

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, docs_image, loopback_only
from browser_steps import sign_in as sign_in_through_form
from playwright.sync_api import expect
from served_app import served

from kamscore.demo import DEMO_PASSWORD, DemoSpec, build_demo

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("device", "username"), [(PHONE, "kam"), (DESKTOP, "analyst")],
                         ids=["kam-phone", "analyst-desktop"])
def test_switch_to_traditional_chinese_and_keep_it(chromium, session, database_url, tmp_path,
                                                   device, username):
    build_demo(session, DemoSpec(size=0.5, seed=42, year=2025))
    session.commit()
    with served(database_url, str(tmp_path / "instance")) as base:
        context = chromium.new_context(**device, locale="en-GB")
        page = context.new_page()
        foreign = loopback_only(page)
        errors = console_errors(page)
        sign_in_through_form(page, base, username, DEMO_PASSWORD, "/")
        expect(page.locator("html")).to_have_attribute("lang", "en")

        page.get_by_label("Language").select_option("zh-Hant")
        page.get_by_role("button", name="Change").click()
        page.wait_for_url(f"{base}/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.get_by_role("button", name="登出")).to_be_visible()
        expect(page.get_by_role("navigation", name="主選單")).to_contain_text("首頁")
        # the glyphs are drawn by a CJK font, not by boxes: the text is as wide as CJK text
        width = page.evaluate("""() => {
            const probe = document.createElement('span');
            probe.textContent = '首頁首頁首頁';
            document.body.append(probe);
            const w = probe.getBoundingClientRect().width;
            probe.remove();
            return w / parseFloat(getComputedStyle(document.body).fontSize);
        }""")
        assert 5.5 <= width <= 6.5, width  # six full-width characters, one em each
        check(page, errors)
        page.screenshot(path=docs_image(f"language-zh-hant-{username}.png"), full_page=True)

        # the settings page: also his time zone; the choice is his on the next sign-in
        page.goto(base + "/settings/language")
        expect(page.get_by_role("heading", level=1)).to_have_text("語言與時區")
        check(page, errors)
        page.get_by_role("button", name="登出").click()
        other = chromium.new_context(**device, locale="en-GB").new_page()
        sign_in_through_form(other, base, username, DEMO_PASSWORD, "/")
        expect(other.locator("html")).to_have_attribute("lang", "zh-Hant")
        assert foreign == []
