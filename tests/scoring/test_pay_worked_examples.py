"""The worked examples of docs/scoring.md, "Pay beyond the run", computed through the CLI
(``kamscore score run`` and ``kamscore pay ...``) to the cent, on the tiny population
(tests/tiny_population.py) with a second quarter and the year 2026 added.

Hand-worked (the doc has the same tables):

- 2026-Q1, run 1 (K1 1,175.00, K2 675.00, K3 0.00, K4 675.00): K1 adjustment -75.50 and K2
  SPIFF 250.00 (entered by ana, approved by bob); K3 recoverable draw 500.00 (limit 50 %):
  earnings 0.00 → draw 500.00, owed; K4 guaranteed draw 700.00: 700.00 - 675.00 = 25.00.
  Payroll 1,099.50 + 925.00 + 500.00 + 700.00 = 3,224.50.
- correction of 2026-Q1, run 2 (K1 sales 1,000,000 → 1,000.00; K2 1,000,000 → 850.00): only
  K1 -175.00 (owed, pays 0.00 now) and K2 +175.00; K3 and K4 are not in the export.
- 2026-Q2, run 3 (K1 1,175.00, K2 675.00, K3 875.00, K4 1,350.00): K1 clawback -200.00
  (corrects run 1) and recovery of the correction's 175.00 (no draw: up to 100 %) → 800.00;
  K3 recovery min(50 % x 875.00 = 437.50, 875.00 - 500.00 = 375.00) = 375.00 → 500.00, 125.00
  still owed. Payroll 800.00 + 675.00 + 500.00 + 1,350.00 = 3,325.00.
- 2026, run 4 (annual plan, target 4,000: K1 4,700.00, K2 2,700.00, K3 0.00, K4 4,734.25),
  trued up against runs 2 and 3: K1 4,700.00 - (1,000.00 + 1,175.00) = 2,525.00; K2 2,700.00
  - (850.00 + 675.00) = 1,175.00; K3 0.00 - 875.00 = -875.00 (owed); K4 4,734.25 - (675.00 +
  1,350.00) = 2,709.25.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from tiny_population import TINY_PLAN, set_fact

from kamscore.models import Account, Fact, PayEntry, Period, PeriodKind

YEAR_PLAN = (TINY_PLAN.replace("name: tiny", "name: tiny_year")
             .replace("title: Tiny plan", "title: Tiny annual plan")
             .replace("period: quarter", "period: year")
             .replace("{amount: 1000}", "{amount: 4000}"))

#: per account: (Q2 net sales, year net sales, year target) — Q2 target 1,000,000 each
SALES = {"A1": (1_100_000, 4_400_000), "A2": (900_000, 3_600_000),
         "A3": (1_100_000, 2_000_000), "A4": (1_200_000, 4_800_000)}


def invoke(runner, *args, ok=True):
    result = runner.invoke(args=[str(a) for a in args])
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def _add_period(session, code, kind, start, end, sales_index):
    period = Period(code=code, kind=kind, start_date=start, end_date=end)
    session.add(period)
    session.flush()
    q1 = session.scalar(select(Period).where(Period.code == "2026-Q1"))
    for fact in session.scalars(select(Fact).where(Fact.period_id == q1.id)):
        account = session.get(Account, fact.account_id)
        value = fact.value
        if fact.name == "net_sales":
            value = SALES[account.code][sales_index]
        elif fact.name == "sales_target" and kind is PeriodKind.YEAR:
            value = 4_000_000
        session.add(Fact(period_id=period.id, name=fact.name, subject_key=fact.subject_key,
                         account_id=fact.account_id, value=value, category=fact.category,
                         unit=fact.unit, source="test"))
    session.commit()


@pytest.fixture
def population(session, tiny, tmp_path):
    _add_period(session, "2026-Q2", PeriodKind.QUARTER, dt.date(2026, 4, 1),
                dt.date(2026, 6, 30), 0)
    _add_period(session, "2026", PeriodKind.YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                1)
    for name, text in (("tiny", TINY_PLAN), ("tiny_year", YEAR_PLAN)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
    return tiny


def _publish(runner, tmp_path, name):
    invoke(runner, "ruleset", "import", tmp_path / f"{name}.yaml", "--user", "ana")
    invoke(runner, "ruleset", "approve", name, 1, "--user", "bob")
    invoke(runner, "ruleset", "publish", name, 1, "--user", "ana")


def _export(runner, tmp_path, run):
    path = tmp_path / f"run{run}.csv"
    invoke(runner, "payroll", "export", run, "--output", path, "--user", "bob")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return [(r["KAM code"], r["Kind"], r["Payout"], r["Amount"]) for r in rows]


def _total(out: str) -> str:
    return re.search(r"^total (\S+) in", out, re.M).group(1)


def test_the_documented_worked_examples_to_the_cent(runner, session, population, tmp_path):
    _publish(runner, tmp_path, "tiny")
    _publish(runner, tmp_path, "tiny_year")
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny",
                 "--user", "ana")
    assert out.startswith("run 1:") and "total payout 2,525.00 EUR" in out

    # 1. an adjustment and a SPIFF, four-eyes
    out = invoke(runner, "pay", "enter", "K1", "2026-Q1", "--kind", "adjustment", "--amount",
                 "-75.50", "--reason", "territory handover", "--user", "ana")
    assert out.startswith("entry 1: adjustment -75.50 EUR for K1 in 2026-Q1, waiting")
    invoke(runner, "pay", "enter", "K2", "2026-Q1", "--kind", "spiff", "--amount", "250.00",
           "--reason", "launch SPIFF: 10 new formulary listings", "--user", "ana")
    out = invoke(runner, "pay", "approve", 1, "--user", "ana", ok=False)
    assert "ana entered entry 1: four-eyes rule" in out and "(--user)" in out
    invoke(runner, "pay", "approve", 1, "--user", "bob")
    invoke(runner, "pay", "approve", 2, "--user", "bob")

    # 2. draws: K3 recoverable 500.00 (at most 50 % of earnings recovered), K4 guaranteed
    invoke(runner, "pay", "draw", "K3", "--from", "2026-Q1", "--amount", "500.00",
           "--recoverable", "--recovery-limit", "50", "--user", "ana")
    invoke(runner, "pay", "draw", "K4", "--from", "2026-Q1", "--amount", "700.00",
           "--guaranteed", "--user", "ana")

    invoke(runner, "period", "close", "2026-Q1")
    assert _export(runner, tmp_path, 1) == [
        ("K1", "earnings", "1175.00", "1175.00"), ("K1", "adjustment", "-75.50", "-75.50"),
        ("K2", "earnings", "675.00", "675.00"), ("K2", "spiff", "250.00", "250.00"),
        ("K3", "earnings", "0.00", "0.00"), ("K3", "draw", "500.00", "500.00"),
        ("K4", "earnings", "675.00", "675.00"), ("K4", "draw", "25.00", "25.00")]
    assert _total(invoke(runner, "pay", "lines", 1)) == "3,224.50"
    assert _export(runner, tmp_path, 1)[-1] == ("K4", "draw", "25.00", "25.00")  # same lines

    # 5. a correction of the closed quarter pays only the differences
    q1 = population.period_id
    set_fact(session, q1, "A1", "net_sales", 1_000_000)
    set_fact(session, q1, "A2", "net_sales", 1_000_000)
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny",
                 "--correction-of", 1, "--reason", "credited sales re-checked", "--user",
                 "ana")
    assert out.startswith("run 2:")
    invoke(runner, "pay", "sign-off", 2, "--user", "bob")
    assert _export(runner, tmp_path, 2) == [
        ("K1", "correction", "0.00", "-175.00"), ("K2", "correction", "175.00", "175.00")]

    # 3. a clawback in Q2 referencing the run it corrects; 2. the recoveries
    out = invoke(runner, "score", "run", "--period", "2026-Q2", "--ruleset", "tiny",
                 "--user", "ana")
    assert out.startswith("run 3:") and "total payout 4,075.00 EUR" in out
    out = invoke(runner, "pay", "enter", "K1", "2026-Q2", "--kind", "clawback", "--amount",
                 "-200.00", "--run", 1, "--reason", "order of 12 March returned", "--user",
                 "ana")
    invoke(runner, "pay", "approve", re.match(r"entry (\d+):", out).group(1), "--user", "bob")
    invoke(runner, "period", "close", "2026-Q2")
    assert _export(runner, tmp_path, 3) == [
        ("K1", "earnings", "1175.00", "1175.00"), ("K1", "clawback", "-200.00", "-200.00"),
        ("K1", "recovery", "-175.00", "-175.00"),
        ("K2", "earnings", "675.00", "675.00"),
        ("K3", "earnings", "875.00", "875.00"), ("K3", "recovery", "-375.00", "-375.00"),
        ("K4", "earnings", "1350.00", "1350.00")]
    assert _total(invoke(runner, "pay", "lines", 3)) == "3,325.00"
    balances = invoke(runner, "pay", "balances")
    assert ("K3       draw 500.00 recoverable; owed 500.00, recovered 375.00, outstanding "
            "125.00") in balances
    assert "K1       no draw; owed 175.00, recovered 175.00, outstanding 0.00" in balances
    recovery = session.scalar(select(PayEntry).where(PayEntry.kind == "recovery",
                                                     PayEntry.kam_code == "K3"))
    draw = session.get(PayEntry, recovery.settles_id)
    assert (draw.kind, draw.run_id, draw.recoverable) == ("draw", 1, Decimal("500.00"))
    session.rollback()  # end the read: the commands write next

    # 4. the annual true-up against the quarters' advances (runs 2 and 3)
    out = invoke(runner, "score", "run", "--period", "2026", "--ruleset", "tiny_year",
                 "--user", "ana")
    assert out.startswith("run 4:")
    invoke(runner, "period", "close", "2026")
    out = invoke(runner, "pay", "settle", 4, "--advances", "2,3", "--user", "bob")
    assert "run 4 settled (true_up) by bob" in out
    assert _export(runner, tmp_path, 4) == [
        ("K1", "true_up", "2525.00", "2525.00"), ("K2", "true_up", "1175.00", "1175.00"),
        ("K3", "true_up", "0.00", "-875.00"), ("K4", "true_up", "2709.25", "2709.25")]
    assert _total(invoke(runner, "pay", "lines", 4)) == "6,409.25"
    true_up = session.scalar(select(PayEntry).where(PayEntry.kind == "true_up",
                                                    PayEntry.kam_code == "K1"))
    assert (true_up.run_id, true_up.advance_runs) == (4, [2, 3])
