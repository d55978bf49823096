"""kam_profile: each KAM's primary assignment found in one pass as the sort on four keys
finds it, on random assignments (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.metrics.context import Assignments
from kamscore.metrics.kam_profile import _first_per_kam, primary_assignments


def assignments(rows: list[tuple[int, int, int, float]]) -> Assignments:
    kam, account, days, weight = (np.array(c) for c in zip(*rows, strict=True)) if rows else (
        np.empty(0, dtype=np.int64),) * 3 + (np.empty(0),)
    n = len(kam)
    return Assignments(kam=kam.astype(np.int64), account=account.astype(np.int64),
                       start=np.full(n, "NaT", dtype="datetime64[D]"),
                       end=np.full(n, "NaT", dtype="datetime64[D]"),
                       days=days.astype(np.int64), share=np.ones(n),
                       weight=weight.astype(float))


def by_sort(size: int, a: Assignments) -> list[int]:
    order = np.lexsort((a.account, -a.weight, -a.days, a.kam))
    return _first_per_kam(size, a.kam, order).tolist()


ROW = st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(1, 4),
                st.sampled_from([0.0, 0.25, 0.5, 1.0, 1 / 3]))


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=30))
def test_sorted_assignments_give_the_rows_the_sort_gives(rows):
    rows.sort(key=lambda r: (r[0], r[1]))  # by KAM, then account, as assemble gives them
    a = assignments(rows)
    assert primary_assignments(7, a).tolist() == by_sort(7, a)


@settings(max_examples=100, deadline=None)
@given(st.lists(ROW, min_size=2, max_size=30))
def test_unsorted_assignments_take_the_sort(rows):
    a = assignments(rows)
    assert primary_assignments(7, a).tolist() == by_sort(7, a)


def test_ties_go_to_the_larger_weight_then_the_first_account():
    a = assignments([(0, 1, 3, 0.5), (0, 2, 3, 0.75), (0, 3, 3, 0.75), (1, 0, 2, 1.0),
                     (1, 4, 5, 0.1), (3, 2, 1, 0.2), (3, 2, 1, 0.2)])
    assert primary_assignments(4, a).tolist() == [1, 4, -1, 5]


def test_a_nan_weight_ranks_last_as_in_the_sort():
    a = assignments([(0, 1, 3, float("nan")), (0, 2, 3, 0.5)])
    assert primary_assignments(1, a).tolist() == by_sort(1, a) == [1]
