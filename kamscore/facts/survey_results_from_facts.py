"""kamscore's default ``kamscore_survey_results``: survey results built from imported facts.

Until the surveys capability has results for a period (it answers first, ``tryfirst``),
qualitative and team metrics read survey aggregates that were imported as facts named
``survey.<measure>.<group>.<stat>`` (docs/plugins.md, "Survey results from facts") — those of
the period, else those of the shortest period containing it (an annual survey in a quarter):

- a fact about an **account** is a result of the customer survey (:data:`ACCOUNT_SURVEY`);
- a fact about a **person** is a result of the 360° survey (:data:`PERSON_SURVEY`) about
  that person (subject type ``kam``);
- ``stat`` is ``n``, ``mean``, ``sd``, ``min``, ``max`` or ``count.<answer>``.

The results are kept column-wise (one :class:`~kamscore.metrics.survey_results.MeasureTable` per
measure and rater group), so 10,000 KAMs' accounts cost arrays, not a quarter of a million
objects; aggregates are made on demand. A fixed number of queries per load (the periods, the
names, one per name), whatever the population. Malformed survey facts are an error naming
the fact (never silently skipped: a CSAT that quietly lost half its answers would pay wrongly).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.db.column_reads import code_lookup, id_lookup, object_array
from kamscore.facts.columns import fact_names, iter_fact_columns
from kamscore.facts.table_snapshots import read_table
from kamscore.hookspecs import hookimpl
from kamscore.metrics.survey_results import (
    GROUP_ALL,
    SUBJECT_ACCOUNT,
    SUBJECT_KAM,
    MeasureTable,
    SurveyAggregate,
    SurveyResults,
)
from kamscore.models import Period, Person

PREFIX = "survey."
ACCOUNT_SURVEY = "customer_satisfaction"
PERSON_SURVEY = "internal_360"
SOURCE = "facts"
_SCALAR_STATS = ("n", "mean", "sd", "min", "max")
_SURVEY_OF = {SUBJECT_ACCOUNT: ACCOUNT_SURVEY, SUBJECT_KAM: PERSON_SURVEY}

TableKey = tuple[str, str, str, str]  # survey, subject_type, measure, rater_group


class SurveyFactError(ValueError):
    """A ``survey.*`` fact that cannot be read; the message names it."""


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


class FactSurveyResults(SurveyResults):
    """Survey results held as measure tables; ``SurveyAggregate`` objects made on demand."""

    def __init__(self, tables: Mapping[TableKey, MeasureTable], *, source: str) -> None:
        super().__init__((), source=source)
        self._tables = dict(sorted(tables.items()))

    def measure_table(self, survey: str, measure: str, *, subject_type: str,
                      rater_group: str = GROUP_ALL) -> MeasureTable:
        found = self._tables.get((survey, subject_type, measure, rater_group))
        return found if found is not None else MeasureTable.from_aggregates(())

    def for_measure(self, survey: str, measure: str, *, subject_type: str,
                    rater_group: str = GROUP_ALL) -> dict[str, SurveyAggregate]:
        key = (survey, subject_type, measure, rater_group)
        table = self._tables.get(key)
        if table is None:
            return {}
        return {table.subjects[i]: _aggregate(key, table, i) for i in range(len(table))}

    def get(self, survey: str, subject_type: str, subject: str, measure: str,
            rater_group: str) -> SurveyAggregate | None:
        key = (survey, subject_type, measure, rater_group)
        table = self._tables.get(key)
        if table is None:
            return None
        i = int(np.searchsorted(table.subjects.astype(str), subject))
        if i < len(table) and table.subjects[i] == subject:
            return _aggregate(key, table, i)
        return None

    def __iter__(self) -> Iterator[SurveyAggregate]:
        for key, table in self._tables.items():
            for i in range(len(table)):
                yield _aggregate(key, table, i)

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables.values())


def _aggregate(key: TableKey, table: MeasureTable, i: int) -> SurveyAggregate:
    survey, subject_type, measure, group = key

    def opt(value: float) -> float | None:
        return None if np.isnan(value) else float(value)

    histogram = ({int(a): int(c) for a, c in zip(table.answers, table.counts[i], strict=True)
                  if c} if table.has_histogram[i] else {})
    return SurveyAggregate(
        survey=survey, subject_type=subject_type, subject=table.subjects[i], measure=measure,
        rater_group=group, n=int(table.n[i]), mean=opt(table.mean[i]), sd=opt(table.sd[i]),
        scale_min=None if np.isnan(table.scale_min[i]) else int(table.scale_min[i]),
        scale_max=None if np.isnan(table.scale_max[i]) else int(table.scale_max[i]),
        histogram=MappingProxyType(histogram),
    )


class _Stat:
    """The rows of one fact name: subjects (ranks in their codes' sorted order) and values."""

    def __init__(self, name: str, ranks: np.ndarray, values: np.ndarray) -> None:
        self.name, self.ranks, self.values = name, ranks, values


def results_from_columns(
    by_name: Mapping[str, tuple[list, list, list]], *, source: str = SOURCE,
    minimum: int = 1,
) -> FactSurveyResults:
    """Survey results from the rows of each ``survey.*`` fact name: ``{name: (values,
    account codes, person codes)}``, one entry per row. Groups of fewer than ``minimum``
    respondents are left out (checked first: a malformed fact is an error either way)."""
    account_codes, accounts = _ranked({n: object_array(c[1]) for n, c in by_name.items()})
    person_codes, persons = _ranked({n: object_array(c[2]) for n, c in by_name.items()})
    return results_from_ranks(
        {name: (values, accounts[name], persons[name])
         for name, (values, _, _) in by_name.items()},
        account_codes, person_codes, source=source, minimum=minimum)


def _ranked(columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The distinct codes of ``columns`` sorted, and each column as ranks in them (-1 for
    None)."""
    present = {name: column != None for name, column in columns.items()}  # noqa: E711
    texts = {name: column[present[name]].astype(str) for name, column in columns.items()}
    codes = (np.unique(np.concatenate(list(texts.values()))) if texts
             else np.empty(0, dtype=str))
    ranks = {}
    for name, column in columns.items():
        rank = np.full(len(column), -1, dtype=np.int64)
        rank[present[name]] = np.searchsorted(codes, texts[name])
        ranks[name] = rank
    return codes, ranks


def results_from_ranks(
    by_name: Mapping[str, tuple[Any, np.ndarray, np.ndarray]]
    | Iterable[tuple[str, tuple[Any, np.ndarray, np.ndarray]]],
    account_codes: np.ndarray, person_codes: np.ndarray, *, source: str = SOURCE,
    minimum: int = 1, names: Iterable[str] | None = None,
) -> FactSurveyResults:
    """:func:`results_from_columns` with the subjects given as ranks: ``{name: (values,
    account ranks, person ranks)}``, a rank indexing ``account_codes`` / ``person_codes``
    (sorted, distinct) and -1 for none. Integers all the way: no text compared. ``by_name``
    may also be an iterable of ``(name, columns)`` in name order, read one at a time (only
    the facts each name keeps are held, not every name's columns at once); ``names``, every
    name it may give, lets each measure's tables be made as soon as its last name is read
    (at 100,000 KAMs the facts of every measure at once are 150 MB)."""
    parts: dict[TableKey, dict[str, list[_Stat]]] = {}
    tables: dict[TableKey, MeasureTable] = {}
    codes_of = {SUBJECT_ACCOUNT: account_codes, SUBJECT_KAM: person_codes}
    if isinstance(by_name, Mapping):
        items: Iterable[tuple[str, tuple[Any, np.ndarray, np.ndarray]]] = sorted(by_name.items())
        names = list(by_name)
    else:
        items = by_name
    last = _last_names(names) if names is not None else {}

    done: set[tuple[str, str]] = set()

    def made(measure: str, group: str) -> None:
        done.add((measure, group))
        for key in [k for k in parts if k[2:] == (measure, group)]:
            tables[key] = _reportable(_table(key, parts.pop(key), codes_of[key[1]]), minimum)

    for name, (values, accounts, persons) in items:
        measure, group, stat, answer = parse_name(name)
        if (measure, group) in done:  # its tables are made: never lose facts silently
            raise ValueError(f"survey fact {name!r} read after its measure's last name")
        value = np.array(values, dtype=float)  # None → NaN
        if np.isnan(value).any():
            raise SurveyFactError(f"fact {name!r} has no numeric value")
        account = accounts >= 0
        person = persons >= 0
        if (account == person).any():
            raise SurveyFactError(f"fact {name!r} must be about an account or a person "
                                  "(not both, not a team)")
        if stat == "count" and ((value < 0) | (value != np.round(value))).any():
            raise SurveyFactError(f"fact {name!r}: a count must be a whole number >= 0")
        for subject_type, mask, ranks in ((SUBJECT_ACCOUNT, account, accounts),
                                          (SUBJECT_KAM, person, persons)):
            if not mask.any():
                continue
            key = (_SURVEY_OF[subject_type], subject_type, measure, group)
            label = stat if answer is None else f"count.{answer}"
            parts.setdefault(key, {}).setdefault(label, []).append(
                _Stat(name, ranks[mask], value[mask]))
        del values, accounts, persons, value, account, person
        if last.get((measure, group)) == name:
            made(measure, group)
    for key in list(parts):
        made(*key[2:])
    return FactSurveyResults(tables, source=source)


def _last_names(names: Iterable[str]) -> dict[tuple[str, str], str]:
    """Per (measure, group), the last of ``names`` in name order that belongs to it."""
    last: dict[tuple[str, str], str] = {}
    for name in sorted(set(names)):
        try:
            measure, group, _, _ = parse_name(name)
        except SurveyFactError:
            continue  # reported when read
        last[(measure, group)] = name
    return last


def _reportable(table: MeasureTable, minimum: int) -> MeasureTable:
    """The rows of ``table`` whose group has at least ``minimum`` respondents."""
    keep = table.n >= minimum
    if keep.all():
        return table
    return MeasureTable(subjects=table.subjects[keep], n=table.n[keep], mean=table.mean[keep],
                        sd=table.sd[keep], scale_min=table.scale_min[keep],
                        scale_max=table.scale_max[keep], answers=table.answers,
                        counts=table.counts[keep], has_histogram=table.has_histogram[keep])


def _table(key: TableKey, stats: Mapping[str, list[_Stat]], codes: np.ndarray) -> MeasureTable:
    _survey, subject_type, measure, group = key
    seen = np.zeros(len(codes), dtype=bool)  # the ranks present, sorted, without a sort
    for ss in stats.values():
        for stat in ss:
            seen[stat.ranks] = True
    ranks = np.flatnonzero(seen)
    subjects = codes[ranks]  # sorted by code
    size = len(ranks)
    # each rank's row among those present, read by gathering (a binary search of 750,000
    # ranks among 750,000 at 100,000 KAMs missed the caches at every step)
    row_of_rank = np.cumsum(seen) - 1

    def column(label: str, fill: float = np.nan) -> np.ndarray:
        out = np.full(size, fill)
        for stat in stats.get(label, ()):
            rows = row_of_rank[stat.ranks]
            if (np.bincount(rows, minlength=size) > 1).any():
                raise SurveyFactError(f"fact {stat.name!r} appears twice for one "
                                      f"{subject_type} (survey facts are not per product)")
            out[rows] = stat.values
        return out

    answers = np.array(sorted(int(label[6:]) for label in stats if label.startswith("count.")),
                       dtype=np.int64)
    counts = np.stack([column(f"count.{a}", 0.0) for a in answers], axis=1) if len(answers) \
        else np.zeros((size, 0))
    has_histogram = np.zeros(size, dtype=bool)
    for a in answers:
        for stat in stats[f"count.{a}"]:
            has_histogram[row_of_rank[stat.ranks]] = True
    counted = counts.sum(axis=1)
    n = column("n")
    label = f"survey.{measure}.{group}"
    bad = ~np.isnan(n) & ((n < 0) | (n != np.round(n)))
    if bad.any():
        raise SurveyFactError(f"{label}.n about {subject_type} {subjects[bad][0]}: n must be "
                              "a whole number >= 0")
    clash = has_histogram & ~np.isnan(n) & (counted != n)
    if clash.any():
        i = int(np.flatnonzero(clash)[0])
        raise SurveyFactError(f"{label} about {subject_type} {subjects[i]}: n is {int(n[i])} "
                              f"but the counts add up to {int(counted[i])}")
    missing = np.isnan(n) & ~has_histogram
    if missing.any():
        raise SurveyFactError(f"{label} about {subject_type} {subjects[missing][0]}: give n or "
                              "the counts per answer")
    n = np.where(np.isnan(n), counted, n).astype(np.int64)
    mean = column("mean")
    from_counts = np.isnan(mean) & has_histogram & (counted > 0)
    if from_counts.any():
        mean[from_counts] = (counts[from_counts] @ answers) / counted[from_counts]
    if subjects.dtype == object:  # the codes' own strings, gathered once
        objects = subjects
    else:
        objects = np.empty(size, dtype=object)
        objects[:] = subjects.tolist()
    return MeasureTable(subjects=objects, n=n, mean=mean, sd=column("sd"),
                        scale_min=column("min"), scale_max=column("max"), answers=answers,
                        counts=counts.astype(np.int64), has_histogram=has_histogram)


def survey_results_from_facts(
    rows: Iterable[tuple[str, float | None, str | None, str | None]],
) -> FactSurveyResults:
    """Build survey results from ``(fact name, value, account code, person code)`` rows."""
    by_name: dict[str, tuple[list, list, list]] = {}
    for name, value, account, person in rows:
        values, accounts, persons = by_name.setdefault(name, ([], [], []))
        values.append(value)
        accounts.append(account)
        persons.append(person)
    return results_from_columns(by_name)


def load_survey_facts(session: Session, period: Period,
                      measures: frozenset[str] | None = None, *,
                      minimum: int = 1) -> SurveyResults:
    """The survey results in force in ``period``, from ``survey.*`` facts (of ``measures``
    only, unless None), without the groups of fewer than ``minimum`` respondents.

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
    present = [(pid, n) for pid, n in fact_names(session, list(periods))
               if n.startswith(PREFIX)]
    if not present:
        return FactSurveyResults({}, source=f"{SOURCE} {period.code}")
    chosen = min({pid for pid, _ in present}, key=lambda pid: periods[pid])
    accounts = read_table(session, "account", ("id", "code"))  # its snapshot: no rows read
    account_codes, account_rank = _rank_lookup(id_lookup(accounts["id"], accounts["code"],
                                                         None))
    person_codes, person_rank = _rank_lookup(code_lookup(session, Person.__table__))
    wanted = [n for pid, n in present if pid == chosen and _wanted(n, measures)]
    by_name = ((name, (raw.value, account_rank[raw.account], person_rank[raw.person]))
               for name, raw in iter_fact_columns(session, chosen, wanted))  # one at a time
    return results_from_ranks(by_name, account_codes, person_codes,
                              source=f"{SOURCE} {periods[chosen][1]}", minimum=minimum,
                              names=wanted)


def _rank_lookup(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From ``code[id]`` (None for no row): the codes sorted, and ``rank[id]`` = the
    position of the id's code in them (-1 for none). The codes sorted are ``code``'s own
    objects: the results' subjects share them (not 900,000 new strings at 100,000 KAMs)."""
    ids = np.flatnonzero(code != None)  # noqa: E711
    order = np.argsort(code[ids].astype(str), kind="stable")
    rank = np.full(len(code), -1, dtype=np.int32)  # 4 bytes a survey fact, not 8
    rank[ids[order]] = np.arange(len(ids), dtype=np.int32)
    return code[ids[order]], rank


def _wanted(name: str, measures: frozenset[str] | None) -> bool:
    """Whether to read the ``survey.*`` fact ``name``: its measure is wanted, or the name is
    malformed (it is read, and ``parse_name`` reports it)."""
    if measures is None:
        return True
    try:
        return parse_name(name)[0] in measures
    except SurveyFactError:
        return True


@hookimpl(trylast=True)
def kamscore_survey_results(session: Session, period: Period, measures: frozenset[str] | None,
                            settings: Mapping[str, Any]) -> SurveyResults:
    """Survey results from imported facts: the fallback when no other provider answers.
    Groups under ``SURVEY_MIN_GROUP`` respondents are left out, as for live campaigns: a
    metric of such a subject is "no data" (too few responses)."""
    return load_survey_facts(session, period, measures,
                             minimum=int(settings.get("SURVEY_MIN_GROUP", 3)))
