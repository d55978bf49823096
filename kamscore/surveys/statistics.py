"""Survey statistics: plain numbers in, plain numbers out (pure; no database, no Flask).

What is computed, and how (docs/surveys.md, "Statistics", has the formulas with sources):

- ``describe``: number of answers, mean and *sample* standard deviation (n - 1 in the
  denominator, as SPSS, R's ``sd`` and Excel's ``STDEV.S``); the sd of a single answer is
  undefined (``None``), not 0.
- ``top_box_share``: CSAT, the share of answers in the top two points of the scale (4-5 on
  1-5, 6-7 on 1-7, 9-10 on 0-10).
- ``net_promoter``: NPS = % promoters (9-10) - % detractors (0-6), in points from -100 to
  100, with a confidence interval. The default interval is the *adjusted Wald* interval of
  Rocks (2016), which the same author's R package ``NPS`` implements: add 0.75 pseudo-answers
  to the detractors, 1.5 to the passives and 0.75 to the promoters (n + 3 in all), then take
  the Wald interval of the difference of two multinomial proportions around the adjusted
  score: ``var = p + d - (p - d)²``, ``se = √(var / n)``. Its coverage is far better than
  the plain Wald interval's for the small groups of a key account (the plain interval of
  three promoters is [100, 100]). The plain Wald interval is available as ``method="wald"``.
  Both are clipped to [-100, 100].
- ``cronbach_alpha``: alpha = k/(k - 1) · (1 - Σ s²ᵢ / s²ₜ) over complete rows (listwise), with
  sample variances; ``None`` when it is undefined (fewer than two items or two respondents,
  or total variance 0).
- ``pool``: the exact n, mean and sd of the union of disjoint groups from their own n, mean
  and sd (used to merge campaigns of one period).
- ``gap``: self minus others, the 360° blind-spot measure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

#: NPS categories on the 0-10 "likelihood to recommend" scale.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
#: Pseudo-answers added by the adjusted Wald interval: detractors, passives, promoters.
ADJUSTED_WALD_PSEUDO = (0.75, 1.5, 0.75)
NPS_METHODS = ("adjusted_wald", "wald")
#: How many top points of a scale count as "satisfied" for CSAT.
CSAT_TOP_BOXES = 2


@dataclass(frozen=True)
class Description:
    """n, mean and sample standard deviation of some answers (``None`` where undefined)."""

    n: int
    mean: float | None
    sd: float | None

    @property
    def variance(self) -> float | None:
        return None if self.sd is None else self.sd * self.sd


def describe(values: Iterable[float]) -> Description:
    """n, mean and sample sd (n - 1) of ``values``; two-pass, so it stays exact for ratings."""
    data = [float(v) for v in values]
    n = len(data)
    if n == 0:
        return Description(0, None, None)
    mean = math.fsum(data) / n
    if n == 1:
        return Description(1, mean, None)
    variance = math.fsum((v - mean) ** 2 for v in data) / (n - 1)
    return Description(n, mean, math.sqrt(variance))


def describe_histogram(histogram: Mapping[float, int]) -> Description:
    """``describe`` of the answers a histogram (value → count) stands for."""
    n = sum(histogram.values())
    if n == 0:
        return Description(0, None, None)
    mean = math.fsum(v * c for v, c in histogram.items()) / n
    if n == 1:
        return Description(1, mean, None)
    variance = math.fsum(c * (v - mean) ** 2 for v, c in histogram.items()) / (n - 1)
    return Description(n, mean, math.sqrt(variance))


def histogram(values: Iterable[float]) -> dict[int, int]:
    """Answer value → how many gave it, for whole-number answers (sorted by value)."""
    counts = Counter(int(v) for v in values)
    return dict(sorted(counts.items()))


def top_box_share(
    counts: Mapping[int, int], scale_max: int, boxes: int = CSAT_TOP_BOXES
) -> float | None:
    """Share (0..1) of answers in the top ``boxes`` points of a scale ending at ``scale_max``.

    CSAT with the default two boxes: on a 1-5 scale the share of 4s and 5s.
    """
    n = sum(counts.values())
    if n == 0:
        return None
    return sum(c for v, c in counts.items() if v > scale_max - boxes) / n


@dataclass(frozen=True)
class NetPromoter:
    """An NPS with its confidence interval; ``score`` and the bounds are in points."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float  # -100..100
    ci_low: float
    ci_high: float
    confidence: float
    method: str


def nps_categories(counts: Mapping[int, int]) -> tuple[int, int, int]:
    """(detractors, passives, promoters) of a 0-10 histogram."""
    detractors = sum(c for v, c in counts.items() if v <= DETRACTOR_MAX)
    promoters = sum(c for v, c in counts.items() if v >= PROMOTER_MIN)
    passives = sum(counts.values()) - detractors - promoters
    return detractors, passives, promoters


def net_promoter(
    counts: Mapping[int, int], *, confidence: float = 0.95, method: str = "adjusted_wald"
) -> NetPromoter | None:
    """NPS of a 0-10 histogram with a ``confidence`` interval (``None`` without answers)."""
    if method not in NPS_METHODS:
        raise ValueError(f"unknown NPS interval method {method!r}; use one of {NPS_METHODS}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    detractors, passives, promoters = nps_categories(counts)
    n = detractors + passives + promoters
    if n == 0:
        return None
    score = (promoters - detractors) / n
    if method == "adjusted_wald":
        extra_d, extra_pass, extra_p = ADJUSTED_WALD_PSEUDO
        n_adj = n + extra_d + extra_pass + extra_p
        p, d = (promoters + extra_p) / n_adj, (detractors + extra_d) / n_adj
    else:
        n_adj, p, d = float(n), promoters / n, detractors / n
    centre = p - d
    variance = p + d - centre * centre  # of one answer scored +1 / 0 / -1
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half_width = z * math.sqrt(max(variance, 0.0) / n_adj)
    low = max(-1.0, centre - half_width)
    high = min(1.0, centre + half_width)
    return NetPromoter(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        score=100 * score,
        ci_low=100 * low,
        ci_high=100 * high,
        confidence=confidence,
        method=method,
    )


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of respondents (rows) x items (columns), complete rows only.

    ``None`` when undefined: fewer than two items or two complete rows, or no variance in
    the total scores. Alpha can be negative (items that do not hang together); it is at most
    1 by construction.
    """
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every row must have one value per item")
    complete = [[float(x) for x in row] for row in rows if all(x is not None for x in row)]
    if len(complete) < 2 or len(complete[0]) < 2:
        return None
    k = len(complete[0])
    columns = list(zip(*complete, strict=True))
    item_variance = math.fsum(_sample_variance(column) for column in columns)
    total_variance = _sample_variance([math.fsum(row) for row in complete])
    if total_variance <= 0:
        return None
    return k / (k - 1) * (1 - item_variance / total_variance)


def _sample_variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def pool(parts: Iterable[Description]) -> Description:
    """n, mean and sd of the union of disjoint groups, from each group's n, mean and sd.

    Exact (up to rounding): the pooled sum of squares is Σ[(nᵢ - 1)sᵢ² + nᵢ(mᵢ - m)²].
    A group of one answer has no sd; its contribution to the within-group sum is 0.
    """
    groups = [p for p in parts if p.n > 0]
    n = sum(p.n for p in groups)
    if n == 0:
        return Description(0, None, None)
    mean = math.fsum(p.n * p.mean for p in groups if p.mean is not None) / n
    if n == 1:
        return Description(1, mean, None)
    squares = math.fsum(
        (p.n - 1) * (p.variance or 0.0) + p.n * (p.mean - mean) ** 2
        for p in groups
        if p.mean is not None
    )
    return Description(n, mean, math.sqrt(squares / (n - 1)))


def gap(self_mean: float | None, others_mean: float | None) -> float | None:
    """Self-rating minus the others' mean (positive: the KAM rates himself higher)."""
    if self_mean is None or others_mean is None:
        return None
    return self_mean - others_mean
