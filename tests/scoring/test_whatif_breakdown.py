"""What-if's aggregations (``kamscore.scoring.whatif_breakdown``) on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pytest

from kamscore.scoring.whatif_breakdown import cost_by, histogram, nice_step


@pytest.mark.parametrize(("span", "bins", "step"), [
    (1175, 10, 200), (1000, 10, 100), (12000, 12, 1000), (90, 10, 10), (0.3, 10, 0.05),
    (0, 10, 1), (2400, 10, 250)])
def test_bin_widths_are_round(span, bins, step):
    assert nice_step(span, bins) == pytest.approx(step)


def test_the_histogram_counts_both_on_the_same_bins():
    base = np.array([0.0, 50.0, 99.99, 100.0, 250.0])
    draft = np.array([0.0, 0.0, 120.0, 300.0])
    # 300 / 10 = 30 -> bins of 50; 300 sits on the last edge: one more bin (300..350)
    rows = histogram(base, draft, bins=10)
    assert [r["low"] for r in rows] == [0, 50, 100, 150, 200, 250, 300]
    assert [r["baseline"] for r in rows] == [1, 2, 1, 0, 0, 1, 0]
    assert [r["draft"] for r in rows] == [2, 0, 1, 0, 0, 0, 1]
    assert sum(r["draft"] for r in rows) == len(draft)


def test_an_empty_histogram_has_one_bin():
    assert histogram(np.array([]), np.array([])) == [
        {"low": 0.0, "high": 1.0, "baseline": 0, "draft": 0}]


def test_cost_by_group_sums_and_orders_by_draft_cost():
    groups = np.array(["north", None, "south", "north", "south"], dtype=object)
    base = np.array([100.0, 10.0, 50.0, 200.0, 0.0])
    draft = np.array([90.0, 10.0, 80.0, 200.0, 40.0])
    assert cost_by(groups, base, draft) == [
        {"group": "north", "label": "north", "kams": 2, "baseline": 300.0, "draft": 290.0,
         "change": -10.0},
        {"group": "south", "label": "south", "kams": 2, "baseline": 50.0, "draft": 120.0,
         "change": 70.0},
        {"group": "(none)", "label": "(none)", "kams": 1, "baseline": 10.0, "draft": 10.0,
         "change": 0.0}]


def test_groups_are_labelled_for_the_reader_and_keep_their_ids():
    """A team is named by its name, a variant by its title; the id stays beside it, and the
    order (largest draft cost, ties by id) is the same as without labels."""
    groups = np.array(["T00007", None, "T00002", "T00007"], dtype=object)
    base = np.array([100.0, 10.0, 50.0, 200.0])
    labels = {"T00007": "Oncology North", "T00002": "Vaccines South", "(none)": "No team"}
    rows = cost_by(groups, base, base, labels)
    assert [(r["group"], r["label"], r["kams"]) for r in rows] == [
        ("T00007", "Oncology North", 2), ("T00002", "Vaccines South", 1),
        ("(none)", "No team", 1)]
    # a group missing from the labels keeps its id as its label
    assert cost_by(groups, base, base, {})[0]["label"] == "T00007"
