"""Which facts and survey measures a computation reads, so a score run loads only those.

A period of the 10,000-KAM demo holds about 1.5 million facts under a dozen names, and half a
million survey results; a ruleset typically reads two thirds of them. Each metric declares
the fact names its ``compute`` reads (``Metric.facts`` and ``Metric.previous_facts``) and the
survey measures (``Metric.survey_measures``), or overrides ``Metric.fact_needs(params)`` when
they depend on the parameters; the score run loads the union over its components, plus what
the context itself needs (:data:`kamscore.metrics.assemble.FOCUS_FACT`) and the ruleset's
declared attributes.

A metric that does not declare them (``None``, the default) still works: every fact (or every
survey measure) of the period is then loaded. A metric that declares them sees *only* those:
reading another one raises :class:`UndeclaredFactError`, whatever other metrics of the run
loaded, so a missing declaration fails at once and always — never as a silent "no data".

Pure: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from kamscore.metrics.survey_results import GROUP_ALL, MeasureTable, SurveyAggregate, SurveyResults


class UndeclaredFactError(LookupError):
    """A fact (or survey measure) was read that the metric or the loaded context does not
    cover."""

    def __init__(self, name: str, scope: Collection[str], *, previous: bool = False,
                 survey: bool = False) -> None:
        where, thing, attribute = (
            ("ctx.survey_results", "survey measure", "survey_measures") if survey
            else ("ctx.previous_facts", "fact", "previous_facts") if previous
            else ("ctx.facts", "fact", "facts"))
        declared = ", ".join(sorted(scope)) or "none"
        super().__init__(
            f"{thing} {name!r} was read from {where} but is not among the {thing}s declared "
            f"for it ({declared}): add it to the metric's {attribute} (or fact_needs) so "
            "runs load it")
        self.name = name


def _names(names: Collection[str] | None, what: str) -> frozenset[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"{what} must be a collection of fact names, not the string {names!r}")
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise TypeError(f"{what} must hold fact names (non-empty strings), not {bad[0]!r}")
    return frozenset(names)


@dataclass(frozen=True)
class FactNeeds:
    """Fact names read from the period (``current``) and from the same period a year earlier
    (``previous``), and survey measures read from ``ctx.survey_results`` (``surveys``, e.g.
    ``overall_satisfaction``). ``None`` means "not declared": every one of that kind."""

    current: frozenset[str] | None = frozenset()
    previous: frozenset[str] | None = frozenset()
    surveys: frozenset[str] | None = frozenset()

    @classmethod
    def of(cls, current: Collection[str] | None = (), previous: Collection[str] | None = (),
           surveys: Collection[str] | None = ()) -> FactNeeds:
        """Needs from any collections of names (checked: a bare string is an error)."""
        return cls(_names(current, "facts"), _names(previous, "previous_facts"),
                   _names(surveys, "survey_measures"))

    @classmethod
    def everything(cls) -> FactNeeds:
        """Every fact of both periods and every survey measure (an undeclared metric)."""
        return cls(None, None, None)

    def _parts(self) -> tuple[frozenset[str] | None, ...]:
        return (self.current, self.previous, self.surveys)

    def union(self, other: FactNeeds) -> FactNeeds:
        return FactNeeds(*(_union(a, b) for a, b in zip(self._parts(), other._parts(),
                                                        strict=True)))

    def covers(self, other: FactNeeds) -> bool:
        """Whether a context loaded for these needs can serve ``other``."""
        return all(_covers(a, b) for a, b in zip(self._parts(), other._parts(), strict=True))

    def describe(self) -> dict[str, list[str] | None]:
        """Plain data for logs and benchmarks: sorted names, None for "all"."""
        return {key: None if names is None else sorted(names) for key, names in
                zip(("facts", "previous_facts", "survey_measures"), self._parts(),
                    strict=True)}


def _union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return None if a is None or b is None else a | b


def _covers(have: frozenset[str] | None, want: frozenset[str] | None) -> bool:
    return have is None or (want is not None and want <= have)


class ScopedSurveyResults(SurveyResults):
    """Survey results of which only the measures in ``scope`` may be read; reading another
    raises :class:`UndeclaredFactError` rather than finding no results."""

    def __init__(self, inner: SurveyResults, scope: frozenset[str]) -> None:
        super().__init__((), source=inner.source)
        self.inner = inner.inner if isinstance(inner, ScopedSurveyResults) else inner
        self.exclusions = self.inner.exclusions
        self.invitations = self.inner.invitations
        self.scope = scope & inner.scope if isinstance(inner, ScopedSurveyResults) else scope

    def _check(self, measure: str) -> None:
        if measure not in self.scope:
            raise UndeclaredFactError(measure, self.scope, survey=True)

    def get(self, survey: str, subject_type: str, subject: str, measure: str,
            rater_group: str) -> SurveyAggregate | None:
        self._check(measure)
        return self.inner.get(survey, subject_type, subject, measure, rater_group)

    def measure_table(self, survey: str, measure: str, *, subject_type: str,
                      rater_group: str = GROUP_ALL) -> MeasureTable:
        self._check(measure)
        return self.inner.measure_table(survey, measure, subject_type=subject_type,
                                        rater_group=rater_group)

    def for_measure(self, survey: str, measure: str, *, subject_type: str,
                    rater_group: str = GROUP_ALL) -> dict[str, SurveyAggregate]:
        self._check(measure)
        return self.inner.for_measure(survey, measure, subject_type=subject_type,
                                      rater_group=rater_group)

    def __iter__(self) -> Iterator[SurveyAggregate]:
        return (a for a in self.inner if a.measure in self.scope)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def scoped_survey_results(results: SurveyResults, scope: frozenset[str] | None
                          ) -> SurveyResults:
    """``results`` as a reader limited to ``scope`` sees them (``None``: unchanged)."""
    return results if scope is None else ScopedSurveyResults(results, scope)
