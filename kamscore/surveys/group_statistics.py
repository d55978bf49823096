"""Survey statistics of many groups at once, by group-by over numpy arrays (pure; no database).

The vectorised counterpart of ``statistics`` and ``reliability`` for ``aggregation``: every
function takes the answers of one measure as arrays, a *membership* list (``resp``: which
response, ``key``: which group; a response belongs to several groups, e.g. a peer to
"peer", "others" and "all") and the number of groups, and returns one figure per group
(NaN where undefined), summing with ``np.bincount``. The formulas are those of
``statistics.describe``, ``cronbach_alpha``, ``net_promoter``, ``top_box_share`` and
``reliability.cronbach_alpha_pairwise`` / ``gap_interval`` (two-pass variances, sample
n - 1), so that the figures agree with them to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from kamscore.surveys.quantiles import t_ppf
from kamscore.surveys.reliability import ZERO_TOTAL
from kamscore.surveys.statistics import (
    ADJUSTED_WALD_PSEUDO,
    CSAT_TOP_BOXES,
    DETRACTOR_MAX,
    PROMOTER_MIN,
)

NAN = math.nan


def _count(key: np.ndarray, nkeys: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(key, weights, minlength=nkeys)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), NAN)


@dataclass(frozen=True)
class Spread:
    """n, mean, sample variance and sd per group (variance and sd NaN below two values,
    mean NaN without any)."""

    n: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    sd: np.ndarray


def spread(values: np.ndarray, key: np.ndarray, nkeys: int) -> Spread:
    """``describe`` per group of ``values`` (no NaN) belonging to groups ``key``."""
    n = _count(key, nkeys)
    mean = _ratio(_count(key, nkeys, values), n)
    deviation = values - mean[key]
    squares = _count(key, nkeys, deviation * deviation)
    variance = np.where(n >= 2, _ratio(squares, n - 1), NAN)
    return Spread(n.astype(np.int64), mean, variance, np.sqrt(variance))


@dataclass(frozen=True)
class Histograms:
    """Counts of each whole-number value (``values``, ascending) per group, and how many
    answers per group were not whole numbers."""

    values: np.ndarray
    counts: np.ndarray  # groups x values
    fractional: np.ndarray

    def labels(self) -> list[str]:
        return [str(int(v)) for v in self.values]


def histograms(values: np.ndarray, key: np.ndarray, nkeys: int) -> Histograms:
    whole = values == np.floor(values)
    distinct, position = np.unique(values[whole], return_inverse=True)
    width = len(distinct)
    counts = _count(key[whole] * width + position, nkeys * width).reshape(nkeys, width)
    return Histograms(distinct, counts.astype(np.int64),
                      _count(key[~whole], nkeys).astype(np.int64))


def top_box_shares(h: Histograms, scale_max: int, boxes: int = CSAT_TOP_BOXES) -> np.ndarray:
    """CSAT per group: the share of answers in the top ``boxes`` points."""
    top = h.counts[:, h.values > scale_max - boxes].sum(axis=1)
    return _ratio(top.astype(float), h.counts.sum(axis=1).astype(float))


@dataclass(frozen=True)
class NetPromoters:
    """``statistics.net_promoter`` per group (adjusted Wald, 95 %); NaN without answers."""

    detractors: np.ndarray
    passives: np.ndarray
    promoters: np.ndarray
    score: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float = 0.95
    method: str = "adjusted_wald"


def net_promoters(h: Histograms, confidence: float = 0.95) -> NetPromoters:
    detractors = h.counts[:, h.values <= DETRACTOR_MAX].sum(axis=1)
    promoters = h.counts[:, h.values >= PROMOTER_MIN].sum(axis=1)
    n = h.counts.sum(axis=1)
    passives = n - detractors - promoters
    extra_d, extra_pass, extra_p = ADJUSTED_WALD_PSEUDO
    n_adj = n + extra_d + extra_pass + extra_p
    p, d = (promoters + extra_p) / n_adj, (detractors + extra_d) / n_adj
    centre = p - d
    variance = p + d - centre * centre
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * np.sqrt(np.maximum(variance, 0.0) / n_adj)
    low, high = np.maximum(-1.0, centre - half), np.minimum(1.0, centre + half)
    score = _ratio((promoters - detractors).astype(float), n.astype(float))
    empty = n == 0
    return NetPromoters(detractors, passives, promoters, 100 * score,
                        np.where(empty, NAN, 100 * low), np.where(empty, NAN, 100 * high),
                        confidence)


@dataclass(frozen=True)
class ScaleFigures:
    """A scale's figures per group, as ``aggregation`` reports them (NaN where undefined)."""

    n: np.ndarray  # respondents who answered at least one item (0 without an item mean)
    mean: np.ndarray  # mean of the used items' means
    sd: np.ndarray  # sd of the respondents' mean of the items, where complete
    complete: np.ndarray  # spread allowed, every item used, every respondent answered all
    alpha: np.ndarray  # listwise alpha where complete
    both_alphas: np.ndarray  # where the listwise and pairwise alphas are given
    alpha_listwise: np.ndarray
    alpha_pairwise: np.ndarray
    item_means: np.ndarray  # groups x items (NaN: no answer)


def scale_figures(x: np.ndarray, key: np.ndarray, nkeys: int, included: np.ndarray,
                  allowed: np.ndarray, item_means: np.ndarray | None = None) -> ScaleFigures:
    """``x``: the members' answers (members x items, NaN unanswered), ``key`` their groups;
    ``included``: groups x items reported; ``allowed``: groups whose spread may be given;
    ``item_means``: the items' means to use instead of the members' (NaN: none)."""
    k = x.shape[1]
    answered = ~np.isnan(x)
    rows = _count(key, nkeys, answered.any(axis=1).astype(float))
    full = answered.all(axis=1)
    counts = np.stack([_count(key, nkeys, answered[:, i].astype(float)) for i in range(k)], 1)
    own = np.stack([_count(key, nkeys, np.where(answered[:, i], x[:, i], 0.0))
                    for i in range(k)], 1)
    own_means = _ratio(own, counts)
    if item_means is None:
        item_means, used = own_means, included & (counts > 0)
    else:
        used = included & ~np.isnan(item_means)
    width = used.sum(axis=1)
    mean = _ratio(np.where(used, item_means, 0.0).sum(axis=1), width.astype(float))
    every_item = included.all(axis=1)
    complete = allowed & (rows > 0) & every_item & (_count(key, nkeys, full.astype(float)) == rows)
    listwise, row_sd = _listwise(x[full], key[full], nkeys)
    both = allowed & (rows > 0) & every_item
    pairwise = np.where(complete, listwise, _pairwise(x, answered, key, nkeys, both & ~complete))
    return ScaleFigures(
        n=np.where(width > 0, rows, 0).astype(np.int64), mean=mean,
        sd=np.where(complete, row_sd, NAN), complete=complete,
        alpha=np.where(complete, listwise, NAN), both_alphas=both, alpha_listwise=listwise,
        alpha_pairwise=pairwise, item_means=own_means)


def _listwise(x: np.ndarray, key: np.ndarray, nkeys: int) -> tuple[np.ndarray, np.ndarray]:
    """Cronbach's alpha of complete rows, and the sd of the rows' means, per group."""
    k = x.shape[1]
    totals = x.sum(axis=1)
    row_sd = spread(totals / k, key, nkeys).sd
    if k < 2:
        return np.full(nkeys, NAN), row_sd
    item_variance = sum(spread(x[:, i], key, nkeys).variance for i in range(k))
    total = spread(totals, key, nkeys)
    total_variance = total.variance
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = k / (k - 1) * (1 - item_variance / total_variance)
    return np.where((total.n >= 2) & (total_variance > 0), alpha, NAN), row_sd


def _pairwise(x: np.ndarray, answered: np.ndarray, key: np.ndarray, nkeys: int,
              wanted: np.ndarray) -> np.ndarray:
    """``reliability.cronbach_alpha_pairwise`` per group (computed where ``wanted``)."""
    k = x.shape[1]
    out = np.full(nkeys, NAN)
    if k < 2 or not wanted.any():
        return out
    keep = wanted[key]
    x, answered, key = x[keep], answered[keep], key[keep]
    trace, total = np.zeros(nkeys), np.zeros(nkeys)
    defined = np.ones(nkeys, dtype=bool)
    for i in range(k):
        for j in range(i, k):
            both = answered[:, i] & answered[:, j]
            kb = key[both]
            n = _count(kb, nkeys)
            a, b = x[both, i], x[both, j]
            da = a - _ratio(_count(kb, nkeys, a), n)[kb]
            db = b - _ratio(_count(kb, nkeys, b), n)[kb]
            covariance = _ratio(_count(kb, nkeys, da * db), n - 1)
            defined &= n >= 2
            total += covariance if i == j else 2 * covariance
            if i == j:
                trace += covariance
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = k / (k - 1) * (1 - trace / total)
    return np.where(wanted & defined & (total > ZERO_TOTAL * trace), alpha, NAN)


@dataclass(frozen=True)
class GapIntervals:
    """``reliability.gap_interval`` per pair (self, others); NaN bounds where undefined."""

    gap: np.ndarray
    low: np.ndarray
    high: np.ndarray
    fixed_self: np.ndarray  # method "fixed_self" (else "welch")
    confidence: float = 0.95


def gap_intervals(self_n: np.ndarray, self_mean: np.ndarray, self_sd: np.ndarray,
                  others_n: np.ndarray, others_mean: np.ndarray, others_sd: np.ndarray,
                  confidence: float = 0.95) -> GapIntervals:
    gap = self_mean - others_mean
    q = 0.5 + confidence / 2
    fixed = (self_n <= 1) | np.isnan(self_sd)
    spread_known = ~np.isnan(others_sd) & (others_n >= 2)
    low, high = np.full(len(gap), NAN), np.full(len(gap), NAN)
    one = fixed & spread_known
    if one.any():
        n = others_n[one].astype(float)
        half = t_ppf(q, n - 1) * others_sd[one] / np.sqrt(n)
        low[one], high[one] = gap[one] - half, gap[one] + half
    welch = ~fixed & spread_known
    if welch.any():
        sn, on = self_n[welch].astype(float), others_n[welch].astype(float)
        a, b = self_sd[welch] ** 2 / sn, others_sd[welch] ** 2 / on
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (a + b) ** 2 / (a ** 2 / (sn - 1) + b ** 2 / (on - 1))
            half = np.where(a + b > 0, t_ppf(q, np.where(a + b > 0, df, 1.0))
                            * np.sqrt(a + b), 0.0)
        low[welch], high[welch] = gap[welch] - half, gap[welch] + half
    return GapIntervals(gap, low, high, fixed, confidence)
