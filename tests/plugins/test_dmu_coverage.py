"""DMU coverage: key stakeholders engaged over key stakeholders; worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams

from kamscore.metrics.assemble import StakeholderRow


def test_dmu_coverage(compute, value_of):
    key = [StakeholderRow("A1", is_key=True)] * 4 + [StakeholderRow("A1")] * 2 \
        + [StakeholderRow("A2", is_key=True)] * 3 + [StakeholderRow("A3")]
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A2", end=dt.date(2026, 3, 1)),  # weight 2/3
            assigned("K3", "A3"),
        ],
        stakeholders=key,
        facts=[
            fact("dmu_key_engaged", 3, account="A1"),  # 3 of A1's 4 key stakeholders
            fact("dmu_key_engaged", 5, account="A2"),  # more than its 3: capped at 3
            fact("dmu_key_engaged", 2, account="A3"),  # A3 has no key stakeholder
        ],
    )
    values = compute(ctx, "dmu_coverage")
    # K1: engaged 3 + 3/3 = 4; key 4 + 3/3 = 5; 0.8
    assert value_of(values, "K1") == pytest.approx(0.8)
    # K2: (3 * 2/3) / (3 * 2/3) = 1.0
    assert value_of(values, "K2") == pytest.approx(1.0)
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no key stakeholders or no engagement reported"
