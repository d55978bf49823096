"""``kamscore ruleset check FILE...``: every problem as FILE:LINE: key.path: message."""

from __future__ import annotations

from kamscore.content.bundled import bundled_files

BROKEN = """\
name: broken
version: 1
period: quarter
currency: EUR
target_incentive: {amount: 1000}
components:
  - id: sales
    metric: sales_atainment
    weight: 60
    curve:
      points:
        - {at: 1.0, pays: 1}
        - {at: 0.9, pays: 1.5}
  - id: csat
    metric: csat
    weight: 40
    params: {top_boxx: 4}
    formula: "value ** value"
"""


def test_the_shipped_rulesets_pass(runner):
    files = [str(p) for p in bundled_files("rulesets", "*.yaml")]
    result = runner.invoke(args=["ruleset", "check", *files])
    assert result.exit_code == 0, result.output
    assert [line.split(": ")[-1] for line in result.output.splitlines()] == ["ok"] * 4


def test_every_problem_is_printed_and_the_exit_status_is_1(runner, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(args=["ruleset", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"{path}:8: components[0].metric: unknown metric 'sales_atainment'; did you mean "
        "'sales_attainment'? (known: account_roi, amount, collaboration_360, csat, dmu_coverage, "
        "formulary_status, market_share, nps, penetration_index, plan_execution, "
        "plan_quality, relationship_quality, revenue_to_profit, sales_attainment, "
        "sales_growth, team_goal_attainment, win_loss_ratio)",
        f"{path}:13: components[0].curve.points[1].at: breakpoints must be in increasing "
        "order of value: 0.9 is not above the previous point's 1",
        f"{path}:17: components[1].params.top_boxx: unknown parameter 'top_boxx' of metric "
        "csat; did you mean 'top_box'? (it takes: measure, min_response_rate, min_responses, "
        "rater_group, survey, top_box)",
        f"{path}:18: components[1].formula: a formula: the exponent of ** must be a plain "
        "number between -10 and 10 (at column 10) in `value ** value`",
    ]
    assert lines[4] == f"{path}: 4 problems"


def test_a_file_that_is_not_utf8(runner, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    result = runner.invoke(args=["ruleset", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: (document): not UTF-8 text")


def test_a_ruleset_nested_100000_deep_is_a_problem_with_its_line(runner, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: deep\nversion: 1\nparameters: " + "[" * 100_000 + "]" * 100_000
                    + "\n", encoding="utf-8")
    result = runner.invoke(args=["ruleset", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:3: (document): mappings and lists are nested more than 30 levels deep here; "
        "at most that many are allowed")
