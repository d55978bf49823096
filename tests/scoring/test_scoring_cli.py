"""The scoring commands end to end: ruleset import → approve → publish → score run → show →
export → what-if → period close → correction, on the tiny population."""

from __future__ import annotations

import csv
import io

import pytest
from tiny_population import EXPECTED, TINY_PLAN


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_PLAN, encoding="utf-8")
    return path


def invoke(runner, *args, ok=True):
    result = runner.invoke(args=[str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
    return result.output


def test_the_whole_cycle_from_the_command_line(runner, tiny, plan_file, tmp_path):
    out = invoke(runner, "ruleset", "import", plan_file, "--user", "ana", "--note", "v1")
    assert out.startswith("imported tiny v1 (draft)")
    out = invoke(runner, "ruleset", "approve", "tiny", 1, "--user", "ana", ok=False)
    assert "drafted by 'ana'; a different user must approve it (four-eyes rule)" in out
    assert invoke(runner, "ruleset", "approve", "tiny", 1, "--user", "bob") == (
        "tiny v1 approved by bob\n")
    assert "published" in invoke(runner, "ruleset", "publish", "tiny", 1, "--user", "ana")
    listing = invoke(runner, "ruleset", "list")
    assert "tiny" in listing and "published" in listing and "bob" in listing

    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny",
                 "--user", "ana")
    assert out.startswith("run 1: tiny v1 on 2026-Q1 [complete]")
    assert "total payout 2,525.00 EUR" in out and "4 KAMs, 4 eligible, 0 held" in out

    statement = invoke(runner, "score", "show", 1, "--kam", "K4")
    assert statement.startswith("K4 Kam K4: 675.00 EUR (paid; plan variant default)")
    assert "Sales attainment [sales_attainment]: 120.0 %" in statement
    assert "segment: at or above cap; factor 150.0 %" in statement
    assert "no data: no formulary status for the assigned accounts" in statement
    assert "no data: paid at target" in statement
    assert "Proration" in statement and "50.0 % of the period in role" in statement

    export = tmp_path / "run1.csv"
    assert invoke(runner, "score", "export", 1, "--csv", export) == (
        f"4 statements written to {export}\n")
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    assert {r["KAM code"]: r["Payout"] for r in rows} == EXPECTED
    assert rows[3]["Sales attainment: scored as"] == "at or above cap"
    assert rows[3]["Formulary status: scored as"] == "no data: paid at target"
    assert {r["Run"] for r in rows} == {"1"} and rows[0]["Ruleset version"] == "1"

    out = invoke(runner, "score", "whatif", "--period", "2026-Q1", "--against", "tiny",
                 "--weight", "sales=60", "--weight", "formulary=40")
    assert "cost changes by -75.00 EUR (-2.97 %); 0 KAMs up, 3 down, 1 unchanged" in out

    out = invoke(runner, "period", "close", "2026-Q1")
    assert out == "period 2026-Q1 closed; final runs: tiny: run 1\n"
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny", ok=False)
    assert "period 2026-Q1 is closed" in out and "--correction-of 1" in out
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny",
                 "--correction-of", 1, "--reason", "formulary data re-checked")
    assert "run 2: tiny v1 on 2026-Q1 [complete], corrects run 1: formulary data" in out
    assert "(corrects 1)" in invoke(runner, "score", "list", "--period", "2026-Q1")


def test_diff_of_a_file_against_the_published_version(runner, tiny, plan_file, tmp_path):
    invoke(runner, "ruleset", "import", plan_file, "--user", "ana")
    invoke(runner, "ruleset", "approve", "tiny", 1, "--user", "bob")
    invoke(runner, "ruleset", "publish", "tiny", 1, "--user", "ana")
    changed = tmp_path / "tiny2.yaml"
    changed.write_text(TINY_PLAN.replace("weight: 70", "weight: 65")
                       .replace("weight: 30", "weight: 35"), encoding="utf-8")
    out = invoke(runner, "ruleset", "diff", "tiny", changed)
    assert out.splitlines()[:3] == [f"Changes from tiny v1 to {changed}:", "", "Components"]
    assert "  ~ component sales, weight: 70 % → 65 %" in out
    assert "  ~ component formulary, weight: 30 % → 35 %" in out


def test_errors_name_the_file_and_line(runner, tiny, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_PLAN.replace("metric: sales_attainment", "metric: sales_attain"),
                   encoding="utf-8")
    out = invoke(runner, "ruleset", "import", bad, "--user", "ana", ok=False)
    assert (f"{bad}:12: components[0].metric: unknown metric 'sales_attain'; did you mean "
            "'sales_attainment'?") in out
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", "tiny", ok=False)
    assert "no ruleset named 'tiny' has been imported" in out
    out = runner.invoke(args=["score", "whatif", "--period", "2026-Q1", "--weight", "sales"])
    assert out.exit_code == 2 and "write COMPONENT=PERCENT" in out.output
