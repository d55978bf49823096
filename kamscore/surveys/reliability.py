"""Inter-rater reliability and gap intervals: numbers in, numbers out (pure numpy and scipy).

No database, no Flask. docs/surveys.md ("How far raters agree") explains the figures to
survey administrators; the formulas and their sources:

- ``icc``: the six intraclass correlations of Shrout & Fleiss (1979), computed from the
  two-way analysis of variance of a complete *targets x raters* table (n targets, k raters):
  ICC(1,1), ICC(2,1), ICC(3,1) for one rater, ICC(1,k), ICC(2,k), ICC(3,k) for the mean of the
  k raters. Confidence intervals are the F-based ones of McGraw & Wong (1996), Table 7 —
  for ICC(2,·) with Satterthwaite's degrees of freedom — as R's ``psych::ICC`` and
  pingouin compute them. Checked against Shrout & Fleiss's Table 2 data.
- ``krippendorff_alpha``: Krippendorff's alpha from the coincidence matrix of a
  *units x coders* table with missing values (NaN), for the nominal, ordinal and interval
  metrics (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"); units with
  fewer than two values are not pairable and are left out. Its interval is a percentile
  bootstrap over units (``BOOTSTRAP_SAMPLES`` resamples, fixed seed, so a recompute gives the
  same interval). Checked against the 2011 paper's 4-coder, 12-unit example.
- ``cronbach_alpha_pairwise``: Cronbach's alpha from the item covariance matrix with each
  variance and covariance computed on the respondents who answered both items (pairwise
  deletion); ``statistics.cronbach_alpha`` is the listwise one.
- ``gap_interval``: the self-minus-others gap with a t interval (a single self-rating is a
  fixed value, so the interval is that of the others' mean; several self-ratings — the
  campaign-wide gap — give Welch's interval for the difference of two means).
- ``reading``: the plain-words reading of a coefficient, with the thresholds used: Koo & Li
  (2016) for the ICC (below 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9
  excellent) and Krippendorff (2004) for alpha (0.8 and above: reliable; 0.667 to 0.8:
  tentative conclusions only; below 0.667: unreliable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

ICC_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
#: Shrout & Fleiss names of the forms, for people.
ICC_NAMES = {"ICC1": "ICC(1,1)", "ICC2": "ICC(2,1)", "ICC3": "ICC(3,1)",
             "ICC1k": "ICC(1,k)", "ICC2k": "ICC(2,k)", "ICC3k": "ICC(3,k)"}
METRICS = ("nominal", "ordinal", "interval")
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20110101
#: Koo & Li (2016): lower bounds of "moderate", "good", "excellent".
ICC_THRESHOLDS = (0.5, 0.75, 0.9)
#: Krippendorff (2004): lowest alpha for tentative conclusions, and for reliable data.
ALPHA_THRESHOLDS = (0.667, 0.8)


@dataclass(frozen=True)
class Interval:
    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class IntraclassCorrelations:
    """The six forms with their intervals, and the analysis of variance they come from."""

    n: int  # targets
    k: int  # raters
    forms: dict[str, Interval]
    f_one_way: float  # MSR / MSW: the F test of ICC(1,·)
    f_two_way: float  # MSR / MSE: the F test of ICC(2,·) and ICC(3,·)
    confidence: float


def _ppf(q: float, df1: float, df2: float) -> float:
    return float(stats.f.ppf(q, df1, df2))


def icc(table: Sequence[Sequence[float]] | np.ndarray, *, confidence: float = 0.95
        ) -> IntraclassCorrelations | None:
    """The six intraclass correlations of a complete targets x raters table.

    ``None`` when undefined: fewer than two targets or two raters, a missing value, or no
    variance at all (every rating equal: the ratio is 0/0).
    """
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2 or np.isnan(x).any():
        return None
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    ss_rows = float(k * ((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((x.mean(axis=0) - grand) ** 2).sum())
    if ss_total <= 1e-12 * max(1.0, float(np.abs(x).max()) ** 2):
        return None
    # sums of squares that are zero up to rounding are zero (a permutation of the raters
    # must not turn an exact 0 into 1e-16 and an undefined form into a huge one)
    tiny = 1e-10 * ss_total
    ss_rows = ss_rows if ss_rows > tiny else 0.0
    ss_cols = ss_cols if ss_cols > tiny else 0.0
    ss_error = ss_total - ss_rows - ss_cols
    ss_error = ss_error if ss_error > tiny else 0.0
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_error) / (n * (k - 1))
    alpha = 1 - confidence
    q = 1 - alpha / 2
    forms: dict[str, Interval] = {}

    def single(low_f: float, high_f: float) -> tuple[float, float]:
        return (low_f - 1) / (low_f + k - 1), (high_f - 1) / (high_f + k - 1)

    def mean_of_k(low_f: float, high_f: float) -> tuple[float, float]:
        return 1 - 1 / low_f if low_f else -math.inf, 1 - 1 / high_f if high_f else -math.inf

    # ICC(1,·): one-way model, each target rated by its own raters.
    f1 = msr / msw if msw > 0 else math.inf
    icc1 = (msr - msw) / (msr + (k - 1) * msw)
    icc1k = (msr - msw) / msr if msr > 0 else None
    df1, df2 = n - 1, n * (k - 1)
    low_f, high_f = f1 / _ppf(q, df1, df2), f1 * _ppf(q, df2, df1)
    forms["ICC1"] = Interval(icc1, *_finite(single(low_f, high_f)))
    if icc1k is not None:
        forms["ICC1k"] = Interval(icc1k, *_finite(mean_of_k(low_f, high_f)))
    # ICC(3,·): two-way mixed, consistency (undefined when targets and error both vanish).
    df2 = (n - 1) * (k - 1)
    if msr + (k - 1) * mse > 0:
        icc3 = (msr - mse) / (msr + (k - 1) * mse)
        bounds: tuple[float | None, float | None] = (None, None)
        if mse > 0:
            f3 = msr / mse
            low_f, high_f = f3 / _ppf(q, df1, df2), f3 * _ppf(q, df2, df1)
            forms["ICC3"] = Interval(icc3, *_finite(single(low_f, high_f)))
            bounds = _finite(mean_of_k(low_f, high_f))
        else:
            forms["ICC3"] = Interval(icc3, None, None)
        if msr > 0:
            forms["ICC3k"] = Interval((msr - mse) / msr, *bounds)
    # ICC(2,·): two-way random, absolute agreement; Satterthwaite's df for the interval.
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    denominator_k = msr + (msc - mse) / n
    scale = 1e-9 * (msr + msc + mse)
    if denominator > scale and denominator_k > scale:
        icc2 = (msr - mse) / denominator
        icc2k = (msr - mse) / denominator_k
        low, high = _icc2_interval(icc2, n, k, msr, msc, mse, q)
        forms["ICC2"] = Interval(icc2, low, high)
        forms["ICC2k"] = Interval(icc2k, _spearman_brown(low, k), _spearman_brown(high, k))
    ordered = {name: forms[name] for name in ICC_FORMS if name in forms}
    f3 = msr / mse if mse > 0 else math.inf
    return IntraclassCorrelations(n, k, ordered, f1, f3, confidence)


def _icc2_interval(icc2: float, n: int, k: int, msr: float, msc: float, mse: float,
                   q: float) -> tuple[float | None, float | None]:
    if icc2 >= 1 or mse <= 0:
        return None, None
    a = k * icc2 / (n * (1 - icc2))
    b = 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
    denominator = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
    if denominator <= 0:
        return None, None
    v = (a * msc + b * mse) ** 2 / denominator
    f_upper = _ppf(q, n - 1, v)
    f_lower = _ppf(q, v, n - 1)
    spread = k * msc + (k * n - k - n) * mse
    low = n * (msr - f_upper * mse) / (f_upper * spread + n * msr)
    high = n * (f_lower * msr - mse) / (spread + n * f_lower * msr)
    return _finite((low, high))


def _spearman_brown(single: float | None, k: int) -> float | None:
    """The mean-of-k correlation of a one-rater one (None below -1/(k-1): unbounded)."""
    if single is None or 1 + single * (k - 1) <= 0:
        return None
    return single * k / (1 + single * (k - 1))


def _finite(pair: tuple[float, float]) -> tuple[float | None, float | None]:
    return tuple(v if math.isfinite(v) else None for v in pair)  # type: ignore[return-value]


# -- Krippendorff's alpha ---------------------------------------------------------------------


@dataclass(frozen=True)
class KrippendorffAlpha:
    alpha: float
    low: float | None  # percentile bootstrap interval over units
    high: float | None
    metric: str
    pairable: int  # values in units with at least two values
    units: int  # units with at least two values
    confidence: float


def _unit_counts(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, units x values count table) of a units x coders table with NaN."""
    present = ~np.isnan(units)
    values = np.unique(units[present])
    counts = np.zeros((units.shape[0], values.size))
    rows, cols = np.nonzero(present)
    np.add.at(counts, (rows, np.searchsorted(values, units[rows, cols])), 1)
    return values, counts


def _delta(values: np.ndarray, totals: np.ndarray, metric: str) -> np.ndarray:
    """Squared differences δ²(c, k) between the values (``totals``: n_c, for ordinal)."""
    if metric == "nominal":
        return 1.0 - np.eye(values.size)
    if metric == "interval":
        return (values[:, None] - values[None, :]) ** 2
    if metric == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(totals)])
        lo = np.minimum.outer(np.arange(values.size), np.arange(values.size))
        hi = np.maximum.outer(np.arange(values.size), np.arange(values.size))
        between = cumulative[hi + 1] - cumulative[lo]  # Σ n_g for g from c to k
        return (between - (totals[:, None] + totals[None, :]) / 2) ** 2
    raise ValueError(f"unknown metric {metric!r}; use one of {METRICS}")


def _alpha_from(coincidences: np.ndarray, values: np.ndarray, metric: str) -> np.ndarray:
    """alpha of one or more coincidence matrices (..., V, V); NaN where undefined."""
    totals = coincidences.sum(axis=-1)
    n = totals.sum(axis=-1)
    if metric == "ordinal":
        delta = np.stack([_delta(values, t, metric) for t in totals.reshape(-1, values.size)])
        delta = delta.reshape(coincidences.shape)
    else:
        delta = _delta(values, totals, metric)
    observed = (coincidences * delta).sum(axis=(-1, -2))
    expected = (totals[..., :, None] * totals[..., None, :] * delta).sum(axis=(-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def krippendorff_alpha(units: Sequence[Sequence[float | None]] | np.ndarray, *,
                       metric: str = "ordinal", confidence: float = 0.95,
                       samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
                       ) -> KrippendorffAlpha | None:
    """Krippendorff's alpha of a units x coders table (missing: ``None`` or NaN).

    ``None`` when undefined: fewer than two pairable units' values, or a single value used
    throughout (no disagreement is possible, the expected disagreement is 0).
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {METRICS}")
    table = np.array([[np.nan if v is None else v for v in row] for row in units], dtype=float) \
        if not isinstance(units, np.ndarray) else units.astype(float)
    if table.ndim != 2 or table.size == 0:
        return None
    values, counts = _unit_counts(table)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    if counts.shape[0] == 0 or values.size < 2:
        return None
    weights = 1.0 / (m - 1)
    # per unit: n_uc n_uk / (m_u - 1), less the pairs of a value with itself on the diagonal
    per_unit = (counts[:, :, None] * counts[:, None, :]
                - counts[:, :, None] * np.eye(values.size)) * weights[:, None, None]
    alpha = float(_alpha_from(per_unit.sum(axis=0), values, metric))
    if math.isnan(alpha):
        return None
    low = high = None
    if samples > 0 and per_unit.shape[0] >= 2:
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, per_unit.shape[0], size=(samples, per_unit.shape[0]))
        resampled = per_unit[picks].sum(axis=1)
        draws = _alpha_from(resampled, values, metric)
        draws = draws[~np.isnan(draws)]
        if draws.size:
            tail = (1 - confidence) / 2
            low, high = (float(v) for v in np.quantile(draws, [tail, 1 - tail]))
    return KrippendorffAlpha(alpha, low, high, metric, int(m.sum()), int(counts.shape[0]),
                             confidence)


# -- Cronbach's alpha, pairwise -----------------------------------------------------------------


def cronbach_alpha_pairwise(rows: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's alpha with pairwise deletion: k/(k-1) · (1 - Σ s²ᵢ / Σᵢⱼ sᵢⱼ), each
    variance and covariance over the respondents who answered both items.

    ``None`` when undefined: fewer than two items, a pair of items answered together by
    fewer than two respondents, or a total variance of 0.
    """
    x = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        return None
    k = x.shape[1]
    covariance = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            if both.sum() < 2:
                return None
            a, b = x[both, i], x[both, j]
            covariance[i, j] = covariance[j, i] = float(
                ((a - a.mean()) * (b - b.mean())).sum() / (both.sum() - 1))
    total = float(covariance.sum())
    if total <= 0:
        return None
    return k / (k - 1) * (1 - float(np.trace(covariance)) / total)


# -- self versus others ---------------------------------------------------------------------


@dataclass(frozen=True)
class GapInterval:
    gap: float
    low: float | None
    high: float | None
    confidence: float
    method: str  # "fixed_self" (one self-rating) or "welch"


def gap_interval(self_n: int, self_mean: float | None, self_sd: float | None,
                 others_n: int, others_mean: float | None, others_sd: float | None, *,
                 confidence: float = 0.95) -> GapInterval | None:
    """Self minus others with a t interval (``None`` without both means).

    One self-rating (a KAM's own) is a fixed value: the interval is the others' mean's,
    t(n-1) · s/√n around the gap. Several self-ratings (the campaign's) and several others
    give Welch's interval. Without the spread needed the bounds are ``None``.
    """
    if self_mean is None or others_mean is None:
        return None
    gap = self_mean - others_mean
    q = 0.5 + confidence / 2
    if self_n <= 1 or self_sd is None:
        if others_sd is None or others_n < 2:
            return GapInterval(gap, None, None, confidence, "fixed_self")
        half = float(stats.t.ppf(q, others_n - 1)) * others_sd / math.sqrt(others_n)
        return GapInterval(gap, gap - half, gap + half, confidence, "fixed_self")
    if others_sd is None or others_n < 2:
        return GapInterval(gap, None, None, confidence, "welch")
    a, b = self_sd ** 2 / self_n, others_sd ** 2 / others_n
    if a + b <= 0:
        return GapInterval(gap, gap, gap, confidence, "welch")
    df = (a + b) ** 2 / (a ** 2 / (self_n - 1) + b ** 2 / (others_n - 1))
    half = float(stats.t.ppf(q, df)) * math.sqrt(a + b)
    return GapInterval(gap, gap - half, gap + half, confidence, "welch")


# -- readings ---------------------------------------------------------------------------------


def icc_reading(value: float | None) -> str | None:
    """Koo & Li (2016): poor < 0.5 ≤ moderate < 0.75 ≤ good < 0.9 ≤ excellent."""
    if value is None:
        return None
    moderate, good, excellent = ICC_THRESHOLDS
    if value >= excellent:
        return "excellent"
    if value >= good:
        return "good"
    if value >= moderate:
        return "moderate"
    return "poor"


def alpha_reading(value: float | None) -> str | None:
    """Krippendorff (2004): reliable ≥ 0.8 > tentative ≥ 0.667 > unreliable."""
    if value is None:
        return None
    tentative, reliable = ALPHA_THRESHOLDS
    if value >= reliable:
        return "good"
    if value >= tentative:
        return "moderate"
    return "poor"
