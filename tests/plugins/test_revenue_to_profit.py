"""Revenue-to-profit ratio (lower is better), worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams


def test_revenue_to_profit(compute, value_of, pm):
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A2", end=dt.date(2026, 3, 1)),  # weight 2/3
            assigned("K3", "A3"),
        ],
        facts=[
            fact("net_sales", 150, account="A1"), fact("gross_profit", 100, account="A1"),
            fact("net_sales", 900, account="A2"), fact("gross_profit", 300, account="A2"),
            fact("net_sales", 50, account="A3"), fact("gross_profit", -5, account="A3"),
        ],
    )
    values = compute(ctx, "revenue_to_profit")
    # K1: sales 150 + 900/3 = 450; profit 100 + 300/3 = 200; 2.25
    assert value_of(values, "K1") == pytest.approx(2.25)
    # K2: 600 / 200 = 3.0
    assert value_of(values, "K2") == pytest.approx(3.0)
    # K3: a loss makes the ratio meaningless
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no positive gross profit reported"
    assert pm.metrics["revenue_to_profit"].direction == "lower"
