"""A small fake metric catalogue (the engine takes any mapping of metric descriptions) and
helpers to load rulesets from YAML text in tests."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import marshmallow
import numpy as np
import pytest

from kamscore.engine import MetricValues, Population
from kamscore.engine.loader import load_ruleset


class NoParams(marshmallow.Schema):
    pass


class ProductParams(marshmallow.Schema):
    products = marshmallow.fields.List(marshmallow.fields.String(), load_default=None)
    credit = marshmallow.fields.String(
        load_default="assignment",
        validate=marshmallow.validate.OneOf(["assignment", "account"]))


@dataclass(frozen=True)
class FakeMetric:
    name: str
    unit: str
    kind: str = "quantitative"
    direction: str = "higher"
    Params: Any = NoParams
    title: str = ""
    description: str = ""
    version: str = "1"


CATALOGUE = {
    m.name: m
    for m in (
        FakeMetric("sales_attainment", "ratio", Params=ProductParams),
        FakeMetric("growth", "ratio", Params=ProductParams),
        FakeMetric("market_share", "share"),
        FakeMetric("formulary_status", "points"),
        FakeMetric("csat", "share", kind="qualitative"),
        FakeMetric("nps", "nps", kind="qualitative"),
        FakeMetric("relationship_quality", "score", kind="qualitative"),
        FakeMetric("days_to_listing", "count", direction="lower"),
        FakeMetric("collaboration_360", "score", kind="team"),
        FakeMetric("team_goal_attainment", "ratio", kind="team"),
        FakeMetric("amount", "currency"),
    )
}


def double(x):
    """A plugin-style vectorised formula function."""
    return np.asarray(x, dtype=float) * 2


FUNCTIONS = {"double": double}


def load(text: str, filename: str = "test.yaml"):
    return load_ruleset(textwrap.dedent(text), filename, CATALOGUE, FUNCTIONS)


HEAD = """\
name: test
version: 1
period: quarter
currency: EUR
target_incentive: {amount: 1000}
"""


def plan(body: str) -> str:
    """A ruleset text: the standard head plus ``body`` (dedented)."""
    return HEAD + textwrap.dedent(body)


def population(n: int, **attributes: Any) -> Population:
    columns = {"role": ["kam"] * n, "eligible_days": [90] * n, "period_days": [90] * n}
    columns.update(attributes)
    return Population.from_columns([f"K{i + 1}" for i in range(n)], **columns)


def values(*items: float | None, n: list[float | None] | None = None) -> MetricValues:
    return MetricValues.of(list(items), n)


@pytest.fixture
def catalogue():
    return CATALOGUE
