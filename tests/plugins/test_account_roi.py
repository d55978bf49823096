"""Account ROI (net sales over investment), worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams


def test_account_roi(compute, value_of):
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
            fact("net_sales", 150, account="A1"), fact("investment", 50, account="A1"),
            fact("net_sales", 900, account="A2"), fact("investment", 150, account="A2"),
            fact("net_sales", 50, account="A3"),
        ],
    )
    values = compute(ctx, "account_roi")
    # K1: sales 150 + 900/3 = 450; invested 50 + 150/3 = 100; 4.5
    assert value_of(values, "K1") == pytest.approx(4.5)
    # K2: 600 / 100 = 6.0
    assert value_of(values, "K2") == pytest.approx(6.0)
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no investment reported for the assigned accounts"
    assert values.inputs(1) == {"net_sales": pytest.approx(600), "investment": pytest.approx(100)}
