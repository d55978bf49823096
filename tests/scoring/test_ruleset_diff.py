"""``diff_rulesets``: the change between two versions in plan terms, not as a text diff."""

from __future__ import annotations

import pytest
from tiny_population import TINY_PLAN

from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.diff import diff_rulesets, format_changes
from kamscore.scoring.lifecycle import parse_source

BEFORE = TINY_PLAN + """\
variants:
  - id: launch
    when: lifecycle_phase == 'launch'
    weights: {sales: 50, formulary: 50}
gates:
  - id: sales_floor
    component: sales
    at_least: 60%
    applies_to: [formulary]
"""

AFTER = (
    TINY_PLAN
    .replace("eligibility: {roles: [kam], min_days: 30, prorate: true}",
             "eligibility: {roles: [kam], min_days: 45, prorate: true}")
    .replace("weight: 70", "weight: 60")
    .replace("weight: 30", "weight: 30")
    .replace("{at: 120%, pays: 1.5, label: cap}", "{at: 130%, pays: 1.6, label: cap}")
    .replace("table: {100: 1.0, 50: 0.5, 0: 0}", "table: {100: 1.0, 50: 0.6, 0: 0}")
    + """\
  - id: share
    title: Market share
    metric: market_share
    weight: 10
    tiers:
      mode: flat
      rows:
        - {from: 0, pays: 0}
        - {from: 20%, pays: 1.0}
variants:
  - id: launch
    when: lifecycle_phase == 'launch'
    weights: {sales: 40, formulary: 50, share: 10}
gates:
  - id: sales_floor
    component: sales
    at_least: 70%
    applies_to: [formulary]
  - id: share_floor
    component: share
    at_least: 5%
"""
)


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager(entry_points=False)


def _changes(plugins, a: str, b: str):
    return diff_rulesets(parse_source(a, "a.yaml", plugins), parse_source(b, "b.yaml", plugins))


def test_identical_plans_have_no_changes(plugins):
    assert _changes(plugins, TINY_PLAN, TINY_PLAN) == []
    assert format_changes([], label_a="tiny v1", label_b="tiny v2") == (
        "tiny v1 and tiny v2 define the same plan.")


def test_the_changes_are_stated_in_plan_terms(plugins):
    found = {(c.area, c.subject, c.aspect): (c.before, c.after)
             for c in _changes(plugins, BEFORE, AFTER)}
    assert found[("eligibility", "eligibility", "minimum days in role")] == ("30", "45")
    assert found[("components", "component sales", "weight")] == ("70 %", "60 %")
    assert found[("components", "component sales", "scoring")] == (
        "curve: threshold 0.8 → 50 %, target 1 → 100 %, cap 1.2 → 150 %; below the first "
        "point 0 %",
        "curve: threshold 0.8 → 50 %, target 1 → 100 %, cap 1.3 → 160 %; below the first "
        "point 0 %")
    assert found[("components", "component formulary", "scoring")] == (
        "lookup: 100 → 100 %, 50 → 50 %, 0 → 0 %; anything else → missing data",
        "lookup: 100 → 100 %, 50 → 60 %, 0 → 0 %; anything else → missing data")
    before, after = found[("components", "component share", "added")]
    assert before is None
    assert after == ("metric market_share, weight 10 %, flat tiers: [0, 0.2) → 0 %; "
                     "[0.2, ∞) → 100 %; below 0 %")
    assert found[("variants", "variant launch / component sales", "weight")] == (
        "50 %", "40 %")
    assert found[("gates", "gate sales_floor", "condition")] == ("sales >= 60%",
                                                                  "sales >= 70%")
    assert found[("gates", "gate share_floor", "added")][1].startswith("condition: share >=")
    # the formulary weight is unchanged in the base plan and in the variant: not reported
    assert ("components", "component formulary", "weight") not in found
    assert ("variants", "variant launch / component formulary", "weight") not in found


def test_a_base_change_is_not_repeated_under_variants_that_follow_it(plugins):
    with_variant = TINY_PLAN + (
        "variants:\n  - id: strategic\n    when: segment == 'strategic'\n"
        "    weights: {sales: 50, formulary: 50}\n")
    changed = with_variant.replace("{at: 100%, pays: 1.0, label: target}",
                                   "{at: 100%, pays: 1.1, label: target}")
    changes = _changes(plugins, with_variant, changed)
    # the variant overrides only the weights; the curve change shows once, on the component
    assert [(c.subject, c.aspect) for c in changes] == [("component sales", "scoring")]


def test_removed_things_are_listed(plugins):
    changes = _changes(plugins, AFTER, BEFORE)
    kinds = {(c.subject, c.kind) for c in changes}
    assert ("component share", "removed") in kinds
    assert ("gate share_floor", "removed") in kinds


def test_format_groups_by_area(plugins):
    text = format_changes(_changes(plugins, BEFORE, AFTER), label_a="tiny v1",
                          label_b="tiny v2")
    assert text.startswith("Changes from tiny v1 to tiny v2:")
    assert "\nComponents\n  ~ component sales, weight: 70 % → 60 %" in text
    assert "  + component share: metric market_share" in text
    assert "\nGates\n" in text
