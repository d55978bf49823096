"""Formulary status mapped to points by parameters, worked by hand."""

import datetime as dt

import pytest
from metric_ctx import accounts, assigned, context, fact, kams

from kamscore.metrics.compute import compute_metrics


def build(extra=()):
    return context(
        people=kams("K1", "K2", "K3"),
        account_rows=accounts("A1", "A2", "A3"),
        assignments=[
            assigned("K1", "A1"),
            assigned("K1", "A2", dt.date(2026, 3, 2)),  # weight 1/3
            assigned("K2", "A2"),
            assigned("K3", "A3"),
        ],
        facts=[
            fact("formulary_status", account="A1", product="P1", category="listed"),
            fact("formulary_status", account="A1", product="P2", category="restricted"),
            fact("formulary_status", account="A2", product="P1", category="not_listed"),
            *extra,
        ],
    )


def test_default_points(compute, value_of):
    values = compute(build(), "formulary_status")
    # A1: (100 + 50) / 2 = 75; A2: 0. K1: (75 * 1 + 0 * 1/3) / (4/3) = 56.25
    assert value_of(values, "K1") == pytest.approx(56.25)
    assert value_of(values, "K2") == pytest.approx(0.0)  # a real zero: not listed
    assert value_of(values, "K3") is None  # no status at all: no data
    assert values.reasons[2] == "no formulary status for the assigned accounts"


def test_points_set_by_the_ruleset(compute, value_of):
    values = compute(build(), "formulary_status", listed=10, restricted=5, not_listed=0)
    # A1: (10 + 5) / 2 = 7.5; K1: 7.5 / (4/3) = 5.625
    assert value_of(values, "K1") == pytest.approx(5.625)


def test_products_parameter(compute, value_of):
    values = compute(build(), "formulary_status", products=["P2"])
    assert value_of(values, "K1") == pytest.approx(50.0)  # only A1's P2 counts
    assert value_of(values, "K2") is None


def test_an_unknown_status_fails_the_metric_alone(pm):
    ctx = build([fact("formulary_status", account="A3", product="P1", category="delisted")])
    outcomes = compute_metrics(pm, ctx, [("formulary_status", {}), ("sales_attainment", {})])
    failure = outcomes["formulary_status"]
    assert not failure.ok
    assert failure.plugin == "formulary_status"
    assert "unknown formulary status 'delisted'" in failure.error
    assert outcomes["sales_attainment"].ok
