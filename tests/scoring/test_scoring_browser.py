"""A statement in a real browser (the machine's Chromium): the statement's tables are
labelled for screen readers; nothing is loaded from elsewhere (what-if:
test_whatif_browser)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from kamscore.scoring.runs import run_score


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.browser
def test_an_analyst_reads_a_statement(loopback_page, session, pm, published, live_server):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.rollback()
    page, foreign = loopback_page
    page.goto(f"{live_server}/sign-in?next=/scoring/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-ana")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/scoring/")

    page.goto(f"{live_server}/scoring/runs/{run.id}/statements/K4")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Kam K4: 2026-Q1 statement")
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('table')]"
        ".filter(t => !t.querySelector('caption')).length")
    assert unlabelled == 0
    headers_without_scope = page.evaluate(
        "() => [...document.querySelectorAll('th')]"
        ".filter(th => !th.getAttribute('scope')).length")
    assert headers_without_scope == 0
    table = page.get_by_role("table", name="Each step, in order")
    assert "675.00 EUR" in table.inner_text()
    assert foreign == []
