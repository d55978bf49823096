"""Traditional Chinese renders in real glyphs on the survey pages (the machine's Chromium):
the font Chromium draws the zh-Hant text with is a CJK font with glyphs for it, and two
different characters give two different bitmaps, neither of them the empty box ("tofu")
drawn for a character no font has.

The test takes the screenshot in docs/surveys.md: with ``KAMSCORE_DOCS_SCREENSHOTS=1`` it
writes it to docs/images/survey-zh-hant.png (otherwise to the test's temporary folder).
Needs a CJK font: Debian's ``fonts-noto-cjk`` (``.ci/run`` installs it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from live_server import real_app, werkzeug_server
from playwright.sync_api import Page, expect
from survey_org import live_campaign, token_for

pytestmark = pytest.mark.browser

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "survey-zh-hant.png"
#: Fonts that have Traditional Chinese glyphs, as the stylesheet names them.
CJK_FONTS = ("Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "PingFang TC",
             "Microsoft JhengHei")
#: A code point no font draws (a noncharacter): Chromium shows its empty box.
NO_GLYPH = "\U0010fffe"


def platform_fonts(page: Page, selector: str) -> dict[str, int]:
    """The fonts Chromium actually drew ``selector``'s text with: family → glyphs drawn."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def glyph_bitmap(page: Page, text: str) -> bytes:
    """A screenshot of ``text`` set in the question's font, 48 px, on the page itself."""
    page.evaluate("""(text) => {
        const probe = document.createElement('span');
        probe.id = 'glyph-probe';
        probe.textContent = text;
        probe.style.cssText = 'font-size:48px;line-height:1;display:inline-block;padding:2px';
        document.querySelector('legend').appendChild(probe);
    }""", text)
    try:
        return page.locator("#glyph-probe").screenshot()
    finally:
        page.evaluate("document.getElementById('glyph-probe').remove()")


def test_traditional_chinese_renders_in_real_glyphs(loopback_page, session, org, database_url,
                                                    tmp_path):
    page, foreign = loopback_page
    page.set_viewport_size({"width": 360, "height": 740})
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="chen@tgh.example")  # reads Chinese
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        page.goto(f"{base}/s/{token}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.locator("h1")).to_have_text("我們作為您的合作夥伴表現如何？")

        drawn = platform_fonts(page, "h1")
        assert any(name in drawn and drawn[name] > 0 for name in CJK_FONTS), drawn

        first, second, tofu = (glyph_bitmap(page, c) for c in ("我", "們", NO_GLYPH))
        assert first != second, "two characters drawn alike: empty boxes, not glyphs"
        assert tofu not in (first, second)

        page.locator('label[for="overall_satisfaction-3"]').click()
        page.locator('label[for="nps-8"]').click()
        shot = tmp_path / "survey-zh-hant.png"
        page.screenshot(path=str(shot), full_page=True)
    assert foreign == []
    assert shot.stat().st_size > 10_000
    if os.environ.get("KAMSCORE_DOCS_SCREENSHOTS") == "1":
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGE)
