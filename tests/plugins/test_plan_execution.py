"""Account-plan execution: objectives met, actions done by their due date; worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, context, kams

from kamscore.metrics.assemble import ActionRow, ObjectiveRow, PlanRow

D = dt.date


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2"),
        plans=[PlanRow("A1", "K1"), PlanRow("A2", "K2")],
        objectives=[
            ObjectiveRow("A1", "O1", met=True),
            ObjectiveRow("A1", "O2", met=False),
            ObjectiveRow("A1", "O3", met=True),
            ObjectiveRow("A1", "O4", met=None),  # not assessed: left out
        ],
        actions=[
            ActionRow("A1", "X1", D(2026, 2, 1), D(2026, 1, 30)),  # on time
            ActionRow("A1", "X2", D(2026, 3, 1), D(2026, 3, 3)),  # two days late
            ActionRow("A1", "X3", D(2026, 3, 15), None),  # due, not done
            ActionRow("A1", "X4", D(2026, 4, 15), None),  # due after the period: left out
            ActionRow("A2", "Y1", D(2026, 2, 1), D(2026, 2, 1)),  # done on the due date
        ],
    )


def test_half_objectives_half_actions(ctx, compute, value_of):
    values = compute(ctx, "plan_execution")
    # K1: objectives 2 met of 3 assessed; actions 1 on time of 3 due;
    # 0.5 * 2/3 + 0.5 * 1/3 = 0.5
    assert value_of(values, "K1") == pytest.approx(0.5)
    assert values.inputs(0)["objectives_met"] == 2
    assert values.inputs(0)["actions_due"] == 3
    # K2: no objective assessed: the actions part alone, 1/1
    assert value_of(values, "K2") == pytest.approx(1.0)
    assert values.inputs(1)["objectives_part"] is None
    assert value_of(values, "K3") is None


def test_weights_and_grace_days(ctx, compute, value_of):
    # 0.8 * 2/3 + 0.2 * 1/3 = 0.6
    assert value_of(compute(ctx, "plan_execution", objectives_weight=0.8),
                    "K1") == pytest.approx(0.6)
    # two days' grace makes X2 on time: 0.5 * 2/3 + 0.5 * 2/3 = 2/3
    assert value_of(compute(ctx, "plan_execution", grace_days=2),
                    "K1") == pytest.approx(2 / 3)
