"""Sales attainment, worked by hand. 2026-Q1 has 90 days."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams

from kamscore.metrics.assemble import PersonRow


@pytest.fixture
def ctx():
    return _context()


def _context(*more_facts):
    return context(
        people=[*kams("K1", "K2", "K3", "K4", "K5", "K6"),
                PersonRow("K7", "KAM K7", "kam", end_date=dt.date(2026, 1, 31))],
        account_rows=accounts("A1", "A2", "A3", "A4"),
        assignments=[
            assigned("K1", "A1"),
            # K1 takes A2 over from K2 on 2 March: K1 has Mar 2..31 = 30 days (30/90 = 1/3),
            # K2 had Jan 1..Mar 1 = 31 + 28 + 1 = 60 days (60/90 = 2/3).
            assigned("K1", "A2", dt.date(2026, 3, 2)),
            assigned("K2", "A2", end=dt.date(2026, 3, 1)),
            assigned("K4", "A3"),
            assigned("K5", "A4", share=0.5),
            assigned("K6", "A4", share=0.5),
            # K7 left his role on 31 January: 31 of A1's 90 days count.
            assigned("K7", "A1"),
        ],
        facts=[
            fact("net_sales", 120, account="A1", product="P1"),
            fact("net_sales", 30, account="A1", product="P2"),
            fact("sales_target", 100, account="A1", product="P1"),
            fact("sales_target", 50, account="A1", product="P2"),
            fact("net_sales", 900, account="A2", product="P1"),
            fact("sales_target", 600, account="A2", product="P1"),
            fact("net_sales", 70, account="A3", product="P1"),  # and no target
            fact("net_sales", 80, account="A4"),
            fact("sales_target", 100, account="A4"),
            *more_facts,
        ],
    )


def test_prorated_by_days_when_a_kam_changes_accounts(ctx, compute, value_of):
    values = compute(ctx, "sales_attainment")
    # K1: actual 150 + 900 * 1/3 = 450; target 150 + 600 * 1/3 = 350; 450 / 350
    assert value_of(values, "K1") == pytest.approx(450 / 350)
    # K2: actual 900 * 2/3 = 600; target 600 * 2/3 = 400; 600 / 400 = 1.5
    assert value_of(values, "K2") == pytest.approx(1.5)
    k1 = values.inputs(0)
    assert k1["net_sales"] == pytest.approx(450)
    assert k1["sales_target"] == pytest.approx(350)
    assert [(a["account"], a["days"]) for a in k1["assignments"]] == [("A1", 90), ("A2", 30)]


def test_shared_account_and_role_end(ctx, compute, value_of):
    values = compute(ctx, "sales_attainment")
    # K5 and K6 share A4 at 0.5 each: 40 / 50 = 0.8 for both
    assert value_of(values, "K5") == pytest.approx(0.8)
    assert value_of(values, "K6") == pytest.approx(0.8)
    assert values.inputs(4)["net_sales"] == pytest.approx(40)
    # K7: 31/90 of A1: (150 * 31/90) / (150 * 31/90) = 1.0; his assignment counts 31 days
    assert value_of(values, "K7") == pytest.approx(1.0)
    assert values.inputs(6)["assignments"][0]["days"] == 31


def test_no_data_is_explicit_with_a_reason(ctx, compute, value_of):
    values = compute(ctx, "sales_attainment")
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no account assigned in the period"
    assert value_of(values, "K4") is None
    assert values.reasons[3] == "no sales target for the assigned accounts"


def test_products_parameter(ctx, compute, value_of):
    values = compute(ctx, "sales_attainment", products=["P1"])
    # K1 on P1 only: actual 120 + 900/3 = 420; target 100 + 600/3 = 300; 1.4
    assert value_of(values, "K1") == pytest.approx(1.4)
    # A4's facts have no product: with a product filter they do not count
    assert value_of(values, "K5") is None



def test_a_kams_own_target_replaces_his_accounts(compute, value_of):
    """An approved target round writes a sales_target about the KAM himself: it replaces what
    his accounts' targets credit him with (every product), not the others' targets."""
    own = _context(fact("sales_target", 500, person="K1"), fact("sales_target", 40, person="K4"))
    values = compute(own, "sales_attainment")
    assert value_of(values, "K1") == pytest.approx(450 / 500)  # instead of 450 / 350
    assert values.inputs(0)["sales_target"] == 500
    assert value_of(values, "K4") == pytest.approx(70 / 40)  # his account had no target
    assert value_of(values, "K2") == pytest.approx(1.5)  # unchanged
    by_product = compute(own, "sales_attainment", products=["P1"])
    assert value_of(by_product, "K1") == pytest.approx(1.4)  # the account targets of P1
