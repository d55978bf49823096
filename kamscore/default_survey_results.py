"""kamscore's default ``kamscore_survey_results``: survey results built from imported facts.

Until the surveys capability has results for a period (it answers first, ``tryfirst``),
qualitative and team metrics read survey aggregates that were imported as facts named
``survey.<measure>.<group>.<stat>`` (docs/plugins.md, "Survey results from facts") — those of
the period, else those of the shortest period containing it (an annual survey in a quarter):

- a fact about an **account** is a result of the customer survey (:data:`ACCOUNT_SURVEY`);
- a fact about a **person** is a result of the 360° survey (:data:`PERSON_SURVEY`) about
  that person (subject type ``kam``);
- ``stat`` is ``n``, ``mean``, ``sd``, ``min``, ``max`` or ``count.<answer>``.

Two queries per load, whatever the population. Malformed survey facts are an error naming the
fact (never silently skipped: a CSAT that quietly lost half its answers would pay wrongly).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from .hookspecs import hookimpl
from .models import Account, Fact, Period, Person
from .survey_results import SUBJECT_ACCOUNT, SUBJECT_KAM, SurveyAggregate, SurveyResults

PREFIX = "survey."
ACCOUNT_SURVEY = "customer_satisfaction"
PERSON_SURVEY = "internal_360"
SOURCE = "facts"
_SCALAR_STATS = ("n", "mean", "sd", "min", "max")


class SurveyFactError(ValueError):
    """A ``survey.*`` fact that cannot be read; the message names it."""


@dataclass
class _Parts:
    stats: dict[str, float] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)


def parse_name(name: str) -> tuple[str, str, str, int | None]:
    """``survey.<measure>.<group>.<stat>`` → (measure, group, stat, answer for counts)."""
    parts = name.split(".")
    if parts[0] + "." != PREFIX:
        raise SurveyFactError(f"fact {name!r} does not start with {PREFIX!r}")
    if len(parts) >= 5 and parts[-2] == "count":
        try:
            answer = int(parts[-1])
        except ValueError:
            raise SurveyFactError(f"fact {name!r}: the answer after 'count.' must be a "
                                  "whole number") from None
        measure, group = ".".join(parts[1:-3]), parts[-3]
        return measure, group, "count", answer
    if len(parts) >= 4 and parts[-1] in _SCALAR_STATS:
        return ".".join(parts[1:-2]), parts[-2], parts[-1], None
    raise SurveyFactError(
        f"fact {name!r} must be named survey.<measure>.<group>.<stat> with stat one of "
        f"{', '.join(_SCALAR_STATS)} or count.<answer>")


def survey_results_from_facts(
    rows: Iterable[tuple[str, float | None, str | None, str | None]],
) -> SurveyResults:
    """Build survey results from ``(fact name, value, account code, person code)`` rows."""
    grouped: dict[tuple[str, str, str, str, str], _Parts] = {}
    for name, value, account, person in rows:
        measure, group, stat, answer = parse_name(name)
        if value is None:
            raise SurveyFactError(f"fact {name!r} has no numeric value")
        if account is not None and person is None:
            key = (ACCOUNT_SURVEY, SUBJECT_ACCOUNT, account, measure, group)
        elif person is not None and account is None:
            key = (PERSON_SURVEY, SUBJECT_KAM, person, measure, group)
        else:
            raise SurveyFactError(f"fact {name!r} must be about an account or a person "
                                  "(not both, not a team)")
        parts = grouped.setdefault(key, _Parts())
        if stat == "count":
            assert answer is not None
            if value < 0 or value != int(value):
                raise SurveyFactError(f"fact {name!r}: a count must be a whole number >= 0")
            parts.counts[answer] = int(value)
        else:
            parts.stats[stat] = float(value)
    return SurveyResults((_aggregate(key, parts) for key, parts in sorted(grouped.items())),
                         source=SOURCE)


def _aggregate(key: tuple[str, str, str, str, str], parts: _Parts) -> SurveyAggregate:
    survey, subject_type, subject, measure, group = key
    label = f"survey.{measure}.{group} about {subject_type} {subject}"
    counted = sum(parts.counts.values())
    if "n" in parts.stats:
        n = parts.stats["n"]
        if n < 0 or n != int(n):
            raise SurveyFactError(f"{label}: n must be a whole number >= 0")
        if parts.counts and counted != int(n):
            raise SurveyFactError(f"{label}: n is {int(n)} but the counts add up to {counted}")
        n = int(n)
    elif parts.counts:
        n = counted
    else:
        raise SurveyFactError(f"{label}: give n or the counts per answer")
    mean = parts.stats.get("mean")
    if mean is None and parts.counts and counted:
        mean = sum(a * c for a, c in parts.counts.items()) / counted
    scale = [parts.stats.get(s) for s in ("min", "max")]
    return SurveyAggregate(
        survey=survey, subject_type=subject_type, subject=subject, measure=measure,
        rater_group=group, n=n, mean=mean, sd=parts.stats.get("sd"),
        scale_min=None if scale[0] is None else int(scale[0]),
        scale_max=None if scale[1] is None else int(scale[1]),
        histogram=MappingProxyType(dict(sorted(parts.counts.items()))),
    )


def load_survey_facts(session: Session, period: Period) -> SurveyResults:
    """The survey results in force in ``period``, from ``survey.*`` facts (two queries).

    Those of the period itself, else those of the shortest period containing it that has
    any: surveys often run once a year, and the year's results then stand for each of its
    quarters. ``source`` names the period they come from (``facts 2025``).
    """
    periods = {
        pid: ((end - start).days, code)
        for pid, code, start, end in session.execute(
            select(Period.id, Period.code, Period.start_date, Period.end_date).where(
                Period.start_date <= period.start_date, Period.end_date >= period.end_date))
    }
    account, person = aliased(Account), aliased(Person)
    rows = session.execute(
        select(Fact.period_id, Fact.name, Fact.value, account.code, person.code)
        .outerjoin(account, Fact.account_id == account.id)
        .outerjoin(person, Fact.person_id == person.id)
        .where(Fact.period_id.in_(list(periods)),
               Fact.name.startswith(PREFIX, autoescape=True))
    ).all()
    if not rows:
        return SurveyResults(source=f"{SOURCE} {period.code}")
    chosen = min({row[0] for row in rows}, key=lambda pid: periods[pid])
    results = survey_results_from_facts(row[1:] for row in rows if row[0] == chosen)
    return SurveyResults(results, source=f"{SOURCE} {periods[chosen][1]}")


@hookimpl(trylast=True)
def kamscore_survey_results(session: Session, period: Period) -> SurveyResults:
    """Survey results from imported facts: the fallback when no other provider answers."""
    return load_survey_facts(session, period)
