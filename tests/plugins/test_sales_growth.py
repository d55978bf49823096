"""Sales growth against the same period a year earlier, worked by hand."""

import datetime as dt

import pytest
from metric_ctx import Q1_2025, accounts, assigned, context, fact, kams


def build(previous_year=Q1_2025):
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # 30 of 90 days: weight 1/3
            assigned("K2", "A2", end=dt.date(2026, 3, 1)),  # 60 of 90 days: weight 2/3
            assigned("K3", "A3"),
        ],
        facts=[fact("net_sales", 150, account="A1"), fact("net_sales", 900, account="A2"),
               fact("net_sales", 50, account="A3")],
        previous_year=previous_year,
        previous_facts=[fact("net_sales", 100, account="A1"),
                        fact("net_sales", 450, account="A2")] if previous_year else [],
    )


def test_like_for_like_with_the_current_weights(compute, value_of):
    values = compute(build(), "sales_growth")
    # K1 now: 150 + 900/3 = 450; a year earlier: 100 + 450/3 = 250; (450 - 250) / 250 = 0.8
    assert value_of(values, "K1") == pytest.approx(0.8)
    # K2 now: 900 * 2/3 = 600; before: 450 * 2/3 = 300; (600 - 300) / 300 = 1.0
    assert value_of(values, "K2") == pytest.approx(1.0)
    assert values.inputs(0)["net_sales_year_earlier"] == pytest.approx(250)
    assert values.inputs(0)["year_earlier"] == "2025-Q1"


def test_no_sales_a_year_earlier_is_no_data(compute, value_of):
    values = compute(build(), "sales_growth")
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no net sales a year earlier"


def test_no_period_a_year_earlier(compute):
    values = compute(build(previous_year=None), "sales_growth")
    assert not values.has_data.any()
    assert set(values.reasons) == {"no period a year earlier"}
