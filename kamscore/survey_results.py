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


class SurveyResults:
    """All survey aggregates of one period, indexed for whole-population look-ups."""

    def __init__(self, aggregates: Iterable[SurveyAggregate] = (), *, source: str) -> None:
        self.source = source  # e.g. "facts" or "surveys": shown in statements
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
