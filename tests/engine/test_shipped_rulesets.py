"""The rulesets shipped in rulesets/: valid against the real built-in metric plugins, and
paying what hand-worked examples say (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from kamscore.content.bundled import bundled_files
from kamscore.engine import MetricValues, Population, Status, evaluate
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import check_ruleset, load_ruleset
from kamscore.plugin_host.manager import build_plugin_manager

NAMES = ["commissions", "launch", "mature", "standard"]


@pytest.fixture(scope="module")
def plugins():
    metrics, functions = catalogue_of(build_plugin_manager(entry_points=False))
    return metrics, functions


def shipped(name: str, plugins):
    (path,) = [p for p in bundled_files("rulesets", "*.yaml") if p.stem == name]
    return load_ruleset(path.read_text(encoding="utf-8"), f"rulesets/{path.name}", *plugins)


def test_the_shipped_rulesets_are_the_four_plans():
    assert [p.stem for p in bundled_files("rulesets", "*.yaml")] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_shipped_ruleset_validates_against_the_built_in_metrics(name, plugins):
    (path,) = [p for p in bundled_files("rulesets", "*.yaml") if p.stem == name]
    assert check_ruleset(path.read_text(encoding="utf-8"), str(path), *plugins) == []
    ruleset = shipped(name, plugins)
    metrics = {c.metric for c in ruleset.components}
    assert metrics <= set(plugins[0])


def kams(**columns) -> Population:
    count = len(next(iter(columns.values())))
    defaults = {"role": ["kam"] * count, "period_days": [91] * count,
                "eligible_days": [91] * count}
    defaults.update(columns)
    return Population.from_columns([f"K{i + 1}" for i in range(count)], **defaults)


def metric(*items, n=None) -> MetricValues:
    return MetricValues.of(list(items), n)


def test_standard(plugins):
    ruleset = shipped("standard", plugins)
    population = kams(
        grade=["K2", "K3", "K1", "K2", "K2", "K3"],
        base_salary=[96000, 100000, 80000, 90000, 90000, 300000],
        segment=["key", "strategic", "development", "key", "key", "key"],
        eligible_days=[91, 91, 46, 91, 91, 91],
        role=["kam", "kam", "kam", "kam", "manager", "kam"],
    )
    evaluation = evaluate(ruleset, population, {
        "sales": metric(1.09, 1.09, 1.0, 1.0, 1.0, 1.5),
        "growth": metric(0.025, 0.025, 0.0, 0.0, 0.0, 0.2),
        "share": metric(0.25, 0.25, 0.10, 0.25, 0.25, 0.4),
        "formulary": metric(80, 80, 100, 80, 80, 100),
        "wins": metric(1.5, 1.5, None, 1.5, 1.5, 3.0),
        "csat": metric(0.80, 0.45, None, 0.8, 0.8, 0.9, n=[8, 10, 0, 8, 8, 9]),
        "relationship": metric(4.0, 4.0, None, 4.0, 4.0, 5.0),
        "plan_quality": metric(4, 4, 3, None, 4, 5),
        "plan_execution": metric(0.9, 0.9, 0.5, 0.9, 0.9, 1.0),
        "dmu": metric(0.8, 0.8, 0.7, 0.8, 0.8, 1.0),
        "collaboration": metric(4.2, 4.2, 3.0, 4.2, 4.2, 5.0),
        "team_goals": metric(1.0, 1.0, 0.8, 1.0, 1.0, 1.5),
    })
    # K1 (K2, 96,000: target 96,000 / 4 x 12.5 % = 3,000.00; key segment, default weights):
    #   sales 1.09: 1 + 0.5 x 0.09/0.15 = 1.3 x 25 = 32.5  | growth 2.5 %: 0.75 x 10 = 7.5
    #   share 25 %: 1.0 x 5 = 5    | formulary 80: 1.0 x 5 = 5 | wins 1.5: 1.25 x 5 = 6.25
    #   csat 80 %: 1.0 x 10 = 10   | relationship 4.0: 1.25 x 5 = 6.25
    #   plan quality 4: 1.25 x 5 = 6.25 | execution 90 %: 1.125 x 5 = 5.625
    #   dmu 80 %: 1.125 x 5 = 5.625 | collaboration 4.2: 1.1 x 10 = 11 | team 1.0: 1 x 10
    #   score 111 % -> 3,330.00 (team part 21 / 111 of it: 630.00)
    # K2 (K3, 100,000: 3,750.00; strategic): sales 1.3 x 1.1 uplift = 1.43 x 25 = 35.75;
    #   csat 45 %: 0; the rest as K1: 68.5; score 104.25 %; csat below 50 %: the customer
    #   floor gate keeps 75 %: 0.781875 x 3,750 = 2,932.03125 -> 2,932.03
    # K3 (K1, 80,000: 2,000.00; development variant; 46 of 91 days):
    #   wins and relationship have no data: excluded (5 + 10 of the 100 %); csat none: at
    #   target. 15 x 1 + 10 x 0.5 + 5 x 0.5 + 5 x 1.2 + 10 x 1 + 5 x 1 + 5 x 0.5 + 10 x 1
    #   + 10 x 0.5 + 10 x 0.5 = 66 of the 85 % left: 66 / 85 = 0.776470...
    #   2,000 x 0.776470 x 46 / 91 = 785.0032 -> 785.00
    # K4: no plan-quality rating: held for review
    # K5: a manager: not eligible
    # K6 (K3, 300,000: 11,250.00): every factor at its top: 146 % -> 16,425.00, capped at
    #   the plan's cap_amount 12,000.00
    assert [str(evaluation.payout_decimal(i)) for i in range(6)] == [
        "3330.00", "2932.03", "785.00", "0.00", "0.00", "12000.00"]
    assert evaluation.status.tolist() == [Status.PAID, Status.PAID, Status.PAID, Status.HELD,
                                          Status.INELIGIBLE, Status.PAID]
    first = evaluation.statement(0)
    assert {k: str(v) for k, v in first.parts.items()} == {"individual": "2700.00",
                                                           "team": "630.00"}
    assert [g.passed for g in evaluation.statement(1).gates] == [False]
    assert evaluation.statement(2).variant == "development"
    assert evaluation.statement(3).reasons == ("no data for plan_quality (missing: hold)",)
    assert evaluation.amount_capped.tolist()[5] is True


def test_launch(plugins):
    ruleset = shipped("launch", plugins)
    population = kams(base_salary=[80000] * 5,
                      lifecycle_phase=["launch", "launch", "pre_launch", "launch", "launch"])
    evaluation = evaluate(ruleset, population, {
        "formulary": metric(60, 20, 80, None, 100),
        "wins": metric(1.0, 3.0, 0.4, 1.0, 6.0),
        "dmu": metric(0.55, 0.9, 0.7, 0.55, 1.0),
        "sales": metric(1.15, 1.3, None, 1.15, 2.0),
        "plan_execution": metric(0.8, None, 1.0, 0.8, 1.0),
        "collaboration": metric(4.0, 4.5, 3.5, 4.0, 5.0),
    })
    # target: 12 % of 80,000 / 4 = 2,400.00 for everybody
    # K1: formulary 60 in [50, 75): 1.0 x 30 = 30 | wins 1.0, marginal: 0.5 x 1.0 + 0.5 x 0.5
    #   = 0.75 x 20 = 15 | dmu 55 %: 0.75 x 15 = 11.25 | sales 115 %: 1.25 x 15 = 18.75
    #   (formulary >= 25: access, sales pay) | execution 80 %: 1 x 10 | collaboration 4: 1 x 10
    #   score 95 % -> 2,280.00
    # K2: formulary 20: 0 | wins 3.0: 0.5 + 0.5 + 0.25 x 1.5 = 1.375 x 20 = 27.5 | dmu 90 %:
    #   1.25 x 15 = 18.75 | sales blocked (formulary 20 < 25): 0 | no plan: zero |
    #   collaboration 4.5: 1.25 x 10 = 12.5; score 58.75 % -> 1,410.00
    # K3 (pre_launch weights 40/25/20/0/5/10): formulary 80: 1.5 x 40 = 60 | wins 0.4: 0.4 x 25
    #   = 10 | dmu 70 %: 1 x 20 = 20 | sales not paid | execution 100 %: 1.2 x 5 = 6 |
    #   collaboration 3.5: 0.75 x 10 = 7.5; score 103.5 % -> 2,484.00
    # K4: no formulary status at all: held for review
    # K5: wins 6.0: 0.5 + 0.5 + 0.25 x 4.5 = 2.125, capped at 1.5; 45 + 30 + 18.75 + 22.5
    #   + 12 + 12.5 = 140.75 % -> 3,378.00
    assert [str(evaluation.payout_decimal(i)) for i in range(5)] == [
        "2280.00", "1410.00", "2484.00", "0.00", "3378.00"]
    assert evaluation.status.tolist()[3] == Status.HELD
    assert evaluation.component("wins").capped.tolist() == [False] * 4 + [True]
    assert evaluation.component("sales").gate_factor.tolist()[1] == 0.0
    assert evaluation.statement(2).variant == "pre_launch"


def test_mature(plugins):
    ruleset = shipped("mature", plugins)
    population = kams(
        grade=["K2", "K1", "K2", "K3"], eligible_days=[90, 90, 40, 60],
        period_days=[90, 90, 90, 90],
        lifecycle_phase=["maturity", "loss_of_exclusivity", "maturity", "maturity"])
    evaluation = evaluate(ruleset, population, {
        "share": metric(0.30, 0.15, 0.30, 0.35),
        "profit": metric(1.4, 1.2, 1.4, 2.5),
        "roi": metric(6.5, 3.0, 6.5, 8.0),
        "sales": metric(1.05, 0.9, 1.05, 1.1),
        "penetration": metric(110, 80, 110, 120),
        "nps": metric(40, 40, 40, None, n=[12, 5, 12, None]),
        "team_goals": metric(1.1, None, 1.1, 1.2),
    })
    # K1 (K2: 6,000.00): share 30 %: 1.25 x 25 = 31.25 | revenue-to-profit 1.4 (lower is
    #   better): halfway 1.3..1.5 = 1.25 x 20 = 25 | roi 6.5: 1.25 x 15 = 18.75 | sales
    #   105 %: 1.15 x 15 = 17.25 | penetration 110: 1.125 x 10 = 11.25 | nps 40 (12
    #   answers): 1.15 x 5 = 5.75 | team 110 %: 1.25 x 10 = 12.5; score 121.75 %
    #   -> 7,305.00, of which long-term (share) 31.25 / 121.75: 1,875.00
    # K2 (K1: 5,000.00; loss of exclusivity: 25/30/15/10/5/5/10): share 15 %: 0.5 x 25
    #   = 12.5 | profit 1.2, better than 1.3: `below` 1.5 x 30 = 45 | roi 3: 0.5 x 15 = 7.5 |
    #   sales 90 %: 0.5 x 10 = 5 | penetration 80: 0.5 x 5 = 2.5 | nps with 5 answers: the
    #   gate blocks it, 0 | no team goals: at target 1 x 10 = 10; 82.5 % -> 4,125.00
    # K3: 40 eligible days, under the 45-day minimum: not eligible
    # K4 (K3: 7,500.00, 60 of 90 days): share 35 %: 1.5 x 25 = 37.5 | profit 2.5, beyond
    #   the last point: 0 | roi 8: 1.5 x 15 = 22.5 | sales 110 %: 1.3 x 15 = 19.5 |
    #   penetration 120: 1.25 x 10 = 12.5 | no nps: at target 1 x 5 = 5 | team 120 %:
    #   1.5 x 10 = 15; 112 % x 7,500 x 60 / 90 -> 5,600.00
    assert [str(evaluation.payout_decimal(i)) for i in range(4)] == [
        "7305.00", "4125.00", "0.00", "5600.00"]
    assert evaluation.status.tolist()[2] == Status.INELIGIBLE
    first = evaluation.statement(0)
    assert [str(first.horizons[k]) for k in ("long_term", "short_term")] == [
        "1875.00", "5430.00"]
    assert evaluation.statement(1).variant == "loss_of_exclusivity"
    assert evaluation.component("nps").gate_factor.tolist()[:2] == [1.0, 0.0]
