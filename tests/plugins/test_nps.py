"""NPS (share of 9-10 minus share of 0-6, x 100), worked by hand."""

import pytest
from metric_ctx import account_result, accounts, assigned, context, kams, survey


def test_nps(compute, value_of):
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2"),
        assignments=[assigned("K1", "A1"), assigned("K1", "A2"), assigned("K2", "A2"),
                     assigned("K3", "A1")],
        survey_results=survey([
            # A1: 8 responses; promoters 2 + 1 = 3; passives 8, 7 = 3; detractors 6, 3 = 2
            account_result("A1", "nps", {10: 2, 9: 1, 8: 2, 7: 1, 6: 1, 3: 1}),
            # A2: 4 responses; promoters 1; detractors 3
            account_result("A2", "nps", {10: 1, 5: 3}),
        ]),
    )
    values = compute(ctx, "nps")
    # K1: promoters 3 + 1 = 4; detractors 2 + 3 = 5; n 12; 100 * (4 - 5) / 12 = -8.33
    assert value_of(values, "K1") == pytest.approx(-100 / 12)
    assert values.inputs(0)["promoters"] == 4
    assert values.inputs(0)["detractors"] == 5
    # K2: 100 * (1 - 3) / 4 = -50
    assert value_of(values, "K2") == pytest.approx(-50)
    # K3: 100 * (3 - 2) / 8 = 12.5
    assert value_of(values, "K3") == pytest.approx(12.5)
    assert list(values.n) == [12, 4, 8]
    fewer = compute(ctx, "nps", min_responses=10)
    assert value_of(fewer, "K1") == pytest.approx(-100 / 12)
    assert value_of(fewer, "K2") is None
