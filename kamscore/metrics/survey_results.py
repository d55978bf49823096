"""The one interface through which metric plugins read survey results.

Qualitative and team metrics never touch survey tables. They receive a ``SurveyResults`` in
their metric context, for a whole period at once. Who fills it is decided by the
``kamscore_survey_results`` hook (see ``hookspecs.py``): a default provider builds it from
imported facts; the surveys capability provides live results from closed campaigns. The metric
plugins do not change when the provider does.

A ``SurveyAggregate`` is the summary of all answers to one measure about one subject by one
rater group — enough to compute CSAT, NPS and scale means without seeing a single response,
which is what keeps individual answers out of scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

#: Subjects a survey result can be about.
SUBJECT_ACCOUNT = "account"  # customer surveys: about an account (its KAM is credited)
SUBJECT_KAM = "kam"  # 360° surveys: about a KAM (person code)

#: Rater groups. ``ALL`` is every respondent; ``OTHERS`` is everyone but the subject himself.
GROUP_ALL = "all"
GROUP_SELF = "self"
GROUP_OTHERS = "others"


@dataclass(frozen=True)
class SurveyAggregate:
    """Answers to one measure about one subject by one rater group, summarised.

    ``measure`` names what was asked: a question id (``nps``, ``overall_satisfaction``) or a
    scale tag prefixed with ``scale:`` (``scale:relationship_quality``) whose value per
    response is the mean of the scale's items. ``histogram`` maps each answer value to how
    many responses gave it (for rating and NPS questions; empty for scales, whose per-response
    means are not whole numbers). ``n`` is the number of responses behind the figures.
    """

    survey: str
    subject_type: str
    subject: str
    measure: str
    rater_group: str
    n: int
    mean: float | None
    sd: float | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    histogram: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))

    def share_at_least(self, threshold: int) -> float | None:
        """Share of responses whose answer is ``>= threshold`` (CSAT's top-two box)."""
        if not self.histogram or self.n == 0:
            return None
        return sum(c for v, c in self.histogram.items() if v >= threshold) / self.n

    def share_at_most(self, threshold: int) -> float | None:
        if not self.histogram or self.n == 0:
            return None
        return sum(c for v, c in self.histogram.items() if v <= threshold) / self.n


Key = tuple[str, str, str, str, str]  # survey, subject_type, subject, measure, rater_group


@dataclass(frozen=True, eq=False)
class MeasureTable:
    """One measure by one rater group about every subject, column-wise (for metrics that
    compute a whole population at once): row i is ``subjects[i]`` (sorted). ``mean``,
    ``sd``, ``scale_min`` and ``scale_max`` are NaN where unknown; ``counts[i, j]`` is how
    many answered ``answers[j]`` (all zero for a subject without histogram, see
    ``has_histogram``)."""

    subjects: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    answers: np.ndarray
    counts: np.ndarray
    has_histogram: np.ndarray

    def __len__(self) -> int:
        return len(self.subjects)

    @classmethod
    def from_aggregates(cls, aggregates: Iterable[SurveyAggregate]) -> MeasureTable:
        rows = sorted(aggregates, key=lambda a: a.subject)
        answers = np.array(sorted({v for a in rows for v in a.histogram}), dtype=np.int64)
        column = {int(v): j for j, v in enumerate(answers)}
        counts = np.zeros((len(rows), len(answers)), dtype=np.int64)
        for i, agg in enumerate(rows):
            for value, count in agg.histogram.items():
                counts[i, column[value]] = count

        def floats(values: Iterable[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        subjects = np.empty(len(rows), dtype=object)
        subjects[:] = [a.subject for a in rows]
        return cls(
            subjects=subjects,
            n=np.array([a.n for a in rows], dtype=np.int64),
            mean=floats(a.mean for a in rows),
            sd=floats(a.sd for a in rows),
            scale_min=floats(a.scale_min for a in rows),
            scale_max=floats(a.scale_max for a in rows),
            answers=answers,
            counts=counts,
            has_histogram=np.array([bool(a.histogram) for a in rows], dtype=bool),
        )


class SurveyResults:
    """All survey aggregates of one period, indexed for whole-population look-ups."""

    def __init__(self, aggregates: Iterable[SurveyAggregate] = (), *, source: str,
                 exclusions: Mapping[tuple[str, str, str], Mapping[str, int]] | None = None,
                 invitations: Mapping[tuple[str, str, str], tuple[int, int]] | None = None
                 ) -> None:
        self.source = source  # e.g. "facts" or "surveys": shown in statements
        #: (survey, subject type, subject) → response-quality flag → responses excluded from
        #: these results for it (the statements say so); empty where nothing was excluded.
        self.exclusions: Mapping[tuple[str, str, str], Mapping[str, int]] = MappingProxyType(
            {key: MappingProxyType(dict(counts)) for key, counts in (exclusions or {}).items()})
        #: (survey, subject type, subject) → (invited, answered), where the provider knows
        #: the invitations (live campaigns; imported results do not): response rates.
        self.invitations: Mapping[tuple[str, str, str], tuple[int, int]] = MappingProxyType(
            dict(invitations or {}))
        self._by_key: dict[Key, SurveyAggregate] = {}
        for agg in aggregates:
            key = (agg.survey, agg.subject_type, agg.subject, agg.measure, agg.rater_group)
            if key in self._by_key:
                raise ValueError(f"duplicate survey aggregate {key}")
            self._by_key[key] = agg

    def __iter__(self) -> Iterator[SurveyAggregate]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(
        self, survey: str, subject_type: str, subject: str, measure: str, rater_group: str
    ) -> SurveyAggregate | None:
        return self._by_key.get((survey, subject_type, subject, measure, rater_group))

    def measure_table(
        self, survey: str, measure: str, *, subject_type: str, rater_group: str = GROUP_ALL
    ) -> MeasureTable:
        """Every subject's figures for one measure and rater group, column-wise."""
        return MeasureTable.from_aggregates(
            self.for_measure(survey, measure, subject_type=subject_type,
                             rater_group=rater_group).values())

    def for_measure(
        self, survey: str, measure: str, *, subject_type: str, rater_group: str = GROUP_ALL
    ) -> dict[str, SurveyAggregate]:
        """Subject code → aggregate, for one measure and rater group."""
        return {
            key[2]: agg
            for key, agg in self._by_key.items()
            if key[0] == survey
            and key[1] == subject_type
            and key[3] == measure
            and key[4] == rater_group
        }
