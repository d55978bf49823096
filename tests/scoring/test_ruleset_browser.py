"""Rulesets in the machine's Chromium, on a desktop and a 360 px phone: an analyst uploads a
draft, types a mistake and sees the server's problem beside its line, keeps the text as work
in progress, fixes it and saves it as a draft, and reads its changes against the published
version; an approver approves and publishes it, each after confirming. axe-core finds no
violation on any page, nothing scrolls sideways, the console stays clean and nothing is
loaded from elsewhere. The desktop run saves the screenshots of docs/scoring.md."""

from __future__ import annotations

import re

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, loopback_only
from browser_steps import sign_in as sign_in_as
from playwright.sync_api import Page, expect
from tiny_population import TINY_PLAN

from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser

HALF = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")


def sign_in(page: Page, base: str, username: str, then: str) -> None:
    sign_in_as(page, base, username, f"secret-{username}", then)


def select_on_line(page: Page, line: int, word: str) -> None:
    """Select ``word`` on ``line`` of the editor, as a mouse double-click would."""
    page.evaluate("""([line, word]) => {
        const text = document.getElementById('source');
        const lines = text.value.split('\\n');
        let offset = 0;
        for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
        const start = offset + lines[line - 1].indexOf(word);
        text.focus();
        text.setSelectionRange(start, start + word.length);
    }""", [line, word])


def shot(page: Page, name: str, save: bool) -> None:
    if save:
        page.screenshot(path=docs_image(name), full_page=True)


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_draft_keep_fix_compare_approve_publish(chromium, session, published, live_server,
                                                device):
    session.rollback()  # SQLite: hold no lock while the app serves the browser
    desktop = device is DESKTOP
    context = chromium.new_context(**device)
    page = context.new_page()
    foreign = loopback_only(page)
    errors = console_errors(page)
    base = live_server

    # the analyst uploads a file: it is read into the editor and checked at once
    sign_in(page, base, "ana", "/scoring/rulesets")
    check(page)
    page.get_by_role("link", name="New draft").click()
    page.wait_for_url("**/scoring/rulesets/new")
    check(page)
    page.get_by_label("Upload a YAML file").set_input_files(files=[{
        "name": "tiny-half.yaml", "mimeType": "text/yaml", "buffer": HALF.encode()}])
    status = page.locator("#editor-status")
    expect(status).to_have_text("Valid: Tiny plan can be saved as a draft.")
    expect(page.get_by_label("File name")).to_have_value("tiny-half.yaml")
    expect(page.locator("#editor-changes")).to_contain_text(
        "What it changes against tiny v1 (published)")
    expect(page.locator(".editor__gutter span")).to_have_count(HALF.count("\n") + 1)

    # a typing mistake: the server's problem shows beside line 12 while typing
    select_on_line(page, 12, "sales_attainment")
    page.keyboard.type("sales")
    expect(status).to_have_text(re.compile(r"^1 problem: it can be kept as work in progress"))
    problem = re.compile(r"^12: components\[0\]\.metric: unknown metric 'sales'")
    expect(page.locator("#editor-problems li")).to_have_text(problem)
    expect(page.locator(".editor__gutter span.has-problem")).to_have_text("12")
    if desktop:
        note = page.locator(".editor__note")
        expect(note).to_have_text(problem)
        line_box = page.locator(".editor__gutter span").nth(11).bounding_box()
        note_box = note.bounding_box()
        assert abs(note_box["y"] - line_box["y"]) < 2  # on the same row as line 12
        assert note_box["x"] > page.locator("#source").bounding_box()["x"]  # beside the text
    check(page)
    shot(page, "rulesets-editor.png" if desktop else "rulesets-editor-phone.png", True)

    # saving is refused; keeping it as work in progress is not
    page.get_by_role("button", name="Keep as work in progress").click()
    page.wait_for_url("**/scoring/rulesets/work-in-progress/*")
    expect(page.locator(".flash")).to_contain_text("Kept as work in progress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Work in progress: Tiny plan")
    expect(page.locator("#editor-problems li")).to_have_text(problem)
    check(page)

    # fixed, it validates and is saved as a draft; its page compares it with the published one
    select_on_line(page, 12, "sales")
    page.keyboard.type("sales_attainment")
    expect(status).to_have_text("Valid: Tiny plan can be saved as a draft.")
    page.get_by_label("What changes and why").fill("Half on formulary, as the KAMs asked.")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/scoring/rulesets/tiny/2")
    expect(page.locator(".flash")).to_contain_text("Saved tiny v2 as a draft")
    expect(page.locator("#changes-title")).to_have_text(
        "What changes against tiny v1 (published)")
    changes = page.get_by_role("table", name="2 changes in plan terms")
    expect(changes).to_contain_text("component sales")
    expect(changes.locator("tr", has_text="component sales")).to_contain_text("70 %")
    expect(changes.locator("tr", has_text="component sales")).to_contain_text("50 %")
    expect(page.get_by_role("link", name="Approve…")).to_have_count(0)  # an analyst
    check(page)
    shot(page, "rulesets-diff.png", desktop)
    page.get_by_role("button", name="Sign out").click()

    # the approver approves, then publishes, each after confirming
    sign_in(page, base, "bob", "/scoring/rulesets/tiny/2")
    page.get_by_role("link", name="Approve…").click()
    page.wait_for_url("**/scoring/rulesets/tiny/2/approve")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve tiny v2?")
    check(page)
    shot(page, "rulesets-confirm.png", desktop)
    page.get_by_role("button", name="Yes, approve tiny v2").click()
    page.wait_for_url("**/scoring/rulesets/tiny/2")
    expect(page.locator(".flash")).to_contain_text("tiny v2 is approved")
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish tiny v2?")
    expect(page.locator("main")).to_contain_text("tiny v1, published now, is retired")
    check(page)
    page.get_by_role("button", name="Yes, publish tiny v2").click()
    page.wait_for_url("**/scoring/rulesets/tiny/2")
    expect(page.locator(".flash")).to_contain_text("tiny v2 is published")
    expect(page.locator(".steps")).to_contain_text("it is read-only")
    expect(page.get_by_role("button", name="Add comment")).to_have_count(0)
    check(page)

    page.get_by_role("link", name="Rulesets", exact=True).first.click()
    rows = page.get_by_role("table", name="Versions of tiny, newest first").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("published")
    expect(rows.nth(0)).to_contain_text("bob")
    expect(rows.nth(1)).to_contain_text("retired")
    check(page)
    shot(page, "rulesets-list.png", desktop)
    assert errors == []
    assert foreign == []
    context.close()
