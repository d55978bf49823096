"""A correction of a closed period, paid as differences, in the machine's Chromium (issue 18's
"done when"): 2026-Q1 of the tiny plan is run, closed and paid; an administrator then fixes
two facts (K1's and K2's credited sales were both 1,000,000). The analyst corrects the run
from its page, the compare page shows K1 down 175.00 and K2 up 175.00 and nobody else; an
approver who did not make the correction signs it off, and the payroll downloaded from the
correction's page carries only those two differences: K2's +175.00 paid, K1's -175.00 owed
(recovered from his later earnings under the plan's recovery rule, docs/scoring.md), both
naming the old and the new run. The old run's lines are unchanged.

Served as production serves it (CSRF on); axe-core 0 violations, no horizontal scroll and no
console error on every page, at desktop width and at 360 px."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, sign_in
from playwright.sync_api import expect
from served_app import served
from sqlalchemy import select
from tiny_population import EXPECTED, publish, set_fact

from kamscore.models import ScoreLine, ScoreRun
from kamscore.scoring.payroll import export_payroll
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score

pytestmark = pytest.mark.browser


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_a_correction_of_a_closed_period_pays_only_the_differences(
        chromium, session, pm, tiny, database_url, tmp_path):
    publish(session, pm)
    first = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    first_id = first.id
    _, paid = export_payroll(session, first_id, user="carol", file_format="csv", pm=pm)
    session.commit()
    assert {r["KAM code"]: r["Payout"] for r in _csv(paid)} == EXPECTED
    lines_before = sorted(session.execute(
        select(ScoreLine.kam_code, ScoreLine.payout).where(ScoreLine.run_id == first_id)).all())
    # the administrator's deliberate data fix (imports refuse a closed period's facts)
    set_fact(session, tiny.period_id, "A1", "net_sales", 1_000_000)
    set_fact(session, tiny.period_id, "A2", "net_sales", 1_000_000)
    session.rollback()

    visited: list[str] = []
    with served(database_url, str(tmp_path / "instance"), TASK_QUEUE_IMMEDIATE=True) as base:
        # the analyst corrects the run from its page
        page = chromium.new_context(accept_downloads=True, **DESKTOP).new_page()
        errors = console_errors(page)
        sign_in(page, base, "ana", "secret-ana", f"/scoring/runs/{first_id}")
        page.get_by_role("link", name="Correct this run").click()
        check(page, errors)
        visited.append(page.url.removeprefix(base))
        page.get_by_label("Why the run is corrected").fill(
            "K1's and K2's credited sales were wrong in the ERP extract")
        page.get_by_role("button", name="Make the correction").click()
        page.wait_for_url(re.compile(r"/scoring/runs/\d+$"))
        second_id = int(page.url.rsplit("/", 1)[1])
        assert second_id != first_id
        expect(page.locator("dd").filter(has_text=f"Run {first_id}")).to_contain_text(
            "credited sales were wrong")
        expect(page.locator("#payroll")).to_be_visible()
        expect(page.get_by_text(re.compile("has not been signed off"))).to_be_visible()
        check(page, errors)
        visited.append(page.url.removeprefix(base))

        # the comparison: K1 down, K2 up, nobody else
        page.get_by_role("link", name="compare").click()
        expect(page.locator("main")).to_contain_text("2 KAMs changed, 2 unchanged")
        changed = page.get_by_role("table", name=re.compile("Who changed"))
        expect(changed.locator("tbody tr")).to_have_count(2)
        expect(changed).to_contain_text("-€175.00")
        expect(changed).to_contain_text("+€175.00")
        assert "K3" not in changed.inner_text() and "K4" not in changed.inner_text()
        check(page, errors)
        visited.append(page.url.removeprefix(base))
        page.context.close()

        # an approver who did not make the correction signs it off and downloads the payroll
        page = chromium.new_context(accept_downloads=True, **DESKTOP).new_page()
        errors = console_errors(page)
        sign_in(page, base, "carol", "secret-carol", f"/scoring/runs/{second_id}")
        page.get_by_label("I have checked this run").check()
        page.get_by_role("button", name="Sign off the correction").click()
        expect(page.locator(".flash--success")).to_be_visible()
        check(page, errors)
        with page.expect_download() as download:
            page.get_by_role("link", name="Payroll (CSV)").click()
        rows = _csv(Path(download.value.path()).read_bytes())

        # every page again on a 360 px phone
        page.set_viewport_size(PHONE["viewport"])
        for path in visited:
            page.goto(base + path)
            check(page, errors)
        page.context.close()

    refers = f"run {first_id} → run {second_id}"
    assert [(r["KAM code"], r["Kind"], r["Amount"], r["Payout"]) for r in rows] == [
        ("K1", "correction", "-175.00", "0.00"),
        ("K2", "correction", "175.00", "175.00")]
    assert all(refers in r["Refers to"] for r in rows), rows
    assert {r["Signed off by"] for r in rows} == {"carol"}
    assert {r["Run"] for r in rows} == {str(second_id)}
    session.rollback()
    second = session.get(ScoreRun, second_id)
    assert second.corrects_run_id == first_id
    assert sorted(session.execute(select(ScoreLine.kam_code, ScoreLine.payout)
                                  .where(ScoreLine.run_id == first_id)).all()) == lines_before
    new = {code: Decimal(str(p)).quantize(Decimal("0.01")) for code, p in session.execute(
        select(ScoreLine.kam_code, ScoreLine.payout).where(ScoreLine.run_id == second_id))}
    assert new == {"K1": Decimal("1000.00"), "K2": Decimal("850.00"),
                   "K3": Decimal("0.00"), "K4": Decimal("675.00")}
