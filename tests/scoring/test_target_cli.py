"""``kamscore targets`` on both databases: a round created, allocated, imported, opened,
shown and approved from the shell; bad input an error naming the option or the file and
line, with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from target_population import TOP_DOWN_CSV, add_team_and_users

from kamscore.models import Fact, TargetLine, TargetRound


@pytest.fixture
def team(session, tiny):
    add_team_and_users(session)
    session.rollback()


def _ok(runner, *args):
    result = runner.invoke(args=["targets", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _refused(runner, *args) -> str:
    result = runner.invoke(args=["targets", *args])
    assert result.exit_code == 1, result.output
    return result.output


def test_a_round_from_the_shell(runner, session, team, tmp_path):
    assert "round R1 created for 2026-Q1" in _ok(
        runner, "create", "R1", "--period", "2026-Q1", "--bound", "30", "--user", "ana")
    out = _ok(runner, "allocate", "R1", "--total", "3300000", "--key-period", "2026-Q1",
              "--user", "ana")
    assert "3,300,000.00 allocated to 4 KAMs" in out
    csv_file = tmp_path / "top.csv"
    csv_file.write_text(TOP_DOWN_CSV, encoding="utf-8")
    assert "4 top-down targets" in _ok(runner, "import", "R1", str(csv_file), "--user", "ana")
    assert "open until 2030-01-06 08:00 UTC" in _ok(
        runner, "open", "R1", "--deadline", "2030-01-06 08:00", "--user", "ana")
    shown = _ok(runner, "show", "R1")
    assert "total sales_target National: top-down 3,500,000.00" in shown
    assert "four-eyes" in _refused(runner, "approve", "R1", "--user", "ana")
    assert "4 target facts written" in _ok(runner, "approve", "R1", "--user", "bob")
    assert session.scalar(select(func.count()).select_from(Fact)
                          .where(Fact.source == "target round R1")) == 4


def test_bad_input_names_the_option_or_the_line(runner, session, team, tmp_path):
    assert "(--bound-pct)" in _refused(runner, "create", "R1", "--period", "2026-Q1",
                                       "--bound", "-3")
    assert "(--period)" in _refused(runner, "create", "R1", "--period", "1999-Q1")
    assert session.scalar(select(func.count()).select_from(TargetRound)) == 0
    session.rollback()  # SQLite: hold no lock while the command writes
    _ok(runner, "create", "R1", "--period", "2026-Q1")
    bad = tmp_path / "bad.csv"
    bad.write_text("kam,fact,target\nK1,sales_target,100\nK2,sales_target,-5\n",
                   encoding="utf-8")
    out = _refused(runner, "import", "R1", str(bad))
    assert "bad.csv: line 3: target: a target cannot be negative (-5)" in out
    assert "(--" not in out  # the file and line say where, not an option
    assert "(--total)" in _refused(runner, "allocate", "R1", "--total", "lots",
                                   "--key-period", "2026-Q1")
    assert session.scalar(select(func.count()).select_from(TargetLine)) == 0
