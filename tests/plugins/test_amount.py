"""The amount metric: credited net sales in currency, with its transactions, by hand."""

import datetime as dt

import numpy as np
import pytest
from metric_ctx import accounts, assigned, context, fact, kams

from kamscore.metrics.assemble import FactRow


def order(name: str, value: float, account: str, item: str, product: str | None = None):
    return FactRow(name, account, None, None, product, value, None, item)


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3", "K4"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", share=0.5),  # A2 split 50/50 between K1 and K2
            assigned("K2", "A2", share=0.5),
            assigned("K3", "A3"),  # A3 reports nothing
        ],
        facts=[
            order("net_sales", 30000, "A1", "SO-1", "P1"),
            order("net_sales", 12000, "A1", "SO-2", "P2"),
            fact("net_sales", 8000, account="A2"),  # the period's figure: one transaction
            fact("net_sales", 500, person="K2"),  # credited to K2 himself
            fact("credited_revenue", 1000, account="A1"),
        ],
    )


def test_the_amount_sums_the_credited_transactions(ctx, compute, value_of):
    values = compute(ctx, "amount")
    assert value_of(values, "K1") == pytest.approx(30000 + 12000 + 4000)
    assert value_of(values, "K2") == pytest.approx(4000 + 500)
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no net_sales reported for the assigned accounts"
    assert value_of(values, "K4") is None
    assert values.reasons[3] == "no account assigned in the period"
    assert values.inputs(0)["transactions"] == [
        {"item": "SO-1", "account": "A1", "amount": 30000.0},
        {"item": "SO-2", "account": "A1", "amount": 12000.0},
        {"item": None, "account": "A2", "amount": 4000.0},
    ]


def test_each_transaction_is_an_item_of_its_kam(ctx, compute):
    values = compute(ctx, "amount")
    pairs = sorted(zip(values.item_owner.tolist(), values.item_value.tolist(), strict=True))
    assert pairs == [(0, 4000.0), (0, 12000.0), (0, 30000.0), (1, 500.0), (1, 4000.0)]
    per_kam = np.bincount(values.item_owner, weights=values.item_value, minlength=4)
    assert per_kam[:2] == pytest.approx(values.values[:2])


def test_another_fact_and_some_products(ctx, compute, value_of):
    assert value_of(compute(ctx, "amount", fact="credited_revenue"), "K1") == 1000
    assert value_of(compute(ctx, "amount", products=["P2"]), "K1") == 12000
    assert value_of(compute(ctx, "amount", products=["P2"]), "K2") is None


def test_it_reads_only_the_fact_it_is_given(pm):
    cls = pm.metrics.get("amount").cls
    assert cls.fact_needs({"fact": "credited_revenue", "products": None}).current == {
        "credited_revenue"}


def test_an_assignment_for_part_of_the_period_credits_part():
    ctx = context(people=kams("K1"), account_rows=accounts("A1"),
                  assignments=[assigned("K1", "A1", dt.date(2026, 3, 2))],  # 30 of 90 days
                  facts=[order("net_sales", 9000, "A1", "SO-9")])
    from kamscore.metrics.compute import MetricRequest, compute_metrics
    from kamscore.plugin_host.manager import build_plugin_manager

    pm = build_plugin_manager()
    outcome = next(iter(compute_metrics(pm, ctx, [MetricRequest("amount", {})]).values()))
    assert outcome.values[0] == pytest.approx(3000)
