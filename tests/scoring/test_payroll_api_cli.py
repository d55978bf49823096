"""The payroll file outside the browser, on the tiny population (hand-worked in
tiny_population.EXPECTED: K1 1,175.00, K2 675.00, K3 0.00, K4 675.00 EUR; total 2,525.00):
``GET /api/v1/runs/<id>/payroll.csv|.xlsx`` (``payroll.export``) and
``kamscore payroll export RUN --format csv|xlsx --output FILE`` — refused before the
sign-off, to the cent after it, each export in the audit log."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
from api_calls import error
from sqlalchemy import select
from tiny_population import EXPECTED

from kamscore.exports.payroll import HEADER
from kamscore.models import AuditEvent
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(session, pm):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    return run


def _exports(session) -> list[tuple[str, str, str]]:
    session.rollback()  # see what the requests and commands committed
    return [(e.actor, e.details["format"], e.details["total_payout"])
            for e in session.scalars(select(AuditEvent).where(
                AuditEvent.action == "export.pay", AuditEvent.object_type == "run")
                .order_by(AuditEvent.id))
            if e.details.get("kind") == "payroll"]


def test_the_api_exports_payroll_after_the_sign_off(client, session, pm, published, tokens):
    run = _run(session, pm)
    url = f"/api/v1/runs/{run.id}/payroll"
    body = error(client.get(f"{url}.csv", headers=tokens["ana"]), 409)
    assert "period 2026-Q1 is open: payroll is exported after the sign-off" in body["message"]
    assert body["errors"] == {"run": [body["message"]]}
    error(client.get(f"{url}.xlsx", headers=tokens["ana"]), 409)
    close_period(session, "2026-Q1", user="bob")
    session.commit()

    error(client.get(f"{url}.csv", headers=tokens["kim"]), 403)  # a KAM: no payroll.export
    error(client.get(f"{url}.csv"), 401)
    error(client.get(f"/api/v1/runs/{run.id + 99}/payroll.csv", headers=tokens["ana"]), 404)

    answer = client.get(f"{url}.csv", headers=tokens["ana"])
    assert answer.status_code == 200, answer.data
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="payroll-2026-Q1-run-{run.id}.csv"')
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8"))))
    assert {r["KAM code"]: r["Payout"] for r in rows} == EXPECTED
    assert {(r["Run"], r["Ruleset"], r["Signed off by"]) for r in rows} == {
        (str(run.id), "tiny", "bob")}

    answer = client.get(f"{url}.xlsx", headers=tokens["bob"])  # an approver exports too
    assert answer.status_code == 200, answer.data
    assert answer.mimetype == MIME_XLSX
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    sheet = list(book["Payroll"].iter_rows(values_only=True))
    assert sheet[0] == HEADER
    assert {r[5]: round(Decimal(str(r[7])), 2) for r in sheet[1:]} == {
        k: Decimal(v) for k, v in EXPECTED.items()}
    assert dict(book["Sign-off"].iter_rows(values_only=True))["Total payout"] == 2525.0
    assert _exports(session) == [("ana", "csv", "2525.00"), ("bob", "xlsx", "2525.00")]


def test_the_api_refuses_a_run_corrected_since(client, session, pm, published, tokens):
    first = _run(session, pm)
    close_period(session, "2026-Q1", user="bob")
    second = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana",
                       correction_of=first.id, reason="a late fact")
    session.commit()
    body = error(client.get(f"/api/v1/runs/{first.id}/payroll.csv", headers=tokens["ana"]),
                 409)
    assert f"corrected by run {second.id}" in body["message"]
    body = error(client.get(f"/api/v1/runs/{second.id}/payroll.xlsx",
                            headers=tokens["ana"]), 409)
    assert "has not been signed off" in body["message"]
    assert _exports(session) == []


def invoke(runner, *args):
    return runner.invoke(args=["payroll", "export", *[str(a) for a in args]])


def test_the_cli_exports_payroll_after_the_sign_off(runner, session, pm, published, tmp_path):
    run = _run(session, pm)
    target = tmp_path / "payroll.csv"
    refused = invoke(runner, run.id, "--format", "csv", "--output", target, "--user", "ana")
    assert refused.exit_code == 1
    assert "Error: period 2026-Q1 is open: payroll is exported after the sign-off" in (
        refused.output)
    assert not target.exists()
    close_period(session, "2026-Q1", user="bob")
    session.commit()

    done = invoke(runner, run.id, "--format", "csv", "--output", target, "--user", "carol")
    assert done.exit_code == 0, done.output
    assert "4 KAMs, total 2,525.00 EUR, signed off by bob" in done.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["KAM code"]: r["Payout"] for r in rows} == EXPECTED

    workbook = tmp_path / "payroll.xlsx"  # the format from the file name
    done = invoke(runner, run.id, "--output", workbook, "--user", "carol")
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(workbook)
    sheet = list(book["Payroll"].iter_rows(values_only=True))
    assert sheet[0] == HEADER
    assert {r[5]: round(Decimal(str(r[7])), 2) for r in sheet[1:]} == {
        k: Decimal(v) for k, v in EXPECTED.items()}
    assert _exports(session) == [("carol", "csv", "2525.00"), ("carol", "xlsx", "2525.00")]


def test_the_cli_says_clearly_what_is_wrong(runner, session, pm, published, tmp_path):
    run = _run(session, pm)
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    unknown = invoke(runner, run.id + 99, "--format", "csv", "--output", tmp_path / "x.csv")
    assert unknown.exit_code == 1 and f"run {run.id + 99}" in unknown.output
    no_format = invoke(runner, run.id, "--output", tmp_path / "payroll.txt")
    assert no_format.exit_code == 2
    assert "say which format with --format csv or --format xlsx" in no_format.output
    bad_format = invoke(runner, run.id, "--format", "pdf", "--output", tmp_path / "x.pdf")
    assert bad_format.exit_code == 2 and "'pdf' is not one of 'csv', 'xlsx'" in (
        bad_format.output)
    folder = invoke(runner, run.id, "--format", "csv", "--output", tmp_path)
    assert folder.exit_code == 2 and "is a directory" in folder.output
    missing = invoke(runner, run.id, "--format", "csv", "--output",
                     tmp_path / "nowhere" / "x.csv")
    assert missing.exit_code == 1 and "cannot write" in missing.output
    assert "No such file or directory" in missing.output
    to_stdout = invoke(runner, run.id, "--format", "csv", "--output", "-")
    assert to_stdout.exit_code == 0 and to_stdout.output.startswith("Period,Run,")
    assert [fmt for _, fmt, _ in _exports(session)] == ["csv"]  # only what was written
