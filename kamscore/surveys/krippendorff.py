"""Krippendorff's alpha of units x coders tables with missing values (pure numpy and scipy).

From the coincidence matrix, for the nominal, ordinal and interval metrics (Krippendorff
2011, "Computing Krippendorff's alpha-reliability"); units with fewer than two values are
not pairable and are left out. Its interval is a jackknife one over units
(``krippendorff_many``): deterministic, and cheap enough for every rater group of a
10,000-KAM campaign, where a 1,000-draw bootstrap took longer than the whole recompute may.
Checked against the 2011 paper's 4-coder, 12-unit example. ``reliability`` re-exports it
beside the other inter-rater figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kamscore.surveys.quantiles import t_ppf

METRICS = ("nominal", "ordinal", "interval")


@dataclass(frozen=True)
class KrippendorffAlpha:
    alpha: float
    low: float | None  # jackknife interval over units
    high: float | None
    metric: str
    pairable: int  # values in units with at least two values
    units: int  # units with at least two values
    confidence: float


def _alpha_from(coincidences: np.ndarray, values: np.ndarray, metric: str) -> np.ndarray:
    """alpha of one or more coincidence matrices (..., V, V); NaN where undefined.

    Observed disagreement D_o = Σ o_ck δ²_ck, expected D_e = Σ n_c n_k δ²_ck / (n - 1).
    Nominal: δ² = [c ≠ k]. Interval: δ² = (c - k)². Ordinal: δ² = (Σ_{g=c..k} n_g -
    (n_c + n_k)/2)², which is (r_k - r_c)² for the *mid-ranks* r_c = Σ_{g<c} n_g + n_c/2:
    the interval metric on mid-ranks. Both are then sums of squares that need no V x V
    table: Σ o_ck (r_c - r_k)² = 2 (Σ n_c r_c² - Σ o_ck r_c r_k).
    """
    totals = coincidences.sum(axis=-1)
    n = totals.sum(axis=-1)
    if metric == "nominal":
        observed = n - np.trace(coincidences, axis1=-2, axis2=-1)
        expected = n * n - (totals * totals).sum(axis=-1)
    elif metric in ("interval", "ordinal"):
        if metric == "interval":
            r = np.broadcast_to(values, totals.shape)
        else:
            r = np.cumsum(totals, axis=-1) - totals / 2
        square = (totals * r * r).sum(axis=-1)
        cross = np.einsum("...c,...ck,...k->...", r, coincidences, r)
        observed = 2 * (square - cross)
        expected = 2 * (n * square - (totals * r).sum(axis=-1) ** 2)
    else:
        raise ValueError(f"unknown metric {metric!r}; use one of {METRICS}")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 1e-9 * np.maximum(n * n, 1),
                        1 - (n - 1) * observed / expected, np.nan)


def _as_table(units: Sequence[Sequence[float | None]] | np.ndarray) -> np.ndarray:
    if isinstance(units, np.ndarray):
        return units.astype(float)
    return np.array([[np.nan if v is None else v for v in row] for row in units], dtype=float)


def krippendorff_alpha(units: Sequence[Sequence[float | None]] | np.ndarray, *,
                       metric: str = "ordinal", confidence: float = 0.95
                       ) -> KrippendorffAlpha | None:
    """Krippendorff's alpha of a units x coders table (missing: ``None`` or NaN).

    ``None`` when undefined: no pairable unit, or a single value used throughout (no
    disagreement is possible, the expected disagreement is 0).
    """
    return krippendorff_many([_as_table(units)], metric=metric, confidence=confidence)[0]


def krippendorff_many(tables: Sequence[np.ndarray], *, metric: str = "ordinal",
                      confidence: float = 0.95) -> list[KrippendorffAlpha | None]:
    """``krippendorff_alpha`` of many units x coders tables at once (vectorised).

    The interval is alpha ± t(P - 1) · SE, SE the jackknife standard error over the P
    pairable units (each left out in turn: SE² = (P - 1)/P · Σ (a₋ᵤ - mean a)²), the upper
    bound clipped at 1; no interval when leaving a unit out makes alpha undefined.
    Deterministic and cheap: no random draws, one leave-one-out pass.
    """
    c = krippendorff_columns(tables, metric=metric, confidence=confidence)
    found: list[KrippendorffAlpha | None] = [None] * len(tables)
    for i, (alpha, low, high, pairable, units) in enumerate(zip(
            c.alpha.tolist(), c.low.tolist(), c.high.tolist(), c.pairable.tolist(),
            c.units.tolist(), strict=True)):
        if not math.isnan(alpha):
            bounded = not math.isnan(low)
            found[i] = KrippendorffAlpha(alpha, low if bounded else None,
                                         high if bounded else None, metric, pairable, units,
                                         confidence)
    return found


@dataclass(frozen=True)
class KrippendorffColumns:
    """``krippendorff_many`` as arrays: alpha (NaN: undefined), the interval (NaN: none),
    the pairable values and units."""

    alpha: np.ndarray
    low: np.ndarray
    high: np.ndarray
    pairable: np.ndarray
    units: np.ndarray
    metric: str
    confidence: float


def krippendorff_columns(tables: Sequence[np.ndarray], *, metric: str = "ordinal",
                         confidence: float = 0.95) -> KrippendorffColumns:
    """``krippendorff_many`` of the tables, vectorised (see ``KrippendorffColumns``)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {METRICS}")
    none = np.full(len(tables), np.nan)
    nothing = KrippendorffColumns(none, none, none, np.zeros(len(tables), dtype=np.int64),
                                  np.zeros(len(tables), dtype=np.int64), metric, confidence)
    shaped = [t for t in tables if t.ndim == 2 and t.size]
    if not shaped:
        return nothing
    values = np.unique(np.concatenate([t.ravel() for t in shaped]))
    values = values[~np.isnan(values)]
    if values.size < 2:
        return nothing
    units = max(t.shape[0] for t in shaped)
    coders = max(t.shape[1] for t in shaped)
    padded = np.full((len(tables), units, coders), np.nan)
    for i, t in enumerate(tables):
        if t.ndim == 2 and t.size:
            padded[i, :t.shape[0], :t.shape[1]] = t
    counts = (padded[..., None] == values).sum(axis=2).astype(float)  # (G, U, V)
    m = counts.sum(axis=-1)
    pairable = m >= 2
    weights = np.where(pairable, 1.0 / np.maximum(m - 1, 1), 0.0)
    eye = np.eye(values.size)
    per_unit = (counts[..., :, None] * counts[..., None, :]
                - counts[..., :, None] * eye) * weights[..., None, None]  # (G, U, V, V)
    total = per_unit.sum(axis=1)
    alphas = _alpha_from(total, values, metric)
    p = pairable.sum(axis=1)
    left_out = _alpha_from(total[:, None] - per_unit, values, metric)  # (G, U)
    broken = (pairable & np.isnan(left_out)).any(axis=1) | (p < 2)
    left_out = np.where(pairable & ~np.isnan(left_out), left_out, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = left_out.sum(axis=1) / p
        spread = np.where(pairable, (left_out - mean[:, None]) ** 2, 0.0).sum(axis=1)
        se = np.sqrt((p - 1) / p * spread)
    t = t_ppf(0.5 + confidence / 2, np.maximum(p - 1, 1))
    lows, highs = alphas - t * se, np.minimum(alphas + t * se, 1.0)
    bounded = ~np.isnan(alphas) & ~broken & np.isfinite(lows)
    return KrippendorffColumns(alphas, np.where(bounded, lows, np.nan),
                               np.where(bounded, highs, np.nan),
                               (m * pairable).sum(axis=1).astype(np.int64),
                               p.astype(np.int64), metric, confidence)
