"""Manager-rated account-plan quality, worked by hand."""

import pytest
from metric_ctx import accounts, context, kams

from kamscore.metrics.assemble import PlanRow


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3", "A4"),
        plans=[PlanRow("A1", "K1", 4), PlanRow("A2", "K1", 5), PlanRow("A3", "K1", None),
               PlanRow("A4", "K2", None)],
    )


def test_mean_of_rated_plans(ctx, compute, value_of):
    values = compute(ctx, "plan_quality")
    # K1: (4 + 5) / 2 = 4.5; his third plan is not rated yet
    assert value_of(values, "K1") == pytest.approx(4.5)
    assert values.inputs(0) == {"plans": 3, "plans_rated": 2}
    assert value_of(values, "K2") is None
    assert values.reasons[1] == "no account plan rated yet"
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no account plan in the period"


def test_min_plans(ctx, compute, value_of):
    values = compute(ctx, "plan_quality", min_plans=3)
    assert value_of(values, "K1") is None
    assert values.reasons[0] == "fewer than 3 rated account plans"
