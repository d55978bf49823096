"""CSAT (top-two box on 1-5) pooled over a KAM's accounts, worked by hand."""

import datetime as dt

import pytest
from metric_ctx import account_result, accounts, assigned, context, kams, survey


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1", end=dt.date(2026, 1, 31)),
            assigned("K1", "A1", dt.date(2026, 3, 1)),  # the same account twice: counted once
            assigned("K1", "A2", dt.date(2026, 3, 2)),
            assigned("K2", "A2"),
            assigned("K3", "A3"),
        ],
        survey_results=survey([
            # A1: 8 responses, 3 + 4 = 7 of them 4 or 5
            account_result("A1", "overall_satisfaction", {5: 3, 4: 4, 2: 1}),
            # A2: 4 responses, 1 of them 4 or 5
            account_result("A2", "overall_satisfaction", {5: 1, 3: 2, 1: 1}),
            # another question must not be mixed in
            account_result("A3", "value_of_services", {5: 9}),
        ]),
    )


def test_pooled_over_accounts(ctx, compute, value_of):
    values = compute(ctx, "csat")
    # K1: (7 + 1) / (8 + 4) = 8/12
    assert value_of(values, "K1") == pytest.approx(8 / 12)
    assert values.n[0] == 12
    assert values.inputs(0)["accounts"] == ["A1", "A2"]
    # K2: 1/4
    assert value_of(values, "K2") == pytest.approx(0.25)
    assert values.n[1] == 4


def test_below_min_responses_is_no_data_not_zero(ctx, compute, value_of):
    values = compute(ctx, "csat", min_responses=5)
    assert value_of(values, "K2") is None
    assert values.reasons[1] == "4 responses, 5 needed"
    assert values.n[1] == 4  # the count stays visible
    # K3's account has no answer to this question at all
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "0 responses, 5 needed"


def test_top_box_parameter(ctx, compute, value_of):
    # only 5s: K1 (3 + 1) / 12
    assert value_of(compute(ctx, "csat", top_box=5), "K1") == pytest.approx(4 / 12)
