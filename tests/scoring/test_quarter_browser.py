"""A whole quarter in the machine's Chromium, as two users of the demo organisation, on the app
as production serves it (CSRF on; the task queue runs each job at once): issue 13's "done
when".

The analyst uploads a draft of the standard plan, moves weight under the plan's variant for
development accounts in what-if, reads the charts and saves the scenario as a draft; the
approver approves and publishes that draft, each after confirming; the analyst runs 2025-Q4
with it from the browser and reads the run page; the approver — not the runner — closes the
period and downloads the payroll workbook, which is checked to the cent against the run's
stored lines (read through the service layer) with every identifying column.

On every page visited axe-core finds no violation, nothing scrolls sideways, the console logs
no error and nothing is loaded from another host; then the same pages again at 360 px. The
screenshots are those of docs/scoring.md ("A whole quarter in the browser",
docs/images/quarter-*.png)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, sign_in
from playwright.sync_api import Page, expect
from served_app import served

from kamscore.audit.queries import AuditFilter, select_events
from kamscore.content.bundled import bundled_dir
from kamscore.demo import DEMO_PASSWORD
from kamscore.models import RulesetStatus
from kamscore.scoring.lifecycle import get_version
from kamscore.scoring.run_store import get_run, load_lines
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser

CENT = Decimal("0.01")
PERIOD = "2025-Q4"


def uploaded_plan() -> str:
    """The draft the analyst uploads: the standard plan with a larger strategic uplift."""
    source = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8")
    assert "multiplier: 110%" in source
    return source.replace("multiplier: 110%", "multiplier: 115%")


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=docs_image(f"quarter-{name}.png"), full_page=full_page)


def test_a_whole_quarter_in_the_browser(loopback_page, demo, session, database_url, tmp_path):
    session.rollback()  # SQLite: hold no lock while the app serves the browser
    page, foreign = loopback_page
    page.set_viewport_size(DESKTOP["viewport"])
    errors = console_errors(page)
    visited: dict[str, list[str]] = {"analyst": [], "approver": []}  # by whom

    def checked(user: str) -> None:
        check(page, errors)
        if page.url not in visited[user]:
            visited[user].append(page.url)

    with served(database_url, str(tmp_path / "instance"), TASK_QUEUE_IMMEDIATE=True) as base:
        # -- the analyst uploads a draft ---------------------------------------------------
        sign_in(page, base, "analyst", DEMO_PASSWORD, "/scoring/rulesets")
        checked("analyst")
        page.get_by_role("link", name="New draft").click()
        page.wait_for_url("**/scoring/rulesets/new")
        page.get_by_label("Upload a YAML file").set_input_files(files=[{
            "name": "standard-uplift.yaml", "mimeType": "text/yaml",
            "buffer": uploaded_plan().encode()}])
        expect(page.locator("#editor-status")).to_have_text(
            "Valid: Standard KAM plan can be saved as a draft.")
        expect(page.locator("#editor-changes")).to_contain_text(
            "What it changes against standard v1 (published)")
        page.get_by_label("What changes and why").fill("A larger uplift for strategic accounts.")
        checked("analyst")
        shot(page, "upload")
        page.get_by_role("button", name="Save as draft").click()
        page.wait_for_url("**/scoring/rulesets/standard/2")
        expect(page.locator(".flash")).to_contain_text("Saved standard v2 as a draft")
        changes = page.get_by_role("table", name=re.compile("in plan terms"))
        expect(changes.locator("tr", has_text="strategic_sales")).to_contain_text(
            re.compile(r"110 ?%.*115 ?%"))
        checked("analyst")

        # -- what-if: a weight under the variant, the charts, saved as a draft -------------
        page.get_by_role("navigation", name="Main").get_by_role("link", name="What-if").click()
        page.wait_for_url("**/scoring/whatif*")
        expect(page.get_by_label("Data of the period")).to_have_value(PERIOD)  # the current
        expect(page.get_by_label("Plan", exact=True)).to_have_value("standard")
        expect(page.locator("#plan-title")).to_contain_text("standard v1, published")
        checked("analyst")
        sales = page.get_by_label("Sales attainment, variant Development accounts")
        expect(sales).to_have_value("15")
        sales.fill("20")
        expect(page.locator("#sum-development")).to_have_text("105")
        page.get_by_label("DMU coverage, variant Development accounts").fill("5")
        expect(page.locator("#sum-development")).to_have_text("100")
        page.get_by_role("button", name="Compare with the published plan").click()
        expect(page.locator("#headline")).to_contain_text(
            re.compile(r"Total cost €[\d,.]+ instead of €[\d,.]+: \+€"))
        forecast = page.locator("#headline strong").first.inner_text()  # the scenario's cost
        expect(page.locator("#histogram svg")).to_have_count(1)
        expect(page.locator("#by-team svg")).to_have_count(1)
        # teams by their names (the code beside it in the table), variants by their titles
        expect(page.locator("#by-team svg")).to_contain_text("Team ")
        expect(page.locator("#by-team tbody th").first).to_have_text(
            re.compile(r"^Team \w.* T\d+$"))
        expect(page.locator("#by-variant svg")).to_contain_text("Development accounts")
        expect(page.get_by_role("rowheader", name="Development accounts development",
                                include_hidden=True)).to_have_count(1)
        checked("analyst")
        page.locator("#weights").screenshot(path=docs_image("quarter-whatif-weights.png"))
        page.locator("#result").screenshot(path=docs_image("quarter-whatif-result.png"))
        page.get_by_label("Note for the approver (optional)").fill(
            "Development accounts: 20 on sales, 5 on DMU coverage")
        page.get_by_role("button", name="Save as a new draft").click()
        page.wait_for_url("**/scoring/rulesets/standard/3")
        expect(page.locator(".flashes")).to_contain_text(
            "Saved as draft standard v3: it is now waiting for approval.")
        checked("analyst")
        page.get_by_role("button", name="Sign out").click()

        # -- the approver approves and publishes the scenario, each after confirming --------
        sign_in(page, base, "approver", DEMO_PASSWORD, "/scoring/rulesets/standard/3")
        checked("approver")
        page.get_by_role("link", name="Approve…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Approve standard v3?")
        checked("approver")
        page.get_by_role("button", name="Yes, approve standard v3").click()
        page.wait_for_url("**/scoring/rulesets/standard/3")
        expect(page.locator(".flash")).to_contain_text("standard v3 is approved")
        checked("approver")
        page.get_by_role("link", name="Publish…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Publish standard v3?")
        expect(page.locator("main")).to_contain_text("standard v1, published now, is retired")
        checked("approver")
        shot(page, "publish")
        page.get_by_role("button", name="Yes, publish standard v3").click()
        page.wait_for_url("**/scoring/rulesets/standard/3")
        expect(page.locator(".flash")).to_contain_text("standard v3 is published")
        checked("approver")
        page.get_by_role("button", name="Sign out").click()

        # -- the analyst runs the period (a background job) and reads the run page ---------
        sign_in(page, base, "analyst", DEMO_PASSWORD, "/scoring/")
        checked("analyst")
        page.get_by_role("link", name="Run a period").click()
        page.wait_for_url("**/scoring/runs/new")
        page.get_by_label("Period").select_option(PERIOD)
        page.get_by_label("Published ruleset").select_option("standard")
        checked("analyst")
        page.get_by_role("button", name="Run the period").click()
        page.wait_for_url(re.compile(r"/scoring/runs/\d+$"))
        run_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Run {run_id}: standard v3, {PERIOD}")
        expect(page.get_by_role("table", name=re.compile("get no payout"))).to_contain_text(
            "E00029")
        # what-if foretold the cost of the run under the plan it saved, to the cent
        expect(page.locator("main")).to_contain_text(f"{forecast} (at target")
        checked("analyst")
        shot(page, "run")
        page.get_by_role("button", name="Sign out").click()

        # -- the approver, who did not run it, closes the period and exports payroll -------
        sign_in(page, base, "approver", DEMO_PASSWORD, f"/scoring/runs/{run_id}")
        checked("approver")
        page.get_by_label("I have checked this run").check()
        page.get_by_role("button", name="Close the period and sign off").click()
        expect(page.locator(".flash--success")).to_contain_text(f"{PERIOD} is closed")
        checked("approver")
        page.locator("#actions-title").scroll_into_view_if_needed()
        shot(page, "closed")
        with page.expect_download() as download:
            page.get_by_role("link", name="Payroll (Excel, XLSX)").click()
        assert download.value.suggested_filename == f"payroll-{PERIOD}-run-{run_id}.xlsx"
        workbook = Path(download.value.path()).read_bytes()

        # -- the same pages on a 360 px phone ----------------------------------------------
        page.set_viewport_size(PHONE["viewport"])
        for user, urls in visited.items():
            page.get_by_role("button", name="Sign out").click()
            sign_in(page, base, user, DEMO_PASSWORD, "/scoring/")
            for url in urls:
                page.goto(url)
                check(page, errors)
        shot(page, "run-phone")

    assert foreign == []
    assert sum(len(urls) for urls in visited.values()) >= 10

    # -- the workbook against the run, read through the service layer ----------------------
    session.rollback()
    run = get_run(session, run_id)
    version = get_version(session, "standard", 3)
    assert (run.ruleset_version_id, run.created_by) == (version.id, "analyst")
    assert get_version(session, "standard", 2).status is RulesetStatus.DRAFT  # never used
    lines = load_lines(session, run_id)
    stored = {line.kam_code: (line.kam_name, Decimal(str(line.payout)).quantize(CENT))
              for line in lines}
    close = session.scalars(select_events(AuditFilter(action="period.close",
                                                      object_key=PERIOD))).first()
    assert close is not None and close.actor == "approver"

    book = openpyxl.load_workbook(io.BytesIO(workbook))
    header, *rows = book["Payroll"].iter_rows(values_only=True)
    assert header == ("Period", "Run", "Ruleset", "Ruleset version", "Input hash", "KAM code",
                      "KAM name", "Payout", "Currency", "Signed off by", "Signed off at (UTC)",
                      "Kind", "Refers to", "Amount", "Note")
    assert {r[11] for r in rows} == {"earnings"}  # no adjustment, draw or recovery here
    paid = {r[5]: (r[6], Decimal(str(r[7])).quantize(CENT)) for r in rows}
    assert len(rows) == len(lines) == run.kam_count
    assert paid == stored  # every KAM, to the cent
    assert sum(p for _, p in paid.values()) == Decimal(str(run.total_payout)).quantize(CENT)
    assert {(r[0], r[1], r[2], r[3], r[4], r[8], r[9], r[10]) for r in rows} == {
        (PERIOD, run_id, "standard", 3, run.input_hash, run.currency, "approver",
         close.at.strftime("%Y-%m-%d %H:%M:%S"))}
    facts = dict(book["Sign-off"].iter_rows(values_only=True))
    assert (facts["Signed off by"], facts["Run"], facts["Ruleset version"]) == (
        "approver", run_id, 3)
