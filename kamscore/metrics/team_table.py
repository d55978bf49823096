"""``ctx.teams``: the teams and their members kept column-wise, each team's
:class:`~kamscore.metrics.context.TeamInfo` made when it is read.

At 100,000 KAMs a company has some 20,000 teams and 180,000 memberships; making a
``TeamMemberInfo`` for each whenever a context is loaded took longer than the rest of the
population, and most rulesets never read a team's members. A :class:`TeamTable` is a
read-only mapping of team code → ``TeamInfo`` like the dict it replaces (same keys in the
same order, equal to that dict), found by binary search in the sorted columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from kamscore.metrics.context import TeamInfo, TeamMemberInfo
from kamscore.metrics.context_rows import (
    TeamColumns,
    TeamMemberColumns,
    TeamMemberRow,
    TeamRow,
    object_column,
)
from kamscore.metrics.positions import sorted_positions, text_keys


def team_columns(rows: Iterable[Sequence[Any]]) -> TeamColumns:
    """Teams given as rows (``TeamRow`` order) as columns."""
    teams = [TeamRow(*r) for r in rows]
    return TeamColumns(code=object_column(t.code for t in teams),
                       name=object_column(t.name for t in teams),
                       lead=object_column(t.lead for t in teams))


def team_member_columns(rows: Iterable[Sequence[Any]]) -> TeamMemberColumns:
    """Team members given as rows (``TeamMemberRow`` order) as columns; functions as text."""
    members = [TeamMemberRow(*r) for r in rows]
    return TeamMemberColumns(team=object_column(m.team for m in members),
                             person=object_column(m.person for m in members),
                             function=object_column(str(m.function) for m in members))


class TeamTable(Mapping[str, TeamInfo]):
    """Team code → :class:`TeamInfo` (members sorted by person code), teams in code order."""

    def __init__(self, teams: TeamColumns, members: TeamMemberColumns) -> None:
        order = np.argsort(text_keys(teams.code), kind="stable")
        self._codes = teams.code[order]
        self._keys = text_keys(self._codes)
        self._names = teams.name[order]
        self._leads = teams.lead[order]
        team_keys = text_keys(members.team)
        by_team = np.lexsort((text_keys(members.person), team_keys))
        self._member_team = team_keys[by_team]
        self._member_person = members.person[by_team]
        self._member_function = members.function[by_team]

    def _position(self, code: object) -> int:
        if not isinstance(code, str) or not len(self._keys):
            return -1
        at = int(np.searchsorted(self._keys, code))
        return at if at < len(self._keys) and self._keys[at] == code else -1

    def __getitem__(self, code: str) -> TeamInfo:
        at = self._position(code)
        if at < 0:
            raise KeyError(code)
        first = int(np.searchsorted(self._member_team, code, side="left"))
        last = int(np.searchsorted(self._member_team, code, side="right"))
        members = tuple(TeamMemberInfo(person, str(function)) for person, function in zip(
            self._member_person[first:last].tolist(),
            self._member_function[first:last].tolist(), strict=True))
        return TeamInfo(code, self._names[at], self._leads[at], members)

    def __contains__(self, code: object) -> bool:
        return self._position(code) >= 0

    def has(self, codes: Sequence[Any] | np.ndarray) -> np.ndarray:
        """``code in self`` for each of ``codes``, as booleans, by one search for them all."""
        keys = np.asarray(codes, dtype=object)
        texts = np.array([isinstance(c, str) for c in keys.tolist()], dtype=bool)
        found = np.zeros(len(keys), dtype=bool)
        found[texts] = sorted_positions(self._keys, keys[texts]) >= 0
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes.tolist())

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return f"TeamTable({len(self)} teams, {len(self._member_team)} members)"


def known_teams(teams: Mapping[str, TeamInfo], codes: Sequence[Any]) -> np.ndarray:
    """For each of ``codes``, whether ``teams`` has it (at once for a :class:`TeamTable`)."""
    if isinstance(teams, TeamTable):
        return teams.has(codes)
    return np.array([code in teams for code in codes], dtype=bool)
