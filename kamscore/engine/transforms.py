"""Vectorised transforms: metric values -> payout factors, with the segment that applied.

Each function takes a whole array of metric values and returns ``(factor, segment)``:
``factor`` is NaN where the value is missing (or not in a lookup table without default, or a
formula gives no finite number), and ``segment`` says which part of the table applied:

- curve: -1 below the first point, k between point k and k + 1, last index at or above the
  last point;
- tiers: -1 below the first tier, else the index of the tier the value is in;
- lookup: the index of the matching entry, -1 when the default applied;
- formula: 0.

``NO_SEGMENT`` (-2) marks a missing value.

Boundaries: a value exactly on a curve point or tier boundary belongs to the segment or tier
*starting* there (tiers are ``[lower, upper)``), found with ``searchsorted(side="right")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .model import Curve, Formula, Lookup, TierMode, TierTable, Transform

NO_SEGMENT = -2


def is_missing(values: np.ndarray) -> np.ndarray:
    """No data: NaN in a number array, None (or "") in a text array."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.array([v is None or v == "" for v in values.tolist()], dtype=bool)


def apply(transform: Transform, values: np.ndarray, env: Mapping[str, Any]
          ) -> tuple[np.ndarray, np.ndarray]:
    """Factor and segment of every value under ``transform``."""
    if isinstance(transform, Curve):
        return curve(transform, values)
    if isinstance(transform, TierTable):
        return tiers(transform, values)
    if isinstance(transform, Lookup):
        return lookup(transform, values)
    return formula(transform, values, env)


def curve(spec: Curve, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([p.value for p in spec.points], dtype=float)
    ys = np.array([p.factor for p in spec.points], dtype=float)
    segment = np.searchsorted(xs, values, side="right").astype(np.int16) - 1
    factor = np.interp(values, xs, ys)
    factor = np.where(segment < 0, spec.below, factor)
    return _mark_missing(values, factor, segment)


def tiers(spec: TierTable, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lowers = np.array([t.lower for t in spec.tiers], dtype=float)
    rates = np.array([t.rate for t in spec.tiers], dtype=float)
    segment = np.searchsorted(lowers, values, side="right").astype(np.int16) - 1
    if spec.mode is TierMode.FLAT:
        factor = rates[np.maximum(segment, 0)]
    elif spec.mode is TierMode.INTERPOLATED:
        factor = np.interp(values, lowers, rates)
    else:  # marginal: each slice of the value at its own tier's rate
        factor = np.zeros(values.shape, dtype=float)
        for tier in spec.tiers:
            width = tier.upper - tier.lower
            factor = factor + tier.rate * np.clip(values - tier.lower, 0.0, width)
    factor = np.where(segment < 0, spec.below, factor)
    return _mark_missing(values, factor, segment)


def lookup(spec: Lookup, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    default = np.nan if spec.default is None else spec.default
    factor = np.full(values.shape, default, dtype=float)
    segment = np.full(values.shape, -1, dtype=np.int16)
    for index, (key, points) in enumerate(spec.entries):
        match = values == key
        factor = np.where(match, points, factor)
        segment = np.where(match, np.int16(index), segment)
    return _mark_missing(values, factor, segment)


def formula(spec: Formula, values: np.ndarray, env: Mapping[str, Any]
            ) -> tuple[np.ndarray, np.ndarray]:
    scope = dict(env)
    scope["value"] = values
    factor = spec.expression.evaluate(scope, len(values))
    factor = np.where(np.isfinite(factor), factor, np.nan)
    segment = np.zeros(values.shape, dtype=np.int16)
    return _mark_missing(values, factor, segment)


def _mark_missing(values: np.ndarray, factor: np.ndarray, segment: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    missing = is_missing(values)
    factor = np.where(missing, np.nan, factor)
    segment = np.where(missing | np.isnan(factor), np.int16(NO_SEGMENT), segment)
    return factor, segment.astype(np.int16)
