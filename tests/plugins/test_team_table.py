"""TeamTable: ctx.teams kept column-wise reads as the dict of TeamInfo it replaces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.metrics.context import TeamInfo, TeamMemberInfo
from kamscore.metrics.context_rows import TeamMemberRow, TeamRow
from kamscore.metrics.team_table import (
    TeamTable,
    known_teams,
    team_columns,
    team_member_columns,
)


def dict_by_rows(teams: list[TeamRow], members: list[TeamMemberRow]) -> dict[str, TeamInfo]:
    """What ctx.teams was: teams by code, each with its members sorted by person code."""
    by_team: dict[str, list[TeamMemberInfo]] = {}
    for m in sorted(members, key=lambda m: (m.team, m.person)):
        by_team.setdefault(m.team, []).append(TeamMemberInfo(m.person, str(m.function)))
    return {t.code: TeamInfo(t.code, t.name, t.lead, tuple(by_team.get(t.code, ())))
            for t in sorted(teams, key=lambda t: t.code)}


def table(teams: list[TeamRow], members: list[TeamMemberRow]) -> TeamTable:
    return TeamTable(team_columns(teams), team_member_columns(members))


TEAMS = st.sampled_from(["T1", "T10", "T2", "t1", "Ü", "T 3"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEAMS, st.one_of(st.none(), st.sampled_from(["E1", "E2"]))),
                max_size=5, unique_by=lambda t: t[0]),
       st.lists(st.tuples(TEAMS, st.sampled_from(["E1", "E10", "E2", "e1"]),
                          st.sampled_from(["kam", "msl"])), max_size=12))
def test_reads_as_the_dict_it_replaces(teams, members):
    team_rows = [TeamRow(code, f"Team {code}", lead) for code, lead in teams]
    member_rows = [TeamMemberRow(*m) for m in members]
    expected = dict_by_rows(team_rows, member_rows)
    found = table(team_rows, member_rows)
    assert found == expected and list(found) == list(expected) and len(found) == len(expected)
    for code, info in expected.items():
        assert code in found and found[code] == info
        assert found.get(code) == info


def test_a_team_not_there_is_not_there():
    found = table([TeamRow("T1", "One", "E1")], [TeamMemberRow("T9", "E2", "kam")])
    assert "T9" not in found and None not in found and 7 not in found
    with pytest.raises(KeyError):
        found["T9"]
    assert found.get("T9") is None
    assert found["T1"] == TeamInfo("T1", "One", "E1", ())
    empty = table([], [])
    assert len(empty) == 0 and "T1" not in empty and list(empty) == []


def test_which_codes_are_teams_at_once_as_one_by_one():
    found = table([TeamRow("T1"), TeamRow("T10"), TeamRow("Ü")], [])
    codes = ["T1", "T2", None, 7, "Ü", "t1", "T10", ""]
    expected = [code in found for code in codes]
    assert expected == [True, False, False, False, True, False, True, False]
    assert found.has(codes).tolist() == expected
    assert known_teams(found, codes).tolist() == expected
    assert known_teams(dict.fromkeys(["T1", "Ü"]), codes).tolist() == [
        True, False, False, False, True, False, False, False]
    assert found.has([]).tolist() == [] and table([], []).has(["T1"]).tolist() == [False]
