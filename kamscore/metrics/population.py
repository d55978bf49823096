"""The population of a period, chosen and ordered column-wise: no Python object per KAM.

:func:`select_population` keeps the people whose role is scored and whose role dates overlap
the period, sorted by code, with the days each held the role; :func:`kam_teams` finds each
KAM's own team. Both work on whole columns (:class:`PeopleColumns`,
:class:`~kamscore.metrics.context_rows.TeamColumns`,
:class:`~kamscore.metrics.context_rows.TeamMemberColumns`): at 100,000 KAMs building a named
tuple per person, sorting them with a key function and looking each up in dicts took longer
than all the arrays of the population together, and grew faster than the population.
Rows written by hand (tests) become columns first (:func:`people_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kamscore.metrics.context import PeriodInfo
from kamscore.metrics.context_rows import (
    PeopleColumns,
    PersonRow,
    TeamColumns,
    TeamMemberColumns,
    day_array,
    float_column,
    object_column,
)
from kamscore.metrics.positions import sorted_positions, text_keys


def people_columns(rows: Iterable[Sequence[Any]]) -> PeopleColumns:
    """People given as rows (``PersonRow`` order) as columns; roles as text."""
    people = [PersonRow(*r) for r in rows]
    return PeopleColumns(
        code=object_column(p.code for p in people),
        name=object_column(p.name for p in people),
        role=object_column(str(p.role) for p in people),
        grade=object_column(p.grade for p in people),
        base_salary=float_column(p.base_salary for p in people),
        currency=object_column(p.currency for p in people),
        manager=object_column(p.manager for p in people),
        start_date=day_array(p.start_date for p in people),
        end_date=day_array(p.end_date for p in people),
    )


def select_population(period: PeriodInfo, people: PeopleColumns, roles: Sequence[str]
                      ) -> tuple[PeopleColumns, np.ndarray]:
    """The people whose ``role`` is one of ``roles`` and whose role dates overlap the period,
    sorted by code (as Python sorts texts), and the period's days each held the role."""
    first_day = np.datetime64(period.start, "D")
    last_day = np.datetime64(period.end, "D")
    start = np.where(np.isnat(people.start_date), first_day,
                     np.maximum(people.start_date, first_day))
    end = np.where(np.isnat(people.end_date), last_day, np.minimum(people.end_date, last_day))
    days = (end - start).astype(np.int64) + 1
    wanted = np.array(sorted({str(r) for r in roles}), dtype=object)
    keep = np.isin(people.role, wanted) & (days > 0)
    order = np.argsort(text_keys(people.code), kind="stable")
    chosen = order[keep[order]]
    return PeopleColumns(*(column[chosen] for column in people)), days[chosen]


def kam_teams(codes: np.ndarray, teams: TeamColumns, members: TeamMemberColumns
              ) -> np.ndarray:
    """For each of ``codes`` (the population, sorted): the team he leads, else the first team
    (by code) where he serves in the "kam" function; None when neither."""
    out = np.full(len(codes), None, dtype=object)
    keys = text_keys(codes)
    serving = np.flatnonzero(members.function == "kam")
    # a member's team first, so that a lead's own team overwrites it below
    for team, person in ((members.team[serving], members.person[serving]),
                         (teams.code, teams.lead)):
        order = np.argsort(text_keys(team), kind="stable")
        at = sorted_positions(keys, person[order])
        found = at >= 0
        # the first team by code of each person: np.unique returns each value's first index
        positions, first = np.unique(at[found], return_index=True)
        out[positions] = team[order][found][first]
    return out
