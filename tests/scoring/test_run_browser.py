"""A quarter's close in the machine's Chromium, on the demo organisation, as production serves
it (CSRF on): the analyst runs 2025-Q4 from the browser and reads the run page (E00029, who
left in August, is listed as not paid, with why) and a statement; the approver closes the
period and downloads the payroll workbook, which is checked to the cent against the run.

Desktop and a 360 px phone; axe-core finds no violation on any page visited, nothing scrolls
sideways, the console logs no error. The screenshots are those of docs/scoring.md
(docs/images/runs-*.png)."""

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
from sqlalchemy import select

from kamscore.demo import DEMO_PASSWORD
from kamscore.models import BackgroundJob, ScoreLine, ScoreRun
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser



def new_page(chromium, device, base: str, user: str) -> tuple[Page, list[str]]:
    page = chromium.new_context(accept_downloads=True, **device).new_page()
    errors = console_errors(page)
    sign_in(page, base, user, DEMO_PASSWORD, "/scoring/")
    return page, errors


def test_a_quarter_is_run_closed_and_paid_from_the_browser(chromium, demo, session,
                                                           database_url, tmp_path):
    with served(database_url, str(tmp_path / "instance"), TASK_QUEUE_IMMEDIATE=True) as base:
        # the analyst runs the quarter
        page, errors = new_page(chromium, DESKTOP, base, "analyst")
        check(page, errors)
        page.get_by_role("link", name="Run a period").click()
        page.get_by_label("Period").select_option("2025-Q4")
        page.get_by_label("Published ruleset").select_option("standard")
        check(page, errors)
        page.screenshot(path=docs_image("runs-new.png"))
        page.get_by_role("button", name="Run the period").click()
        page.wait_for_url(re.compile(r"/scoring/runs/\d+$"))
        run_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Run {run_id}: standard v1, 2025-Q4")
        unpaid = page.get_by_role("table", name=re.compile("get no payout"))
        expect(unpaid).to_contain_text("E00029")
        expect(unpaid).to_contain_text("left on 2025-08-15, before the period began")
        expect(page.locator("svg.chart")).to_have_count(1)
        check(page, errors)
        page.screenshot(path=docs_image("runs-run.png"), full_page=True)

        # the job's page (kept with ?stay) asks runs.js to poll the job: done, it opens the run
        session.rollback()
        job_id = session.scalar(select(BackgroundJob.id).where(BackgroundJob.task == "score_run"))
        session.rollback()  # SQLite: hold no lock while the server answers
        page.goto(f"{base}/scoring/run-jobs/{job_id}?stay=1")
        page.wait_for_url(f"{base}/scoring/runs/{run_id}")

        page.goto(f"{base}/scoring/runs/{run_id}/statements/E00006")
        expect(page.get_by_role("table", name=re.compile("Each measure"))).to_contain_text("€")
        assert "e+0" not in page.content() and " items" not in page.inner_text("main")
        check(page, errors)
        page.screenshot(path=docs_image("runs-statement.png"), full_page=True)
        expect(page.get_by_role("button", name="Print this statement")).to_be_visible()
        page.emulate_media(media="print")
        assert page.locator("header").first.is_hidden()
        page.screenshot(path=docs_image("runs-statement-print.png"), full_page=True)
        page.context.close()

        # the approver, who did not make the run, closes the period: the sign-off
        page, errors = new_page(chromium, DESKTOP, base, "approver")
        page.goto(f"{base}/scoring/runs/{run_id}")
        page.get_by_label("I have checked this run").check()
        page.get_by_role("button", name="Close the period and sign off").click()
        expect(page.locator(".flash--success")).to_contain_text("2025-Q4 is closed")
        check(page, errors)
        page.locator("#actions-title").scroll_into_view_if_needed()
        page.screenshot(path=docs_image("runs-closed.png"))
        with page.expect_download() as download:
            page.get_by_role("link", name="Payroll (Excel, XLSX)").click()
        data = Path(download.value.path()).read_bytes()
        assert download.value.suggested_filename == f"payroll-2025-Q4-run-{run_id}.xlsx"
        page.context.close()

    session.rollback()
    run = session.get(ScoreRun, run_id)
    stored = {code: Decimal(str(payout)).quantize(Decimal("0.01")) for code, payout in
              session.execute(select(ScoreLine.kam_code, ScoreLine.payout)
                              .where(ScoreLine.run_id == run_id))}
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Payroll"].iter_rows(values_only=True))
    paid = {r[5]: Decimal(str(r[7])).quantize(Decimal("0.01")) for r in rows[1:]}
    assert paid == stored
    assert sum(paid.values()) == Decimal(str(run.total_payout)).quantize(Decimal("0.01"))
    assert {(r[0], r[1], r[2], r[3], r[4], r[9]) for r in rows[1:]} == {
        ("2025-Q4", run_id, "standard", 1, run.input_hash, "approver")}


def test_the_run_pages_on_a_phone(chromium, demo, session, pm, database_url, tmp_path):
    from kamscore.scoring.runs import run_score

    run = run_score(session, pm, period="2025-Q4", ruleset="standard", user="analyst")
    session.rollback()
    with served(database_url, str(tmp_path / "instance"), TASK_QUEUE_IMMEDIATE=True) as base:
        page, errors = new_page(chromium, PHONE, base, "analyst")
        check(page, errors)
        for path in (f"/scoring/runs/{run.id}", f"/scoring/runs/{run.id}/statements/E00006",
                     f"/scoring/runs/{run.id}/correct", "/scoring/runs/new"):
            page.goto(base + path)
            check(page, errors)
        page.goto(f"{base}/scoring/runs/{run.id}")
        page.screenshot(path=docs_image("runs-run-phone.png"))
        page.context.close()
