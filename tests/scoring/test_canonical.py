"""Canonical JSON: the byte form every input and result hash is computed from."""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamscore.scoring.canonical import (
    NotCanonicalError,
    canonical_hash,
    canonical_json,
    dumps_plain,
    to_plain,
)


class Colour(enum.StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Point:
    x: float
    tags: tuple[str, ...]


def test_keys_are_sorted_and_there_is_no_whitespace():
    assert canonical_json({"b": 1, "a": [1, 2.5, None, True]}) == '{"a":[1,2.5,null,true],"b":1}'


def test_floats_keep_every_digit_through_repr():
    assert canonical_json(0.1 + 0.2) == "0.30000000000000004"
    assert canonical_json(1e-20) == "1e-20"
    assert canonical_json(-0.0) == "0.0"


def test_numpy_values_become_plain_numbers():
    value = {"a": np.float64(1.5), "b": np.int64(3), "c": np.array([1.0, 2.0]), "d": np.bool_(1)}
    assert canonical_json(value) == '{"a":1.5,"b":3,"c":[1.0,2.0],"d":true}'


def test_other_types():
    value = {"when": dt.date(2026, 3, 31), "colour": Colour.RED, "p": Point(1.0, ("x",)),
             "s": {3, 1, 2}}
    assert canonical_json(value) == (
        '{"colour":"red","p":{"tags":["x"],"x":1.0},"s":[1,2,3],"when":"2026-03-31"}'
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1: "int key"}, object()])
def test_values_without_a_canonical_form_are_refused(bad):
    with pytest.raises(NotCanonicalError):
        canonical_json(bad)


def test_unicode_is_kept_as_utf8():
    assert canonical_json("Zürich 台北") == '"Zürich 台北"'


def test_hash_depends_on_content_not_on_key_order():
    assert canonical_hash({"a": 1, "b": 2}) == canonical_hash({"b": 2, "a": 1})
    assert canonical_hash({"a": 1, "b": 2}) != canonical_hash({"a": 1, "b": 2.0000000001})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_reads_back_to_the_same_value(value):
    text = canonical_json(value)
    assert json.loads(text) == to_plain(value)
    assert canonical_json(json.loads(text)) == text
    assert dumps_plain(to_plain(value)) == text
