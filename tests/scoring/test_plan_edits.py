"""Parameter edits on a plan's YAML text (``kamscore.scoring.plan_edits``): pure, no database."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.errors import InvalidInputError
from kamscore.scoring.lifecycle import parse_source
from kamscore.scoring.plan_edits import (
    numeric_leaves,
    set_values,
    set_weights,
    weight_table,
)

ROOT = Path(__file__).resolve().parents[2]
STANDARD = (ROOT / "rulesets" / "standard.yaml").read_text(encoding="utf-8")
LAUNCH = (ROOT / "rulesets" / "launch.yaml").read_text(encoding="utf-8")

PLAN = textwrap.dedent("""\
    name: small
    components:
      - id: a        # first
        weight: 50
      - id: b
        weight: 30%
      - id: c
        weight: 20
    variants:
      - id: flow
        weights: {a: 40, c: 30}
      - id: block
        when: {segment: key}
        weights:
          a: 60
          b: 20   # comment
      - id: none
        when: {segment: other}
    limits: {cap: 200%}
    """)


def test_the_table_reads_the_plan_and_each_variant():
    table = weight_table(PLAN)
    assert table.components == ("a", "b", "c")
    assert table.variants == ("flow", "block", "none")
    assert table.base == {"a": 50, "b": 30, "c": 20}
    assert table.effective("flow") == {"a": 40, "b": 30, "c": 30}
    assert table.effective("block") == {"a": 60, "b": 20, "c": 20}
    assert table.effective("none") == table.base


def test_moving_plan_weight_keeps_every_variant_as_it_was():
    # b 30 -> 20, c 20 -> 30: "flow" lists c but not b, "block" lists b but not c, "none"
    # lists nothing: each gets the weight it had written out, where it does not list it
    changed = set_weights(PLAN, {"b": 20, "c": 30})
    table = weight_table(changed)
    assert table.base == {"a": 50, "b": 20, "c": 30}
    assert table.effective("flow") == {"a": 40, "b": 30, "c": 30}
    assert table.effective("block") == {"a": 60, "b": 20, "c": 20}
    assert table.effective("none") == {"a": 50, "b": 30, "c": 20}
    assert "weights: {a: 40, c: 30, b: 30}" in changed
    assert "      b: 20   # comment\n      c: 20\n" in changed
    assert "  - id: none\n    weights: {b: 30, c: 20}\n    when: {segment: other}\n" in changed
    assert "  - id: a        # first\n" in changed  # comments stay


def test_a_weight_under_a_variant_that_breaks_its_sum_names_the_variant():
    with pytest.raises(InvalidInputError) as caught:
        set_weights(PLAN, variants={"block": {"a": 70}})
    assert caught.value.field == "weights"
    assert caught.value.message == ("variant 'block' (block): the weights add up to 110 %, "
                                    "expected 100 % (a 70 + b 20 + c 20)")
    assert set_weights(PLAN, variants={"block": {"a": 70, "b": 10}}).count("a: 70") == 1


def test_the_plan_and_several_variants_wrong_are_listed_each():
    with pytest.raises(InvalidInputError) as caught:
        set_weights(PLAN, {"a": 60}, {"flow": {"a": 50}})
    assert caught.value.problems == [
        "the plan (default): the weights add up to 110 %, expected 100 % (a 60 + b 30 + c 20)",
        "variant 'flow' (flow): the weights add up to 110 %, expected 100 % "
        "(a 50 + b 30 + c 30)"]


@pytest.mark.parametrize("text", ["", "ten", "10 pts", "1,5", "5: 3"])
def test_a_weight_that_is_not_a_percentage_is_refused(text):
    with pytest.raises(InvalidInputError, match=r"weight of a: .* is not a percentage"):
        set_weights(PLAN, {"a": text})


def test_unknown_components_and_variants_are_refused():
    with pytest.raises(InvalidInputError, match="no component 'z'"):
        set_weights(PLAN, {"z": 1})
    with pytest.raises(InvalidInputError, match="no variant 'zz'"):
        set_weights(PLAN, variants={"zz": {"a": 1}})


def test_the_docs_example_on_the_standard_plan_passes_the_engine():
    """``--weight sales=20 --weight csat=15`` (docs/scoring.md) on a plan with a variant."""
    pm = build_plugin_manager(entry_points=False)
    changed = set_weights(STANDARD, {"sales": 20, "csat": 15})
    ruleset = parse_source(changed, "draft.yaml", pm)
    assert ruleset.component("sales").scoring.weight == pytest.approx(0.20)
    assert weight_table(changed).effective("development") == \
        weight_table(STANDARD).effective("development")
    assert len(changed.splitlines()) == len(STANDARD.splitlines())


def test_values_replace_numbers_in_place():
    leaves = {leaf.path: leaf for leaf in numeric_leaves(STANDARD)}
    assert leaves["components[0].curve.points[1].at"].text == "100%"
    assert leaves["limits.cap"].line == STANDARD.splitlines().index(
        "  cap: 200%                       # the plan never pays more than twice the target") + 1
    assert "version" not in leaves and "rounding.step" not in leaves
    changed = set_values(STANDARD, {"components[0].curve.points[3].at": "130%",
                                    "limits.cap": "250%",
                                    "target_incentive.values.K1.salary_share": "11%"})
    assert "{at: 130%, pays: 175%, label: cap}" in changed
    assert "  cap: 250%                       # the plan" in changed
    assert "K1: {salary_share: 11%}" in changed
    with pytest.raises(InvalidInputError, match=r"no number at limits\.cop"):
        set_values(STANDARD, {"limits.cop": "1"})
    with pytest.raises(InvalidInputError, match=r"limits\.cap: 'x' is not a number"):
        set_values(STANDARD, {"limits.cap": "x"})


PATHS = [leaf.path for leaf in numeric_leaves(LAUNCH)]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(PATHS),
                       st.decimals(min_value=-1000, max_value=1000, places=3,
                                   allow_nan=False).map(str), max_size=6))
def test_set_values_keeps_lines_and_every_other_number(edits):
    changed = set_values(LAUNCH, edits)
    assert len(changed.splitlines()) == len(LAUNCH.splitlines())
    before = {leaf.path: leaf.text for leaf in numeric_leaves(LAUNCH)}
    after = {leaf.path: leaf.text for leaf in numeric_leaves(changed)}
    assert after == {**before, **edits}
    assert set_values(LAUNCH, {p: before[p] for p in edits}) == LAUNCH


@st.composite
def moves(draw):
    """A redistribution of the standard plan's weights that keeps 100 % (whole percents)."""
    table = weight_table(STANDARD)
    weights = {c: int(w) for c, w in table.base.items()}
    for _ in range(draw(st.integers(0, 5))):
        source = draw(st.sampled_from([c for c, w in weights.items() if w > 0]))
        target = draw(st.sampled_from(table.components))
        amount = draw(st.integers(1, weights[source]))
        weights[source] -= amount
        weights[target] += amount
    return weights


@settings(max_examples=60, deadline=None)
@given(moves())
def test_any_plan_move_keeps_each_variant_and_the_sums(weights):
    changed = set_weights(STANDARD, weights)
    table, before = weight_table(changed), weight_table(STANDARD)
    assert table.base == weights
    for vid in before.variants:
        assert table.effective(vid) == before.effective(vid)
        assert sum(table.effective(vid).values()) == 100
    assert len(changed.splitlines()) == len(STANDARD.splitlines())
