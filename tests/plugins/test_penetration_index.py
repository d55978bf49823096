"""Penetration index (a net-sales-weighted mean), worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A3"),
        ],
        facts=[
            fact("net_sales", 150, account="A1"), fact("net_sales", 900, account="A2"),
            fact("penetration_index", 120, account="A1"),
            fact("penetration_index", 80, account="A2"),
            fact("net_sales", 10, account="A3"),
        ],
    )


def test_penetration_index(ctx, compute, value_of):
    by_sales = compute(ctx, "penetration_index")
    # K1: (120 * 150 + 80 * 300) / 450 = 42000 / 450 = 93.33
    assert value_of(by_sales, "K1") == pytest.approx(42000 / 450)
    equal = compute(ctx, "penetration_index", weight="equal")
    # K1: (120 + 80/3) / (4/3) = 110
    assert value_of(equal, "K1") == pytest.approx(110)
    assert value_of(equal, "K2") is None
    assert equal.reasons[1] == "no penetration index reported for the assigned accounts"
