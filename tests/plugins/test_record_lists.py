"""RecordLists: per-subject lists of records kept column-wise read and encode exactly as the
lists of dicts they stand for (kamscore/metrics/record_lists.py, and its tokens in
kamscore/scoring/codec.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.metrics.record_lists import RecordLists
from kamscore.scoring import codec
from kamscore.scoring.canonical import dumps_plain

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64),
                   st.sampled_from([0.0, -0.0, 1 / 3, 0.1 + 0.2, 1e-7, 123456.789]))


def _naive(owner, size, fields, digits):
    """The list-of-dicts column the metric used to build, record by record."""
    out = [[] for _ in range(size)]
    names = list(fields)
    for j, k in enumerate(owner):
        record = {}
        for name in names:
            value = fields[name][j]
            value = value.item() if isinstance(value, np.generic) else value
            if name in digits:
                value = round(value, digits[name])
            record[name] = value
        out[k].append(record)
    return out


def _json(value):
    """What a line stored for a list of dicts: canonical JSON, NaN as null."""
    def scrub(x):
        if isinstance(x, float) and math.isnan(x):
            return None
        if isinstance(x, dict):
            return {k: scrub(v) for k, v in x.items()}
        if isinstance(x, list):
            return [scrub(v) for v in x]
        return x
    return dumps_plain(scrub(value))


def _same(a, b):
    """Equal lists of records, NaN equal to NaN."""
    return _json(a) == _json(b)


@st.composite
def columns(draw):
    size = draw(st.integers(0, 12))
    count = draw(st.integers(0, 40)) if size else 0
    owner = draw(st.lists(st.integers(0, max(size - 1, 0)), min_size=count, max_size=count))
    fields = {
        "account": np.array(draw(st.lists(st.sampled_from(["A1", "Ä-2", 'q"uote', "x\\y"]),
                                           min_size=count, max_size=count)), dtype=object),
        "days": np.array(draw(st.lists(st.integers(0, 366), min_size=count, max_size=count)),
                         dtype=np.int64),
        "share": np.array(draw(st.lists(floats, min_size=count, max_size=count)), dtype=float),
        "weight": np.array(draw(st.lists(floats, min_size=count, max_size=count)), dtype=float),
        "flag": np.array(draw(st.lists(st.booleans(), min_size=count, max_size=count)),
                         dtype=bool),
    }
    digits = draw(st.sampled_from([{}, {"weight": 6}, {"weight": 2, "share": 0}]))
    return np.array(owner, dtype=np.int64), size, fields, digits


@settings(max_examples=200, deadline=None)
@given(columns())
def test_reads_and_encodes_as_the_lists_of_dicts(column):
    owner, size, fields, digits = column
    naive = _naive(owner.tolist(), size, fields, digits)
    col = RecordLists.grouped(owner, size, fields, digits=digits)
    assert len(col) == size
    for i in range(size):
        assert _same(col[i], naive[i])
        assert list(col[i][0]) == list(fields) if naive[i] else col[i] == []
    assert codec.tokens(col) == [_json(x) for x in naive]


@settings(max_examples=100, deadline=None)
@given(columns(), st.data())
def test_take_and_placed_pick_subjects(column, data):
    owner, size, fields, digits = column
    naive = _naive(owner.tolist(), size, fields, digits)
    col = RecordLists.grouped(owner, size, fields, digits=digits)
    index = data.draw(st.lists(st.integers(-1, size - 1), max_size=15))
    picked = col[np.array(index, dtype=np.int64)]
    expected = [naive[i] if i >= 0 else [] for i in index]
    assert codec.tokens(picked) == [_json(x) for x in expected]
    if size:
        src = np.array(data.draw(st.lists(st.integers(0, size - 1), max_size=size,
                                          unique=True)), dtype=np.int64)
        dst = np.arange(len(src))[::-1] + 2
        placed = col.placed(len(src) + 2, dst, src)
        want = [[] for _ in range(len(src) + 2)]
        for d, s in zip(dst.tolist(), src.tolist(), strict=True):
            want[d] = naive[s]
        assert codec.tokens(placed) == [_json(x) for x in want]


def test_negative_index_and_bounds():
    col = RecordLists.grouped(np.array([1, 0, 1]), 2,
                              {"days": np.array([10, 20, 30])})
    assert col[-1] == [{"days": 10}, {"days": 30}]
    assert col[0] == [{"days": 20}]
    with pytest.raises(IndexError):
        col[2]
    with pytest.raises(IndexError):
        col.take(np.array([2]))


@pytest.mark.parametrize("owner, fields, message", [
    ([0, 3], {"days": np.array([1, 2])}, "owner is not the position"),
    ([0, 1], {"days": np.array([1])}, "has 1 values for 2 records"),
])
def test_bad_columns_are_refused(owner, fields, message):
    with pytest.raises(ValueError, match=message):
        RecordLists.grouped(np.array(owner), 2, fields)


def test_digits_for_an_unknown_field_are_refused():
    with pytest.raises(ValueError, match="digits for fields"):
        RecordLists.grouped(np.array([0]), 1, {"days": np.array([1])}, digits={"weight": 6})
