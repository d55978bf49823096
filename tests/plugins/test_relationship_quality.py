"""Relationship-quality index (n-weighted mean of the scale), worked by hand."""

import pytest
from metric_ctx import account_result, accounts, assigned, context, kams, survey


def test_relationship_quality(compute, value_of):
    measure = "scale:relationship_quality"
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[assigned("K1", "A1"), assigned("K1", "A2"), assigned("K2", "A2"),
                     assigned("K3", "A3")],
        survey_results=survey([
            account_result("A1", measure, mean=4.0, n=8),
            account_result("A2", measure, mean=3.0, n=4),
            account_result("A3", measure, mean=4.9, n=2),
        ]),
    )
    values = compute(ctx, "relationship_quality")
    # K1: (8 * 4.0 + 4 * 3.0) / 12 = 44 / 12
    assert value_of(values, "K1") == pytest.approx(44 / 12)
    assert values.n[0] == 12
    assert value_of(values, "K2") == pytest.approx(3.0)
    # K3: 2 responses are below the default minimum of 3
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "2 responses, 3 needed"
    assert value_of(compute(ctx, "relationship_quality", min_responses=2), "K3") == 4.9
