"""A statement in a real browser (the machine's Chromium): the statement's tables are
labelled for screen readers; nothing is loaded from elsewhere (what-if:
test_whatif_browser)."""

from __future__ import annotations

import pytest
from browser_steps import sign_in

from kamscore.scoring.runs import run_score


@pytest.mark.browser
def test_an_analyst_reads_a_statement(loopback_page, session, pm, published, live_server):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.rollback()
    page, foreign = loopback_page
    sign_in(page, live_server, "ana", "secret-ana", "/scoring/")

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
    assert "€675.00" in table.inner_text()
    assert foreign == []
