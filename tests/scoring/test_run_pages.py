"""The run pages on both databases: an analyst runs a period from the browser (a background
job, run at once here), reads the run page, corrects the run and compares; an approver who
did not run it closes the period (the runner may not) and downloads the payroll."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select
from test_scoring_pages import html, sign_in, text

from kamscore.background.queue import get_queue
from kamscore.background.records import new_job
from kamscore.background.score_runs import score_run_params
from kamscore.db.session import get_db
from kamscore.models import Period, ScoreRun, User


@pytest.fixture
def immediate(app, session, published):
    """The tiny plan published and the task queue running each job at once."""
    get_queue(app).immediate = True
    session.commit()
    return app


def _run_from_the_browser(client) -> int:
    form = client.get("/scoring/runs/new")
    assert "Run a period" in text(form) and '<option value="2026-Q1">' in html(form)
    queued = client.post("/scoring/runs/new", data={"period": "2026-Q1", "ruleset": "tiny"})
    assert queued.status_code == 303 and "/scoring/run-jobs/" in queued.location
    done = client.get(queued.location)  # the job ran at once: its page leads to the run
    assert done.status_code == 303 and "/scoring/runs/" in done.location
    state = client.get(queued.location + ".json").json
    assert state["state"] == "done" and state["run_url"] == done.location
    return int(done.location.rsplit("/", 1)[1])


def test_an_analyst_runs_a_period_and_reads_the_run(client, immediate):
    sign_in(client, "ana")
    assert "Run a period" in text(client.get("/scoring/"))
    run_id = _run_from_the_browser(client)
    page = client.get(f"/scoring/runs/{run_id}")
    said = text(page)
    assert "Total payout €2,525.00 (at target: €3,500.00)" in said
    assert '<svg class="chart" role="img"' in html(page)
    assert "Paid nothing: 1 KAM" in html(page)  # the chart says its figures in words
    assert "By team Team KAMs (paid) Payout At target No team 4 (3) €2,525.00 €3,500.00" in said
    assert ("By plan variant Variant KAMs (paid) Payout At target Plan as written 4 (3) "
            "€2,525.00") in said
    assert ("Kam K3 K3 earned nothing final factor 0.00%: no measure reached its threshold"
            in said)
    assert "Not yet: period 2026-Q1 is open" in said
    assert "Close 2026-Q1" not in said  # an analyst does not close
    by_payout = text(client.get(f"/scoring/runs/{run_id}?sort=payout"))
    order = [by_payout.index(f"Kam {k} {k} paid") for k in ("K1", "K2", "K4", "K3")]
    assert order == sorted(order)  # highest payout first, ties by KAM code
    statement = client.get(f"/scoring/runs/{run_id}/statements/K1")
    assert "Print this statement" in text(statement)  # a button runs.js shows
    assert "runs.css" in html(statement) and "@media print" in client.get(
        "/scoring/static/runs/runs.css").get_data(as_text=True)


def test_a_failed_run_says_why(app, client, session, published):
    session.commit()
    with get_db(app).session() as s:
        ana = s.scalar(select(User).where(User.username == "ana"))
        job_id = new_job(s, ana, "score_run", score_run_params(
            period="2026-Q1", ruleset="tiny", correction_of=77, reason="typo")).id
    sign_in(client, "ana")
    waiting = client.get(f"/scoring/run-jobs/{job_id}")
    assert "Waiting for a worker" in text(waiting)
    assert '<meta http-equiv="refresh" content="3">' in html(waiting)  # without JavaScript
    from kamscore.background.score_runs import run_score_job
    from kamscore.plugin_host.manager import get_plugin_manager

    run_score_job(get_db(app), get_queue(app).huey, get_plugin_manager(app), job_id)
    failed = text(client.get(f"/scoring/run-jobs/{job_id}"))
    assert "The run failed; nothing was stored." in failed
    assert "Why it failed: no score run 77" in failed
    assert client.get(f"/scoring/run-jobs/{job_id}.json").json["error"] == "no score run 77"
    sign_in(client, "bob")  # another user's job is not his to see
    assert client.get(f"/scoring/run-jobs/{job_id}").status_code in (403, 404)


def test_the_runner_may_not_close_an_approver_does_and_payroll_follows(client, immediate,
                                                                       session):
    sign_in(client, "carol")  # analyst and approver
    run_id = _run_from_the_browser(client)
    page = text(client.get(f"/scoring/runs/{run_id}"))
    assert "Close 2026-Q1 (sign-off)" in page
    refused = client.post("/scoring/periods/2026-Q1/close",
                          data={"confirm": "y", "run_id": run_id}, follow_redirects=True)
    assert "four-eyes rule" in text(refused)
    unconfirmed = client.post("/scoring/periods/2026-Q1/close", data={"run_id": run_id},
                              follow_redirects=True)
    assert "tick the box" in text(unconfirmed)
    early = client.get(f"/scoring/runs/{run_id}/payroll.xlsx", follow_redirects=True)
    assert "No payroll export: period 2026-Q1 is open" in text(early)

    sign_in(client, "bob")
    closed = client.post("/scoring/periods/2026-Q1/close",
                         data={"confirm": "y", "run_id": run_id}, follow_redirects=True)
    assert "Period 2026-Q1 is closed and signed off" in text(closed)
    assert "Signed off by bob" in text(closed)
    assert session.scalar(select(Period.status)).value == "closed"
    session.rollback()
    workbook = client.get(f"/scoring/runs/{run_id}/payroll.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"] == (
        f'attachment; filename="payroll-2026-Q1-run-{run_id}.xlsx"')
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.data))["Payroll"]
                .iter_rows(values_only=True))
    assert sum(Decimal(str(r[7])) for r in rows[1:]) == Decimal("2525.00")
    assert {r[9] for r in rows[1:]} == {"bob"}
    payroll_csv = client.get(f"/scoring/runs/{run_id}/payroll.csv")
    assert payroll_csv.mimetype == "text/csv"
    assert payroll_csv.get_data(as_text=True).startswith("Period,Run,Ruleset,Ruleset version")
    sign_in(client, "ana")  # after the close nothing of the period changes but by correction
    assert '<option value="2026-Q1">' not in html(client.get("/scoring/runs/new"))
    assert client.post("/scoring/runs/new", data={"period": "2026-Q1",
                                                  "ruleset": "tiny"}).status_code == 400
    assert "Close 2026-Q1" not in text(client.get(f"/scoring/runs/{run_id}"))
    assert client.post("/scoring/periods/2026-Q1/close",
                       data={"confirm": "y"}).status_code == 403  # an analyst cannot close
    # a correction after the close is paid only once another approver signed it off
    queued = client.post(f"/scoring/runs/{run_id}/correct", data={"reason": "late fix"})
    correction = int(client.get(queued.location).location.rsplit("/", 1)[1])
    assert "has not been signed off yet" in text(client.get(f"/scoring/runs/{correction}"))
    assert client.post(f"/scoring/runs/{correction}/sign-off",
                       data={"confirm": "y"}).status_code == 403  # analysts do not
    sign_in(client, "bob")
    assert "Sign off this correction" in text(client.get(f"/scoring/runs/{correction}"))
    signed = client.post(f"/scoring/runs/{correction}/sign-off", data={"confirm": "y"},
                         follow_redirects=True)
    assert f"Run {correction} is signed off" in text(signed)
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/scoring/runs/{correction}/payroll.xlsx").data))
    # the correction changed nobody's pay: its payroll carries only differences, so none
    assert list(book["Payroll"].iter_rows(values_only=True))[1:] == []
    facts = dict(book["Sign-off"].iter_rows(values_only=True))
    assert (facts["Run"], facts["Signed off by"], facts["KAMs"]) == (correction, "bob", 0)


def test_a_correction_needs_a_reason_and_is_compared(client, immediate, session):
    sign_in(client, "ana")
    first = _run_from_the_browser(client)
    empty = client.post(f"/scoring/runs/{first}/correct", data={"reason": " "})
    assert empty.status_code == 400 and "A correction needs a reason." in html(empty)
    queued = client.post(f"/scoring/runs/{first}/correct",
                         data={"reason": "recheck after the import"})
    second = int(client.get(queued.location).location.rsplit("/", 1)[1])
    page = text(client.get(f"/scoring/runs/{second}"))
    assert f"Corrects Run {first}: recheck after the import" in page
    assert "replaced by a later run" in text(client.get(f"/scoring/runs/{first}"))
    compared = text(client.get(f"/scoring/runs/compare?a={first}&b={second}"))
    assert "0 KAMs changed, 4 unchanged; the total changed by €0.00" in compared
    assert client.get("/scoring/runs/compare?a=x&b=1").status_code == 400
    assert session.scalar(select(ScoreRun.correction_reason).where(ScoreRun.id == second)) == (
        "recheck after the import")


def test_odd_run_page_requests_are_refused_plainly(client, session, published):
    session.commit()
    sign_in(client, "ana")
    huge = "9" * 30
    assert client.get(f"/scoring/runs/compare?a={huge}&b=1").status_code == 404
    assert client.get(f"/scoring/runs/compare?a={'1' * 5000}&b=1").status_code == 400
    assert client.get("/scoring/run-jobs/not-a-job").status_code == 404
    assert client.get(f"/scoring/run-jobs/{'a' * 500}.json").status_code == 404
    assert client.get("/scoring/runs/1/payroll.pdf").status_code == 404
    assert client.post("/scoring/runs/new", data={"period": "2031-Q1",
                                                  "ruleset": "tiny"}).status_code == 400


MOMENT = r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M UTC"


def test_the_run_pages_write_every_time_one_way(client, immediate, session):
    """Regression (found by test_quarter_browser): the run page wrote when the run was made
    as ``2026-12-06 08:21 UTC`` and, a line below, its sign-off as ``Dec 6, 2026, 8:21:32 AM
    UTC``; the runs list, the comparison and the statement wrote the run's ISO text too."""
    sign_in(client, "carol")
    run_id = _run_from_the_browser(client)
    sign_in(client, "bob")
    closed = text(client.post("/scoring/periods/2026-Q1/close",
                              data={"confirm": "y", "run_id": run_id}, follow_redirects=True))
    assert re.search(rf"Made {MOMENT} by carol Signed off by bob, {MOMENT} \(period closed\)",
                     closed), closed
    iso = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
    listed = text(client.get("/scoring/"))
    assert re.search(rf"{MOMENT} by carol", listed) and not iso.search(listed)
    compared = text(client.get(f"/scoring/runs/compare?a={run_id}&b={run_id}"))
    assert not iso.search(compared)
    statement = text(client.get(f"/scoring/runs/{run_id}/statements/K1"))
    assert re.search(rf"Run {run_id}, made [A-Z][a-z]{{2}} \d{{1,2}}, \d{{4}}", statement)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", statement)
