"""Inter-rater reliability and gap intervals: numbers in, numbers out (pure numpy and scipy).

No database, no Flask. docs/surveys.md ("How far raters agree") explains the figures to
survey administrators; the formulas and their sources:

- ``icc``: the six intraclass correlations of Shrout & Fleiss (1979), computed from the
  two-way analysis of variance of a complete *targets x raters* table (n targets, k raters):
  ICC(1,1), ICC(2,1), ICC(3,1) for one rater, ICC(1,k), ICC(2,k), ICC(3,k) for the mean of the
  k raters. Confidence intervals are the F-based ones of McGraw & Wong (1996), Table 7 —
  for ICC(2,·) with Satterthwaite's degrees of freedom — as R's ``psych::ICC`` and
  pingouin compute them. Checked against Shrout & Fleiss's Table 2 data.
  ``icc_columns`` computes them for many tables at once (same-shaped tables stacked).
- ``krippendorff_alpha``: Krippendorff's alpha of a *units x coders* table with missing
  values, with a jackknife interval — in ``krippendorff`` (re-exported here).
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

from kamscore.surveys.krippendorff import METRICS as METRICS  # re-exported
from kamscore.surveys.krippendorff import KrippendorffAlpha as KrippendorffAlpha
from kamscore.surveys.krippendorff import KrippendorffColumns as KrippendorffColumns
from kamscore.surveys.krippendorff import krippendorff_alpha as krippendorff_alpha
from kamscore.surveys.krippendorff import krippendorff_columns as krippendorff_columns
from kamscore.surveys.krippendorff import krippendorff_many as krippendorff_many
from kamscore.surveys.quantiles import f_ppf, t_ppf

ICC_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
#: Shrout & Fleiss names of the forms, for people.
ICC_NAMES = {"ICC1": "ICC(1,1)", "ICC2": "ICC(2,1)", "ICC3": "ICC(3,1)",
             "ICC1k": "ICC(1,k)", "ICC2k": "ICC(2,k)", "ICC3k": "ICC(3,k)"}
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


def icc(table: Sequence[Sequence[float]] | np.ndarray, *, confidence: float = 0.95
        ) -> IntraclassCorrelations | None:
    """The six intraclass correlations of a complete targets x raters table.

    ``None`` when undefined: fewer than two targets or two raters, a missing value, or no
    variance at all (every rating equal: the ratio is 0/0). A form whose own ratio is 0/0
    is left out of ``forms``; a bound that does not exist is ``None``.
    """
    return icc_many([np.asarray(table, dtype=float)], confidence=confidence)[0]


def mean_squares_many(tables: Sequence[np.ndarray]
                      ) -> tuple[tuple[np.ndarray, ...], list[int]]:
    """The two-way analysis of variance of many targets x raters tables: the columns
    (n, k, MSR, MSC, MSE, MSW) of the tables where it is defined (two targets and two raters
    or more, no missing value, some variance), and their positions. Tables of one shape are
    stacked and computed at once."""
    shapes: dict[tuple[int, int], list[int]] = {}
    for i, t in enumerate(tables):
        if t.ndim == 2 and t.shape[0] >= 2 and t.shape[1] >= 2:
            shapes.setdefault(t.shape, []).append(i)
    parts, where = [], []
    for (n, k), members in shapes.items():
        x = np.stack([tables[i] for i in members])
        ok = ~np.isnan(x).any(axis=(1, 2))
        grand = x.mean(axis=(1, 2))
        ss_total = ((x - grand[:, None, None]) ** 2).sum(axis=(1, 2))
        with np.errstate(invalid="ignore"):
            ok &= ss_total > 1e-12 * np.maximum(1.0, np.abs(x).max(axis=(1, 2)) ** 2)
        ss_rows = k * ((x.mean(axis=2) - grand[:, None]) ** 2).sum(axis=1)
        ss_cols = n * ((x.mean(axis=1) - grand[:, None]) ** 2).sum(axis=1)
        # sums of squares that are zero up to rounding are zero (a permutation of the raters
        # must not turn an exact 0 into 1e-16 and an undefined form into a huge one)
        tiny = 1e-10 * ss_total
        ss_rows = np.where(ss_rows > tiny, ss_rows, 0.0)
        ss_cols = np.where(ss_cols > tiny, ss_cols, 0.0)
        ss_error = ss_total - ss_rows - ss_cols
        ss_error = np.where(ss_error > tiny, ss_error, 0.0)
        size = int(ok.sum())
        parts.append(np.stack([np.full(size, float(n)), np.full(size, float(k)),
                               ss_rows[ok] / (n - 1), ss_cols[ok] / (k - 1),
                               ss_error[ok] / ((n - 1) * (k - 1)),
                               (ss_cols[ok] + ss_error[ok]) / (n * (k - 1))]))
        where += [members[j] for j in np.flatnonzero(ok).tolist()]
    if not where:
        return (), []
    columns = np.concatenate(parts, axis=1)
    order = np.argsort(where, kind="stable")
    return tuple(columns[:, order]), [where[j] for j in order.tolist()]


@dataclass(frozen=True)
class IccColumns:
    """``icc`` of many tables as arrays: ``where`` the tables that have figures, then per
    such table n, k, each form's (value, low, high) — not finite where the form or the
    bound does not exist — and the two F ratios."""

    where: list[int]
    n: np.ndarray
    k: np.ndarray
    forms: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    f_one_way: np.ndarray
    f_two_way: np.ndarray
    confidence: float


def icc_many(tables: Sequence[np.ndarray], *, confidence: float = 0.95
             ) -> list[IntraclassCorrelations | None]:
    """``icc`` of many tables at once: the F quantiles are computed for all in one call
    per form (a campaign's 20,000 rater groups take a fraction of a second)."""
    found: list[IntraclassCorrelations | None] = [None] * len(tables)
    c = icc_columns(tables, confidence=confidence)
    columns = {name: tuple(col.tolist() for col in c.forms[name]) for name in ICC_FORMS}
    f1s, f3s = c.f_one_way.tolist(), c.f_two_way.tolist()
    for j, i in enumerate(c.where):
        chosen = {}
        for name in ICC_FORMS:
            value, lows, highs = columns[name]
            if math.isfinite(value[j]):
                chosen[name] = Interval(value[j], *_finite((lows[j], highs[j])))
        found[i] = IntraclassCorrelations(int(c.n[j]), int(c.k[j]), chosen, f1s[j], f3s[j],
                                          confidence)
    return found


def icc_columns(tables: Sequence[np.ndarray], *, confidence: float = 0.95) -> IccColumns:
    """``icc`` of many tables, vectorised (see ``IccColumns``)."""
    rows, where = mean_squares_many([np.asarray(t, dtype=float) for t in tables])
    if not where:
        empty = np.zeros(0)
        return IccColumns([], empty, empty, {name: (empty, empty, empty) for name in ICC_FORMS},
                          empty, empty, confidence)
    n, k, msr, msc, mse, msw = rows
    q = 0.5 + confidence / 2
    forms: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        def single(f: np.ndarray) -> np.ndarray:
            return np.where(np.isinf(f), 1.0, (f - 1) / (f + k - 1))

        def mean_of_k(f: np.ndarray) -> np.ndarray:
            return np.where(np.isinf(f), 1.0, np.where(f > 0, 1 - 1 / f, np.nan))

        # ICC(1,·): one-way model, each target rated by its own raters
        f1 = np.where(msw > 0, msr / np.where(msw > 0, msw, 1), np.inf)
        low_f = f1 / f_ppf(q, n - 1, n * (k - 1))
        high_f = f1 * f_ppf(q, n * (k - 1), n - 1)
        forms["ICC1"] = ((msr - msw) / (msr + (k - 1) * msw), single(low_f), single(high_f))
        forms["ICC1k"] = (np.where(msr > 0, (msr - msw) / msr, np.nan), mean_of_k(low_f),
                          mean_of_k(high_f))
        # ICC(3,·): two-way mixed, consistency
        f3 = np.where(mse > 0, msr / np.where(mse > 0, mse, 1), np.inf)
        low_f = f3 / f_ppf(q, n - 1, (n - 1) * (k - 1))
        high_f = f3 * f_ppf(q, (n - 1) * (k - 1), n - 1)
        defined = msr + (k - 1) * mse > 0
        forms["ICC3"] = (np.where(defined, (msr - mse) / (msr + (k - 1) * mse), np.nan),
                         single(low_f), single(high_f))
        forms["ICC3k"] = (np.where(msr > 0, (msr - mse) / msr, np.nan), mean_of_k(low_f),
                          mean_of_k(high_f))
        # ICC(2,·): two-way random, absolute agreement; Satterthwaite's df for the interval
        denominator = msr + (k - 1) * mse + k * (msc - mse) / n
        denominator_k = msr + (msc - mse) / n
        scale = 1e-9 * (msr + msc + mse)
        defined = (denominator > scale) & (denominator_k > scale)
        icc2 = np.where(defined, (msr - mse) / denominator, np.nan)
        icc2k = np.where(defined, (msr - mse) / denominator_k, np.nan)
        a = k * icc2 / (n * (1 - icc2))
        b = 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
        spread_df = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
        v = (a * msc + b * mse) ** 2 / spread_df
        usable = defined & (icc2 < 1) & (mse > 0) & (spread_df > 0) & (v > 0)
        v = np.where(usable, v, 1.0)
        f_upper = f_ppf(q, n - 1, v)
        f_lower = f_ppf(q, v, n - 1)
        spread = k * msc + (k * n - k - n) * mse
        low = np.where(usable, n * (msr - f_upper * mse) / (f_upper * spread + n * msr), np.nan)
        high = np.where(usable, n * (f_lower * msr - mse) / (spread + n * f_lower * msr),
                        np.nan)
        forms["ICC2"] = (icc2, low, high)

        def spearman_brown(r: np.ndarray) -> np.ndarray:
            return np.where(1 + r * (k - 1) > 0, r * k / (1 + r * (k - 1)), np.nan)

        forms["ICC2k"] = (icc2k, spearman_brown(low), spearman_brown(high))
    return IccColumns(where, n, k, forms, f1, f3, confidence)


def _finite(pair: tuple[float, float]) -> tuple[float | None, float | None]:
    return tuple(v if math.isfinite(v) else None for v in pair)  # type: ignore[return-value]


# -- Cronbach's alpha, pairwise -----------------------------------------------------------------

#: A total variance at most this fraction of the items' own (their covariance matrix's
#: trace) is 0 but for rounding: the pairwise alpha is then undefined.
ZERO_TOTAL = 1e-9


def cronbach_alpha_pairwise(rows: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's alpha with pairwise deletion: k/(k-1) · (1 - Σ s²ᵢ / Σᵢⱼ sᵢⱼ), each
    variance and covariance over the respondents who answered both items.

    ``None`` when undefined: fewer than two items, a pair of items answered together by
    fewer than two respondents, or a total variance of 0 or less — within rounding
    (:data:`ZERO_TOTAL`): items that cancel out, one rising as the other falls, leave a
    total of 1e-16 of their variances, and an alpha of minus a quadrillion.
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
    if total <= ZERO_TOTAL * float(np.trace(covariance)):
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
        half = float(t_ppf(q, others_n - 1)) * others_sd / math.sqrt(others_n)
        return GapInterval(gap, gap - half, gap + half, confidence, "fixed_self")
    if others_sd is None or others_n < 2:
        return GapInterval(gap, None, None, confidence, "welch")
    a, b = self_sd ** 2 / self_n, others_sd ** 2 / others_n
    if a + b <= 0:
        return GapInterval(gap, gap, gap, confidence, "welch")
    df = (a + b) ** 2 / (a ** 2 / (self_n - 1) + b ** 2 / (others_n - 1))
    half = float(t_ppf(q, df)) * math.sqrt(a + b)
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
