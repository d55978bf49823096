"""A KAM's scorecard on the tiny population (hand-worked: see ``tiny_population``)."""

from __future__ import annotations

import datetime as dt

import pytest
from tiny_population import set_fact

from kamscore.auth.scope import Scope
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.inputs_cache import InputsCache
from kamscore.scoring.runs import run_score
from kamscore.scoring.scorecard import estimate, estimate_period, history

IN_Q1 = dt.date(2026, 2, 1)


def own(tiny, code: str) -> Scope:
    return Scope("scorecard.read", False, frozenset({tiny.people[code]}))


def test_history_reads_the_current_run_of_each_period(session, pm, tiny, published):
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    set_fact(session, tiny.period_id, "A1", "net_sales", 1_000_000)  # K1 at 100 %: 1.0
    second = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    found = history(session, own(tiny, "K1"), tiny.people["K1"])
    assert len(found) == 1  # the rerun replaces the first run of the period
    (q1,) = found
    assert (q1.period, q1.run_id, q1.status, q1.currency) == ("2026-Q1", second.id, "paid",
                                                              "EUR")
    # 1.0 x 70 % + 1.0 x 30 % = 1.0 x 1000
    assert q1.payout == 1000.0 and q1.score == pytest.approx(1.0)
    sales = next(c for c in q1.components if c.id == "sales")
    assert (sales.value, sales.factor, sales.unit) == (pytest.approx(1.0), 1.0, "ratio")
    assert sales.contribution == pytest.approx(0.7)


def test_a_kam_never_reads_another_kams_history(session, pm, tiny, published):
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    with pytest.raises(NotFoundError):
        history(session, own(tiny, "K1"), tiny.people["K2"])
    assert history(session, own(tiny, "K2"), tiny.people["K2"])[0].payout == 675.0


def test_the_estimate_and_what_would_move_it(session, pm, tiny, published):
    cache = InputsCache()
    (k1,) = estimate(session, pm, cache, scope=own(tiny, "K1"), person_id=tiny.people["K1"],
                     today=IN_Q1)
    # K1 (see tiny_population.EXPECTED): 1175.00, sales 110 % pays 1.25
    assert (k1.period, k1.ruleset, k1.status, k1.payout) == ("2026-Q1", "tiny", "paid", 1175.0)
    sales = next(c for c in k1.components if c.id == "sales")
    assert sales.value == pytest.approx(1.1) and sales.factor == pytest.approx(1.25)
    # the cap (120 %) pays 1.5: 1.5 x 70 % + 30 % = 1.35 x 1000 = 1350.00
    assert (sales.step.target_value, sales.step.label) == (1.2, "cap")
    assert sales.payout_at_step == 1350.0
    formulary = next(c for c in k1.components if c.id == "formulary")
    assert formulary.step is None  # a lookup has no next tier
    assert [c.id for c in k1.moves] == ["sales"]

    (k2,) = estimate(session, pm, cache, scope=own(tiny, "K2"), person_id=tiny.people["K2"],
                     today=IN_Q1)
    # K2: 90 % → the target (100 %) pays 1.0: 0.7 + 0.15 = 0.85 x 1000
    sales = next(c for c in k2.components if c.id == "sales")
    assert (sales.step.target_value, sales.step.label, sales.payout_at_step) == (
        1.0, "target", 850.0)
    (k3,) = estimate(session, pm, cache, scope=own(tiny, "K3"), person_id=tiny.people["K3"],
                     today=IN_Q1)
    # K3: 70 % pays nothing; the threshold (80 %) pays 0.5 x 70 % = 350.00
    sales = next(c for c in k3.components if c.id == "sales")
    assert (k3.payout, sales.step.target_value, sales.payout_at_step) == (0.0, 0.8, 350.0)
    (k4,) = estimate(session, pm, cache, scope=own(tiny, "K4"), person_id=tiny.people["K4"],
                     today=IN_Q1)
    assert k4.payout == 675.0 and next(c for c in k4.components if c.id == "sales").step.at_cap
    assert k4.moves == []


def test_the_estimate_stores_nothing_and_keeps_to_the_scope(session, pm, tiny, published):
    from sqlalchemy import func, select

    from kamscore.models import ScoreRun
    with pytest.raises(NotFoundError):
        estimate(session, pm, InputsCache(), scope=own(tiny, "K1"),
                 person_id=tiny.people["K2"], today=IN_Q1)
    estimate(session, pm, InputsCache(), scope=own(tiny, "K1"), person_id=tiny.people["K1"],
             today=IN_Q1)
    assert session.scalar(select(func.count()).select_from(ScoreRun)) == 0


def test_the_estimate_period_is_the_open_one_that_started_last(session, tiny):
    assert estimate_period(session, "quarter", IN_Q1).code == "2026-Q1"
    assert estimate_period(session, "quarter", dt.date(2025, 6, 1)).code == "2026-Q1"
    assert estimate_period(session, "month", IN_Q1) is None


def test_without_pay_no_amount_leaves(session, pm, tiny, published):
    """A manager whom pay.read does not reach: scores and steps, never an amount."""
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    team = Scope("team.read", False, frozenset({tiny.people["K1"], tiny.people["K2"]}))
    (q1,) = history(session, team, tiny.people["K1"], with_pay=False)
    assert q1.payout is None and q1.score == pytest.approx(1.175)
    (k1,) = estimate(session, pm, InputsCache(), scope=team, person_id=tiny.people["K1"],
                     today=IN_Q1, with_pay=False)
    assert (k1.payout, k1.target) == (None, None) and k1.score == pytest.approx(1.175)
    sales = next(c for c in k1.components if c.id == "sales")
    assert sales.step.target_value == 1.2 and sales.payout_at_step is None
    assert k1.moves == []


def test_a_kams_scorecard_for_whoever_reaches_him(session, pm, tiny, published):
    from kamscore.scoring.scorecard_page import kam_scorecard
    from kamscore.surveys.aggregate_store import Minimums

    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    team = Scope("team.read", False, frozenset({tiny.people["K1"], tiny.people["K2"]}))
    kwargs = {"today": IN_Q1, "minimums": Minimums(), "with_pay": True}
    kam, card = kam_scorecard(session, pm, InputsCache(), scope=team, kam_code="K2", **kwargs)
    assert kam.code == "K2" and card.history[0].payout == 675.0
    for code in ("K3", "nobody"):
        with pytest.raises(NotFoundError):
            kam_scorecard(session, pm, InputsCache(), scope=team, kam_code=code, **kwargs)
