"""Vectorised transforms: metric values -> payout factors, and the segment that applied.

``factor(transform, values, env)`` turns a whole array of metric values into factors, NaN
where the value is missing — or not in a lookup table without a default, or where a formula
gives no finite number: all "no data" for the missing-data treatment.

``segment(transform, values)`` says which part of the table applied (only computed when a
statement or a score line asks for it):

- curve: -1 below the first point, k between point k and k + 1, the last index at or above
  the last point;
- tiers: -1 below the first tier, else the index of the tier the value is in;
- lookup: the index of the matching entry, -1 when the default applied;
- formula: 0;
- ``NO_SEGMENT`` (-2) where the factor is NaN (no data).

Boundaries: a value exactly on a curve point or tier boundary belongs to the segment or tier
*starting* there (tiers are ``[lower, upper)``), found with ``searchsorted(side="right")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kamscore.engine.model import Curve, Formula, Lookup, TierMode, TierTable, Transform

NO_SEGMENT = -2


def factor(transform: Transform, values: np.ndarray, env: Mapping[str, Any]) -> np.ndarray:
    """The factor of every value under ``transform`` (NaN = no data)."""
    if isinstance(transform, Curve):
        return _curve(transform, values)
    if isinstance(transform, TierTable):
        return _tiers(transform, values)
    if isinstance(transform, Lookup):
        return _lookup(transform, values)
    return _formula(transform, values, env)


def _curve(spec: Curve, values: np.ndarray) -> np.ndarray:
    xs, ys = _arrays(spec)
    # `left`: what a value below the first point pays; NaN stays NaN
    return np.interp(values, xs, ys, left=spec.below)


def _arrays(spec: Curve | TierTable) -> tuple[np.ndarray, np.ndarray]:
    """The breakpoints and their factors as arrays (kept on the frozen spec)."""
    cached = spec.__dict__.get("_arrays")
    if cached is None:
        if isinstance(spec, Curve):
            pairs = [(p.value, p.factor) for p in spec.points]
        else:
            pairs = [(t.lower, t.rate) for t in spec.tiers]
        cached = (np.array([x for x, _ in pairs]), np.array([y for _, y in pairs]))
        object.__setattr__(spec, "_arrays", cached)
    return cached


def _tiers(spec: TierTable, values: np.ndarray) -> np.ndarray:
    lowers, rates = _arrays(spec)
    if spec.mode is TierMode.INTERPOLATED:
        return np.interp(values, lowers, rates, left=spec.below)
    if spec.mode is TierMode.FLAT:
        # index 0 is "below the first tier"; a NaN value sorts last, `values * 0` puts the
        # NaN back (0 for any number)
        paid = np.concatenate(([spec.below], rates))
        return paid[np.searchsorted(lowers, values, side="right")] + values * 0.0
    result = np.zeros(values.shape)  # marginal: each slice at its own tier's rate
    for tier in spec.tiers:
        result = result + tier.rate * np.clip(values - tier.lower, 0.0, tier.upper - tier.lower)
    return np.where(values < lowers[0], spec.below, result)


def _lookup(spec: Lookup, values: np.ndarray) -> np.ndarray:
    result = np.full(values.shape, np.nan if spec.default is None else spec.default)
    for key, points in spec.entries:
        result = np.where(values == key, points, result)
    if spec.default is not None:
        result = np.where(np.isnan(values), np.nan, result)
    return result


def _formula(spec: Formula, values: np.ndarray, env: Mapping[str, Any]) -> np.ndarray:
    scope = dict(env)
    scope["value"] = values
    result = spec.expression.evaluate(scope, len(values))
    return np.where(np.isfinite(result) & ~np.isnan(values), result, np.nan)


def segment(transform: Transform, values: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Which segment, tier or entry of ``transform`` each value fell in (see the module
    doc); ``factors`` are the transform's factors (NaN = no data)."""
    if isinstance(transform, Curve | TierTable):
        breakpoints, _ = _arrays(transform)
        found = np.searchsorted(breakpoints, values, side="right") - 1
    elif isinstance(transform, Lookup):
        found = np.full(values.shape, -1)
        for index, (key, _points) in enumerate(transform.entries):
            found = np.where(values == key, index, found)
    else:
        found = np.zeros(values.shape, dtype=np.int64)
    return np.where(np.isnan(factors), NO_SEGMENT, found).astype(np.int16)
