"""The what-if page in the machine's Chromium, on a desktop and at 360 px: an analyst opens
it on the published plan of the current period, switches plan and sees its parameters
reload, moves weight under a variant (and reads which variant does not add up), reads the
charts, saves the scenario as a draft, and breaks the plan's YAML text to see the problem
beside its line (the ruleset editor). axe-core finds no violation, the browser logs no
error, nothing is loaded from elsewhere and nothing scrolls sideways. The desktop run saves
the screenshots of docs/scoring.md (docs/images/whatif-*.png)."""

from __future__ import annotations

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, loopback_only, sign_in
from playwright.sync_api import expect
from test_whatif_pages import VARIANT_PLAN
from tiny_population import publish

from kamscore.scoring.runs import run_score
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser



@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_analyst_tries_a_scenario_and_saves_it(chromium, session, pm, published,
                                                  live_server, device):
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    publish(session, pm, VARIANT_PLAN, filename="tiny_key.yaml")
    session.rollback()
    desktop = device is DESKTOP
    context = chromium.new_context(**device)
    page = context.new_page()
    foreign = loopback_only(page)
    errors = console_errors(page)
    sign_in(page, live_server, "ana", "secret-ana", "/scoring/whatif")

    # opens on the plan run in the current period (not the one published last)
    expect(page.get_by_label("Plan", exact=True)).to_have_value("tiny")
    expect(page.get_by_label("Data of the period")).to_have_value("2026-Q1")
    expect(page.locator("#plan-title")).to_contain_text("Tiny plan (tiny v1, published)")
    check(page)
    if desktop:
        page.screenshot(path=docs_image("whatif-open.png"), full_page=True)

    # choosing the other plan reloads the page with its parameters (the page's own script)
    with page.expect_navigation():
        page.get_by_label("Plan", exact=True).select_option("tiny_key")
    expect(page.locator("#plan-title")).to_contain_text("Tiny plan by segment")
    variant_sales = page.get_by_label("Sales attainment, variant Key accounts")
    expect(variant_sales).to_have_value("50")

    # a weight under the variant: the column's sum says at once that it is not 100
    variant_sales.fill("60")
    expect(page.locator("#sum-key_accounts")).to_have_text("110")
    expect(page.locator("#sum-key_accounts")).to_have_class("sum--wrong")
    page.get_by_role("button", name="Compare with the published plan").click()
    expect(page.locator("#errors")).to_contain_text(
        "variant 'key_accounts' (Key accounts): the weights add up to 110 %, expected 100 %")
    check(page)
    if desktop:
        page.locator("#errors").screenshot(path=docs_image("whatif-variant-sum.png"))

    page.get_by_label("Formulary status, variant Key accounts").fill("40")
    expect(page.locator("#sum-key_accounts")).to_have_text("100")
    page.get_by_role("button", name="Compare with the published plan").click()
    expect(page.locator("#headline")).to_contain_text(
        "Total cost €2,450.00 instead of €2,375.00: +€75.00")
    expect(page.locator("#histogram svg")).to_be_visible()
    expect(page.locator("#by-variant svg")).to_be_visible()
    assert page.locator("#result svg[role=img]").count() == 5
    expect(page.locator("#crossings")).to_contain_text("Under a threshold")
    check(page)
    if desktop:
        page.locator("#result").screenshot(path=docs_image("whatif-result.png"))
        page.locator("#weights").screenshot(path=docs_image("whatif-weights.png"))
    else:
        page.locator("#result").screenshot(path=docs_image("whatif-phone.png"))

    # save the scenario as a draft: it waits for approval on the ruleset's page
    page.get_by_label("Note for the approver (optional)").fill("60/40 for key accounts")
    page.get_by_role("button", name="Save as a new draft").click()
    page.wait_for_url("**/scoring/rulesets/tiny_key/2")
    expect(page.locator(".flashes")).to_contain_text(
        "Saved as draft tiny_key v2: it is now waiting for approval.")

    # the YAML box is the ruleset editor: line numbers, the server's check as one types, and
    # each problem beside its line
    page.goto(f"{live_server}/scoring/whatif")
    expect(page.locator("#plan-title")).to_contain_text("Tiny plan by segment")
    page.locator("#yaml summary").click()
    box = page.get_by_label("Ruleset YAML")
    expect(page.locator("#editor-status")).to_contain_text(
        "Valid: Tiny plan by segment can be compared and saved as a draft.")
    expect(page.locator("#editor-changes")).to_contain_text("Nothing in the plan changes.")
    source = box.input_value()
    line = next(number for number, text in enumerate(source.split("\n"), start=1)
                if "metric: sales_attainment" in text)
    box.fill(source.replace("metric: sales_attainment", "metric: sales", 1))
    expect(page.get_by_label("The ruleset text (YAML)")).to_be_checked()
    problem = f"{line}: components[0].metric: unknown metric 'sales'"
    expect(page.locator("#editor-problems")).to_contain_text(problem)
    expect(page.locator("#editor-status")).to_contain_text("1 problem in the text")
    marked = page.locator(".editor__gutter span.has-problem")
    expect(marked).to_have_count(1)
    expect(marked).to_have_text(str(line))
    if desktop:  # beside its line: the note and the line's number share a row
        note = page.locator(".editor__note")
        expect(note).to_have_count(1)
        expect(note).to_contain_text(problem)
        note_box, number_box = note.bounding_box(), marked.bounding_box()
        assert note_box and number_box and abs(note_box["y"] - number_box["y"]) < 2
        assert note_box["x"] > number_box["x"]
    page.locator("#editor-problems button").click()  # selects the line in the text
    assert page.evaluate("document.activeElement.id") == "source"
    check(page)
    if desktop:
        page.locator("#yaml").screenshot(path=docs_image("whatif-yaml.png"))
    assert errors == [] and foreign == []
    context.close()
