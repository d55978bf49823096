"""Market share (a net-sales-weighted mean), worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3", "A4"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A3"),
            assigned("K3", "A4"),
        ],
        facts=[
            fact("net_sales", 150, account="A1"), fact("net_sales", 900, account="A2"),
            fact("market_share", 30, account="A1"), fact("market_share", 10, account="A2"),
            fact("penetration_index", 120, account="A1"),
            fact("penetration_index", 80, account="A2"),
            # A3 reports share per product: its share is their plain mean, (20 + 40) / 2 = 30
            fact("market_share", 20, account="A3", product="P1"),
            fact("market_share", 40, account="A3", product="P2"),
            fact("net_sales", 10, account="A3", product="P1"),
            # A4 has a share but no sales to weight it by
            fact("market_share", 50, account="A4"),
        ],
    )


def test_market_share_weighted_by_net_sales(ctx, compute, value_of):
    values = compute(ctx, "market_share")
    # K1: weights 1 * 150 = 150 (A1) and 1/3 * 900 = 300 (A2):
    # (0.30 * 150 + 0.10 * 300) / 450 = 75 / 450 = 1/6
    assert value_of(values, "K1") == pytest.approx(1 / 6)
    assert value_of(values, "K2") == pytest.approx(0.30)
    assert value_of(values, "K3") is None  # no net sales to weight A4's share


def test_market_share_equal_weights(ctx, compute, value_of):
    values = compute(ctx, "market_share", weight="equal")
    # K1: (0.30 * 1 + 0.10 * 1/3) / (1 + 1/3) = (1/3) / (4/3) = 0.25
    assert value_of(values, "K1") == pytest.approx(0.25)
    assert value_of(values, "K3") == pytest.approx(0.50)

