"""The import page in the machine's Chromium, on the app as production serves it (CSRF on):
an analyst checks a workbook, reads the dry-run report, imports it and sees the counts; a
file with errors shows them by line and every error downloads as CSV; a large file is a
background job whose page follows it (imports.js polling the job API) and shows its result
when the worker has run it.

On every page axe-core finds no violation, nothing scrolls sideways, the console logs no
error and nothing is loaded from another host; then the same pages again at 360 px. The
screenshots are those of docs/imports.md (docs/images/imports-*.png)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, docs_image, sign_in
from playwright.sync_api import Page, expect
from served_app import served
from test_import_pages import FACTS, org, workbook  # noqa: F401 (org: a fixture)

from kamscore.background.imports import run_import_job
from kamscore.background.progress import DiscardedProgress
from kamscore.background.uploads import uploads_dir
from kamscore.db.session import Database

pytestmark = pytest.mark.browser


def choose(page: Page, kind: str, name: str, data: bytes, sheet: str = "") -> None:
    """On the import page: the kind, the file, the sheet; then check it."""
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(files=[{
        "name": name, "mimeType": "application/octet-stream", "buffer": data}])
    page.get_by_label("Sheet (workbooks; default: the first)").fill(sheet)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/imports/jobs/*")


def test_an_analyst_checks_and_imports_a_workbook(loopback_page, org, app, database_url,  # noqa: F811
                                                  tmp_path):
    page, foreign = loopback_page
    page.set_viewport_size(DESKTOP["viewport"])
    errors = console_errors(page)
    visited: list[str] = []
    rows = FACTS.count(b"\n") - 1

    def checked() -> None:
        check(page, errors)
        if page.url not in visited:
            visited.append(page.url)

    instance = tmp_path / "served"
    with served(database_url, str(instance)) as base:
        sign_in(page, base, "ana", "secret-ana", "/imports/")
        checked()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")

        # -- a workbook: checked, read, imported -----------------------------------------
        choose(page, "facts", "sales.xlsx", workbook(FACTS), sheet="Sales")
        expect(page.get_by_role("status")).to_contain_text(
            f"The file is valid: {rows} rows checked, nothing written yet.")
        counts = page.get_by_role("table", name="What importing it would do")
        expect(counts.get_by_role("row", name=f"fact {rows} 0 0 0")).to_have_count(1)
        checked()
        page.screenshot(path=docs_image("imports-check.png"), full_page=True)
        page.get_by_role("button", name="Import it").click()
        expect(page.get_by_role("status")).to_contain_text(f"Imported: {rows} rows.")
        done = page.get_by_role("table", name="What the import did")
        expect(done.get_by_role("row", name=f"fact {rows} 0 0 0")).to_have_count(1)
        checked()

        # -- a file with errors: shown by line, every error as CSV ------------------------
        page.get_by_role("link", name="Imports", exact=True).first.click()
        bad = FACTS.replace(b"A001", b"NOPE")
        choose(page, "facts", "bad.csv", bad)
        expect(page.get_by_role("alert")).to_contain_text(
            "The file was refused; nothing was written.")
        table = page.get_by_role("table", name="Errors")
        expect(table.locator("tbody tr").first).to_contain_text("unknown account 'NOPE'")
        expect(page.get_by_role("button", name="Import it")).to_have_count(0)
        checked()
        page.screenshot(path=docs_image("imports-errors.png"), full_page=True)
        shown = table.locator("tbody tr").count()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download every error (CSV)").click()
        assert download.value.suggested_filename == "bad-errors.csv"
        lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
        assert lines[0] == ["line", "column", "error"] and len(lines) == shown + 1
        assert lines[1][1:] == ["account", "unknown account 'NOPE'"]

        # -- templates download from the page ---------------------------------------------
        page.get_by_role("link", name="Imports", exact=True).first.click()
        with page.expect_download() as template:
            page.get_by_role("link", name="facts template, XLSX").click()
        assert template.value.suggested_filename == "facts-template.xlsx"
        checked()

        # -- the same pages on a 360 px phone ---------------------------------------------
        page.set_viewport_size(PHONE["viewport"])
        for url in visited:
            page.goto(url)
            check(page, errors)
    assert foreign == []


def test_a_large_file_is_followed_until_the_worker_has_checked_it(
        loopback_page, org, app, database_url, tmp_path):  # noqa: F811
    page, foreign = loopback_page
    page.set_viewport_size(PHONE["viewport"])
    errors = console_errors(page)
    instance = tmp_path / "served"
    with served(database_url, str(instance), IMPORT_INLINE_MAX_BYTES=100) as base:
        sign_in(page, base, "ana", "secret-ana", "/imports/")
        choose(page, "facts", "facts.csv", FACTS)
        expect(page.locator("#import-job-state")).to_have_text("Waiting for a worker to start…")
        check(page, errors)
        job_id = page.url.rsplit("/", 1)[1]
        # the worker runs it (as `kamscore worker` would); the page, polling, shows the report
        database = Database(database_url)
        try:
            uploads = uploads_dir({}, str(instance))
            run_import_job(database, DiscardedProgress(), uploads, job_id)
        finally:
            database.engine.dispose()
        expect(page.get_by_role("status")).to_contain_text("The file is valid", timeout=15_000)
        check(page, errors)
    assert foreign == []
