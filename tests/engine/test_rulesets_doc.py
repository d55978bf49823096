"""docs/rulesets.md: its YAML examples parse, and its first plan pays what the page says."""

from __future__ import annotations

import re

import yaml

from kamscore.content.bundled import checkout_root
from kamscore.engine import MetricValues, Population, evaluate
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import load_ruleset
from kamscore.plugin_host.manager import build_plugin_manager

DOC = (checkout_root() / "docs" / "rulesets.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def test_every_yaml_example_is_yaml():
    assert len(BLOCKS) >= 15
    for block in BLOCKS:
        yaml.safe_load(block)


def test_the_first_plan_validates_and_pays_what_the_page_says():
    metrics, functions = catalogue_of(build_plugin_manager(entry_points=False))
    ruleset = load_ruleset(BLOCKS[0], "docs/rulesets.md", metrics, functions)
    population = Population.from_columns(["K1"], role=["kam"], eligible_days=[90],
                                         period_days=[90])
    evaluation = evaluate(ruleset, population, {"sales": MetricValues.of([1.10]),
                                                "csat": MetricValues.of([0.70])})
    assert str(evaluation.payout_decimal(0)) == "5500.00"
    assert "**5,500.00**" in DOC
