"""Fixtures of the metric plugin tests: the real plugin manager and a compute helper."""

from __future__ import annotations

import math

import pytest

from kamscore.metrics.compute import MetricRequest, MetricValues, compute_metrics
from kamscore.plugin_host.manager import build_plugin_manager


@pytest.fixture(scope="session")
def pm():
    """kamscore's plugins as shipped, without entry points: the defaults, and the built-in
    metrics found by the scan of the bundled plugins/ folder."""
    return build_plugin_manager(entry_points=False)


@pytest.fixture
def compute(pm):
    """compute(ctx, "metric", **params) → the metric's values; fails the test on a failure."""

    def run(ctx, metric: str, **params) -> MetricValues:
        outcome = next(iter(compute_metrics(pm, ctx, [MetricRequest(metric, params)]).values()))
        assert outcome.ok, f"{outcome}\n{getattr(outcome, 'traceback', '')}"
        return outcome

    return run


@pytest.fixture
def value_of():
    """value_of(values, "K1") → KAM K1's value (None for no data)."""

    def get(values: MetricValues, kam: str) -> float | None:
        i = list(values.kams).index(kam)
        v = float(values.values[i])
        return None if math.isnan(v) else v

    return get
