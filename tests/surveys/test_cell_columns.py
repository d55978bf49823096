"""The column-wise JSON of survey aggregates is what ``json.dumps`` writes for the same dicts."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.cell import Cell
from kamscore.surveys.cell_columns import (
    CellColumns,
    bool_texts,
    distinct_rows,
    float_texts,
    int_texts,
    json_objects,
    texts_of_rows,
)

FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1.0, 0.1, 1e-300, 5e-324, 1e16, -2.5, math.nan])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(FLOATS, FLOATS, st.integers(-10**12, 10**12), st.booleans(),
                          st.booleans(), st.booleans()), max_size=30))
def test_json_objects_are_what_json_dumps_writes(rows):
    size = len(rows)
    a = np.array([r[0] for r in rows], dtype=float)
    b = np.array([r[1] for r in rows], dtype=float)
    i = np.array([r[2] for r in rows], dtype=np.int64)
    flag = np.array([r[3] for r in rows], dtype=bool)
    has_b = np.array([r[4] for r in rows], dtype=bool)
    has_i = np.array([r[5] for r in rows], dtype=bool)
    found = json_objects(size, [("a", float_texts(a), None),
                                ("b 100%", float_texts(b, nan="NaN"), has_b),
                                ("fixed", '"we%ll"', has_i),
                                ("i", int_texts(i), has_i), ("flag", bool_texts(flag), None)])
    for row, text in zip(rows, found.tolist(), strict=True):
        x, y, n, f, with_b, with_i = row
        expected = {"a": None if math.isnan(x) else x}
        if with_b:
            expected["b 100%"] = y
        if with_i:
            expected["fixed"] = "we%ll"
            expected["i"] = n
        expected["flag"] = f
        assert text == json.dumps(expected)


def test_minus_zero_and_zero_are_written_apart():
    assert float_texts(np.array([0.0, -0.0, 0.0])).tolist() == ["0.0", "-0.0", "0.0"]


def test_json_objects_without_entries_or_rows():
    assert json_objects(3, []).tolist() == ["{}"] * 3
    assert json_objects(0, [("a", '"x"', None)]).tolist() == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**40), min_size=3, max_size=3), max_size=40))
def test_distinct_rows_find_each_rows_equal(rows):
    matrix = np.array(rows, dtype=np.int64).reshape(-1, 3)
    distinct, inverse = distinct_rows(matrix)
    assert len({tuple(r) for r in distinct}) == len(distinct)
    assert [distinct[j] for j in inverse.tolist()] == matrix.tolist()
    texts = texts_of_rows(matrix, lambda row: {str(k): v for k, v in enumerate(row) if v})
    assert texts.tolist() == [json.dumps({str(k): v for k, v in enumerate(r) if v})
                              for r in rows]


def test_cells_round_trip_through_the_columns():
    cells = [Cell("kam", "K1", "q1", "others", 6, 3.5, None, 1, 5, {"3": 2, "4": 4},
                  {"csat": 0.5, "gap": None}),
             Cell("kam", "K2", "scale:x", "self", 1, 2.0, 0.5, None, None, {},
                  {"items": ["a", "b"], "complete": True})]
    columns = CellColumns.from_cells(cells)
    again = columns.cells()
    assert again == cells
    again[0].histogram["3"] = 99  # no dict shared with another cell or the cache
    assert columns.cells()[0].histogram == {"3": 2, "4": 4}
    assert len(CellColumns.concat([columns, CellColumns.empty(), columns])) == 4
    assert columns.take(np.array([1, 0])).cells() == cells[::-1]
