"""Win-to-lose ratio over tenders and formulary decisions, worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3", "K4"),
        account_rows=accounts("A1", "A2", "A3", "A4"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A2", end=dt.date(2026, 3, 1)),  # weight 2/3
            assigned("K3", "A3"),
            assigned("K4", "A4"),
        ],
        facts=[
            # A1: wins 3 + 1 = 4, losses 1 + 1 = 2
            fact("tenders_won", 3, account="A1"), fact("tenders_lost", 1, account="A1"),
            fact("formulary_wins", 1, account="A1"), fact("formulary_losses", 1, account="A1"),
            # A2: wins 3, losses 3
            fact("tenders_won", 3, account="A2"), fact("tenders_lost", 3, account="A2"),
            # A3: two wins, nothing lost
            fact("tenders_won", 2, account="A3"),
        ],
    )


def test_tenders_and_formulary_decisions(ctx, compute, value_of):
    values = compute(ctx, "win_loss_ratio")
    # K1: wins 4 + 3/3 = 5; losses 2 + 3/3 = 3; 5/3
    assert value_of(values, "K1") == pytest.approx(5 / 3)
    # K2: wins 3 * 2/3 = 2; losses 3 * 2/3 = 2; 1.0
    assert value_of(values, "K2") == pytest.approx(1.0)
    assert values.inputs(0) == {"wins": pytest.approx(5), "losses": pytest.approx(3)}


def test_tenders_only(ctx, compute, value_of):
    values = compute(ctx, "win_loss_ratio", formulary=False)
    # K1: wins 3 + 1 = 4; losses 1 + 1 = 2; 2.0
    assert value_of(values, "K1") == pytest.approx(2.0)


def test_no_losses(ctx, compute, value_of):
    # K3: 2 wins, 0 losses: counted as if one decision had been lost by default
    assert value_of(compute(ctx, "win_loss_ratio"), "K3") == pytest.approx(2.0)
    strict = compute(ctx, "win_loss_ratio", when_no_losses="no_data")
    assert value_of(strict, "K3") is None
    assert strict.reasons[2] == "no decision lost: the ratio is undefined"


def test_no_decisions_is_no_data(ctx, compute, value_of):
    values = compute(ctx, "win_loss_ratio")
    assert value_of(values, "K4") is None
    assert values.reasons[3] == "no tender or formulary decision in the period"


def test_counting_nothing_is_an_invalid_parameter(pm):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError, match="tenders, formulary decisions or both"):
        pm.metrics["win_loss_ratio"].cls.Params().load({"tenders": False, "formulary": False})
