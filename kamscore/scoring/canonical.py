"""Canonical JSON: one byte string per value, so that equal inputs hash equal.

Reproducibility rests on this: a score run hashes every input the engine saw and every result
it produced, and a rerun on the same inputs must give the same bytes. ``canonical_json``
therefore fixes everything ``json.dumps`` leaves open:

- mapping keys are sorted (keys must be strings; tuple and int keys are refused rather than
  guessed at);
- floats are written with ``repr`` (the shortest text that reads back as the same double), so
  ``0.1 + 0.2`` stays ``0.30000000000000004`` and never rounds silently; ``-0.0`` is written
  as ``0.0``; NaN and infinities are refused — missing data is ``null``, never NaN;
- numpy scalars and arrays become Python numbers and lists; tuples, sets and frozensets
  become lists (sets sorted); dates become ISO strings; enums their value; dataclasses
  their fields;
- no whitespace, UTF-8 without escaping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


class NotCanonicalError(TypeError):
    """A value that has no canonical JSON form (NaN, a non-string key, an unknown type)."""


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON data (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise NotCanonicalError(f"{number!r} has no canonical form; use null for no data")
        return 0.0 if number == 0 else number
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if isinstance(key, enum.Enum):
                key = key.value
            if not isinstance(key, str):
                raise NotCanonicalError(f"mapping key {key!r} is not a string")
            out[key] = to_plain(item)
        return out
    if isinstance(value, np.ndarray):
        return [to_plain(item) for item in value.tolist()]
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((to_plain(item) for item in value), key=canonical_json)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise NotCanonicalError(f"{type(value).__name__} has no canonical JSON form: {value!r}")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module doc)."""
    return json.dumps(
        to_plain(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def dumps_plain(value: Any) -> str:
    """Canonical JSON text of data that is already plain (skips the conversion walk).

    Only for values built from ``to_plain`` output or from JSON-native Python types; it is the
    fast path for writing thousands of score lines.
    """
    return _PLAIN.encode(value)


#: ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
#: allow_nan=False)`` without building the encoder again for every value (it holds only its
#: settings, so one is shared).
_PLAIN = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_hash(value: Any) -> str:
    """Hex SHA-256 of the canonical JSON of ``value``."""
    return sha256_text(canonical_json(value))
