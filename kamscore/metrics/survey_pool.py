"""Survey results per KAM, for qualitative and team metrics (pure, whole population at once).

Customer surveys are about accounts: a KAM's figure pools the responses of every account he
was assigned to in the period (each account once, however many assignments; all responses
count equally — a response is a response, whatever the days). 360° surveys are about the KAM
himself: his figure is his own aggregate.

A :class:`SurveyPool` holds, per KAM (aligned to ``ctx.kams``): ``n`` responses, the
``mean`` (n-weighted over accounts; NaN without responses), ``hist_n`` the responses that
come with a histogram, and :meth:`SurveyPool.count_between` to count answers in a range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..survey_results import SUBJECT_ACCOUNT, SUBJECT_KAM, SurveyAggregate
from .context import MetricContext


@dataclass(frozen=True, eq=False)
class SurveyPool:
    """Pooled survey figures per KAM: ``pair_kam[j]`` is pooled with ``aggregates[pair_agg[j]]``."""

    aggregates: tuple[SurveyAggregate, ...]
    pair_kam: np.ndarray  # one entry per (KAM, aggregate) pair
    pair_agg: np.ndarray
    size: int

    def _sum(self, per_aggregate: np.ndarray) -> np.ndarray:
        return np.bincount(self.pair_kam, weights=per_aggregate[self.pair_agg],
                           minlength=self.size)

    @property
    def n(self) -> np.ndarray:
        """Responses per KAM."""
        return self._sum(np.array([a.n for a in self.aggregates], dtype=float)).astype(np.int64)

    @property
    def hist_n(self) -> np.ndarray:
        """Responses per KAM that come with a histogram (needed for shares such as CSAT)."""
        return self._sum(np.array([a.n if a.histogram else 0 for a in self.aggregates],
                                  dtype=float)).astype(np.int64)

    @property
    def mean_n(self) -> np.ndarray:
        """Responses per KAM that come with a mean (those behind :attr:`mean`)."""
        return self._sum(np.array([a.n if a.mean is not None else 0 for a in self.aggregates],
                                  dtype=float)).astype(np.int64)

    @property
    def mean(self) -> np.ndarray:
        """n-weighted mean per KAM over the aggregates that have a mean; NaN without any."""
        sums = np.array([a.n * a.mean if a.mean is not None else 0.0 for a in self.aggregates],
                        dtype=float)
        total, weight = self._sum(sums), self.mean_n
        return np.where(weight > 0, total / np.maximum(weight, 1), np.nan)

    def count_between(self, low: float, high: float) -> np.ndarray:
        """Per KAM, how many answers lie in ``low..high`` (inclusive), from the histograms."""
        counts = np.array([sum(c for v, c in a.histogram.items() if low <= v <= high)
                           for a in self.aggregates], dtype=float)
        return self._sum(counts).astype(np.int64)

    def subjects(self) -> np.ndarray:
        """Per KAM, the subject codes behind his figures (accounts, or himself)."""
        out = np.empty(self.size, dtype=object)
        for i in range(self.size):
            out[i] = []
        for k, a in zip(self.pair_kam, self.pair_agg, strict=True):
            out[k].append(self.aggregates[a].subject)
        return out


def pool_account_results(ctx: MetricContext, survey: str, measure: str,
                         rater_group: str = "all") -> SurveyPool:
    """Customer-survey results about each KAM's accounts in the period, pooled per KAM."""
    found = ctx.survey_results.for_measure(survey, measure, subject_type=SUBJECT_ACCOUNT,
                                           rater_group=rater_group)
    aggregates = tuple(found[code] for code in sorted(found))
    position = {agg.subject: i for i, agg in enumerate(aggregates)}
    account_to_agg = np.array([position.get(code, -1) for code in ctx.accounts.codes],
                              dtype=np.int64)
    a = ctx.assignments
    pairs = np.unique(np.stack([a.kam, a.account]), axis=1) if len(a) else np.empty((2, 0), int)
    agg = account_to_agg[pairs[1]] if pairs.shape[1] else np.empty(0, dtype=np.int64)
    keep = agg >= 0
    return SurveyPool(aggregates, pairs[0][keep].astype(np.int64), agg[keep], len(ctx.kams))


def kam_results(ctx: MetricContext, survey: str, measure: str,
                rater_group: str) -> SurveyPool:
    """360° results about each KAM himself, by one rater group."""
    found = ctx.survey_results.for_measure(survey, measure, subject_type=SUBJECT_KAM,
                                           rater_group=rater_group)
    index = ctx.kams.index
    subjects = sorted(code for code in found if code in index)
    aggregates = tuple(found[code] for code in subjects)
    return SurveyPool(aggregates, np.array([index[c] for c in subjects], dtype=np.int64),
                      np.arange(len(subjects), dtype=np.int64), len(ctx.kams))


def gate_responses(values: np.ndarray, n: np.ndarray,
                   min_responses: int) -> tuple[np.ndarray, np.ndarray]:
    """Values below ``min_responses`` responses become no data; returns (values, reasons)."""
    enough = n >= min_responses
    reasons = np.empty(len(values), dtype=object)
    reasons[:] = [None if ok else f"{count} response{'s' if count != 1 else ''}, "
                  f"{min_responses} needed" for ok, count in zip(enough, n, strict=True)]
    return np.where(enough, values, np.nan), reasons
