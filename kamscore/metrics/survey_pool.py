"""Survey results per KAM, for qualitative and team metrics (pure, whole population at once).

Customer surveys are about accounts: a KAM's figure pools the responses of every account he
was assigned to in the period (each account once, however many assignments; all responses
count equally — a response is a response, whatever the days). 360° surveys are about the KAM
himself: his figure is his own aggregate.

A :class:`SurveyPool` holds, per KAM (aligned to ``ctx.kams``): ``n`` responses, the
``mean`` (n-weighted over accounts; NaN without responses), ``hist_n`` the responses that
come with a histogram, and :meth:`SurveyPool.count_between` to count answers in a range. It
works on the results' :class:`~kamscore.metrics.survey_results.MeasureTable` (arrays), so pooling
75,000 accounts' results costs a few array operations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kamscore.metrics.context import MetricContext
from kamscore.metrics.record_lists import RecordLists
from kamscore.metrics.survey_results import SUBJECT_ACCOUNT, SUBJECT_KAM, MeasureTable


@dataclass(frozen=True, eq=False)
class SurveyPool:
    """Pooled survey figures per KAM: ``pair_kam[j]`` is pooled with row ``pair_row[j]`` of
    ``table``."""

    table: MeasureTable
    pair_kam: np.ndarray
    pair_row: np.ndarray
    size: int

    def _sum(self, per_row: np.ndarray) -> np.ndarray:
        return np.bincount(self.pair_kam, weights=np.asarray(per_row, dtype=float)[self.pair_row],
                           minlength=self.size)

    @property
    def n(self) -> np.ndarray:
        """Responses per KAM."""
        return self._sum(self.table.n).astype(np.int64)

    @property
    def hist_n(self) -> np.ndarray:
        """Responses per KAM that come with a histogram (needed for shares such as CSAT)."""
        return self._sum(np.where(self.table.has_histogram, self.table.n, 0)).astype(np.int64)

    @property
    def mean_n(self) -> np.ndarray:
        """Responses per KAM that come with a mean (those behind :attr:`mean`)."""
        return self._sum(np.where(np.isnan(self.table.mean), 0, self.table.n)).astype(np.int64)

    @property
    def mean(self) -> np.ndarray:
        """n-weighted mean per KAM over the results that have a mean; NaN without any."""
        known = ~np.isnan(self.table.mean)
        total = self._sum(np.where(known, self.table.n * np.nan_to_num(self.table.mean), 0.0))
        weight = self.mean_n
        return np.where(weight > 0, total / np.maximum(weight, 1), np.nan)

    def count_between(self, low: float, high: float) -> np.ndarray:
        """Per KAM, how many answers lie in ``low..high`` (inclusive), from the histograms."""
        columns = (self.table.answers >= low) & (self.table.answers <= high)
        return self._sum(self.table.counts[:, columns].sum(axis=1)).astype(np.int64)

    def subjects(self) -> RecordLists:
        """Per KAM, the subject codes behind his figures (accounts, or himself): an input
        column of lists, kept column-wise."""
        codes = np.asarray(self.table.subjects, dtype=object)
        return RecordLists.of_values(self.pair_kam, self.size, codes[self.pair_row])


def pool_account_results(ctx: MetricContext, survey: str, measure: str,
                         rater_group: str = "all") -> SurveyPool:
    """Customer-survey results about each KAM's accounts in the period, pooled per KAM."""
    table = ctx.survey_results.measure_table(survey, measure, subject_type=SUBJECT_ACCOUNT,
                                             rater_group=rater_group)
    row_of_account = np.full(len(ctx.accounts), -1, dtype=np.int64)
    position = ctx.accounts.positions(table.subjects)
    known = position >= 0
    row_of_account[position[known]] = np.flatnonzero(known)
    kams, accounts = ctx.assignments.distinct_pairs  # each account once per KAM
    rows = row_of_account[accounts]
    keep = rows >= 0
    return SurveyPool(table, kams[keep], rows[keep], len(ctx.kams))


def kam_results(ctx: MetricContext, survey: str, measure: str,
                rater_group: str) -> SurveyPool:
    """360° results about each KAM himself, by one rater group."""
    table = ctx.survey_results.measure_table(survey, measure, subject_type=SUBJECT_KAM,
                                             rater_group=rater_group)
    index = ctx.kams.index
    found = [(index[code], row) for row, code in enumerate(table.subjects.tolist())
             if code in index]
    kams = np.array([k for k, _ in found], dtype=np.int64)
    rows = np.array([r for _, r in found], dtype=np.int64)
    return SurveyPool(table, kams, rows, len(ctx.kams))


def gate_responses(values: np.ndarray, n: np.ndarray,
                   min_responses: int) -> tuple[np.ndarray, np.ndarray]:
    """Values below ``min_responses`` responses become no data; returns (values, reasons)."""
    enough = n >= min_responses
    reasons = np.empty(len(values), dtype=object)
    reasons[:] = [None if ok else f"{count} response{'s' if count != 1 else ''}, "
                  f"{min_responses} needed" for ok, count in zip(enough, n, strict=True)]
    return np.where(enough, values, np.nan), reasons


#: Response-quality flags in words (one, several), in the order statements list them.
FLAG_WORDS = {"speeder": ("speeder", "speeders"),
              "straight_liner": ("straight-liner", "straight-liners"),
              "duplicate": ("duplicate", "duplicates")}


def excluded_in_words(counts: Mapping[str, int]) -> str | None:
    """"3 responses (2 speeders, 1 straight-liner)"; None when nothing was excluded."""
    total = sum(counts.values())
    if not total:
        return None
    parts = ", ".join(f"{counts[f]} {FLAG_WORDS[f][counts[f] != 1]}" for f in FLAG_WORDS
                      if counts.get(f))
    return f"{total} response{'s' if total != 1 else ''} ({parts})"


def excluded_responses(ctx: MetricContext, survey: str, subject_type: str) -> list[str | None]:
    """Per KAM (aligned to ``ctx.kams``), the responses excluded from the survey's results
    behind his figure, in words: about his accounts (each once) or about himself."""
    exclusions = ctx.survey_results.exclusions
    if not exclusions:
        return [None] * len(ctx.kams)
    totals = [Counter() for _ in range(len(ctx.kams))]
    if subject_type == SUBJECT_ACCOUNT:
        codes = ctx.accounts.codes
        kams, accounts = (x.tolist() for x in ctx.assignments.distinct_pairs)
        for kam, account in zip(kams, accounts, strict=True):
            totals[kam].update(exclusions.get((survey, SUBJECT_ACCOUNT, codes[account]), {}))
    else:
        for i, code in enumerate(ctx.kams.codes.tolist()):
            totals[i].update(exclusions.get((survey, SUBJECT_KAM, code), {}))
    return [excluded_in_words(t) for t in totals]


def response_rates(ctx: MetricContext, survey: str, subject_type: str) -> np.ndarray:
    """Per KAM, answered / invited over the invitations about his accounts (each once) or
    about himself; NaN where the results' provider knows no invitations (imported facts)."""
    known = ctx.survey_results.invitations
    invited = np.zeros(len(ctx.kams))
    answered = np.zeros(len(ctx.kams))
    if not known:  # no invitations known (imported facts): no rate
        return np.full(len(ctx.kams), np.nan)
    if subject_type == SUBJECT_ACCOUNT:
        codes = ctx.accounts.codes
        kams, accounts = (x.tolist() for x in ctx.assignments.distinct_pairs)
        keys = [(kam, (survey, SUBJECT_ACCOUNT, codes[account]))
                for kam, account in zip(kams, accounts, strict=True)]
    else:
        keys = [(i, (survey, SUBJECT_KAM, code)) for i, code in enumerate(ctx.kams.codes)]
    for kam, key in keys:
        counts = known.get(key)
        if counts:
            invited[kam] += counts[0]
            answered[kam] += counts[1]
    return np.where(invited > 0, answered / np.maximum(invited, 1), np.nan)


def gate_response_rate(values: np.ndarray, reasons: np.ndarray, rates: np.ndarray,
                       min_rate: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Values whose response rate is under ``min_rate`` (or unknown) become no data, with a
    reason; ``min_rate`` None: unchanged. Returns (values, reasons)."""
    if min_rate is None:
        return values, reasons
    low = np.isnan(rates) | (rates < min_rate)
    out = reasons.copy()
    for i in np.flatnonzero(low & ~np.isnan(values)).tolist():
        shown = "unknown" if np.isnan(rates[i]) else f"{rates[i]:.0%}"
        out[i] = f"response rate {shown}, {min_rate:.0%} needed"
    return np.where(low, np.nan, values), out
