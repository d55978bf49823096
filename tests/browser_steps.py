"""Steps the browser tests share (Playwright on the machine's Chromium): the devices they use,
a page that may load from the loopback address only, watching the console for errors,
signing in through the form, and the check every page visited must pass (axe-core finds no
violation, nothing scrolls sideways, the console stayed clean), and where the screenshots
they take go (``docs_image``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

#: the folder of the pictures in docs/ (taken by the browser tests)
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def docs_image(name: str) -> str:
    """Where a test saves the screenshot ``name`` that a page of docs/ shows: docs/images
    when ``KAMSCORE_DOCS_SCREENSHOTS=1`` (to refresh the docs' pictures:
    ``KAMSCORE_DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest -m browser -k sqlite``), else a
    temporary folder, so that an ordinary test run leaves the checkout as it was. The
    screenshot is taken either way."""
    if os.environ.get("KAMSCORE_DOCS_SCREENSHOTS") == "1":
        folder = DOCS_IMAGES
    else:
        folder = Path(tempfile.gettempdir()) / f"kamscore-screenshots-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
                         "is_mobile": True, "has_touch": True}


def loopback_only(page: Page) -> list[str]:
    """Refuse every request of ``page`` to another host than 127.0.0.1; the list of the
    refused URLs (a CDN, a font service) — a test expects it empty."""
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if urlparse(route.request.url).hostname != "127.0.0.1":
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    return foreign


def console_errors(page: Page) -> list[str]:
    """The errors ``page`` logs from now on (console errors and uncaught exceptions)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in(page: Page, base: str, username: str, password: str, then: str) -> None:
    """Sign in through the form, asking for ``then``; wait until the app brings us there."""
    page.goto(f"{base}/sign-in?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{then}")


def violations(page: Page) -> list[str]:
    """axe-core's violations on the page as shown, one readable line each."""
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def check(page: Page, errors: list[str] | None = None) -> None:
    """What every page visited must pass: no axe-core violation, no sideways scrolling and,
    when ``errors`` (``console_errors``) is given, nothing logged to the console."""
    found = violations(page)
    assert found == [], (page.url, found)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        page.url, wider_than_the_screen(page))
    if errors is not None:
        assert errors == [], page.url


def wider_than_the_screen(page: Page) -> list[str]:
    """The elements that reach past the right edge of the screen outside any scrolling box
    (what makes a page scroll sideways), and the page's width, for the failure message; a
    long word overflowing its box shows as the width alone."""
    return page.evaluate("""() => {
        const scrolls = e => {
            for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                const x = getComputedStyle(p).overflowX;
                if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
            }
            return false;
        };
        const wide = Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth && !scrolls(e))
            .slice(0, 8)
            .map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id} ` +
                      `(${Math.round(e.getBoundingClientRect().right)} px)`);
        return [...wide, `page width ${document.documentElement.scrollWidth} px`];
    }""")
