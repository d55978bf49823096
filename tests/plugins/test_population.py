"""population: the people scored and their own teams chosen column-wise, as the row by row
rules say (each checked against those rules written plainly, on random people: hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.metrics.context import PeriodInfo
from kamscore.metrics.context_rows import PersonRow, TeamMemberRow, TeamRow
from kamscore.metrics.population import kam_teams, people_columns, select_population
from kamscore.metrics.team_table import team_columns, team_member_columns

PERIOD = PeriodInfo("2026-Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
DAYS = st.one_of(st.none(), st.dates(dt.date(2025, 11, 1), dt.date(2026, 5, 31)))
CODES = st.sampled_from(["E1", "E10", "E2", "e1", "É3", "E 4", "Z", "A"])


def chosen_by_rows(people: list[PersonRow], roles: set[str]) -> list[tuple[str, int]]:
    """The rule in words: a role scored, role dates overlapping the period; by code."""
    out = []
    for p in sorted(people, key=lambda r: r.code):
        start = max(PERIOD.start, p.start_date or PERIOD.start)
        end = min(PERIOD.end, p.end_date or PERIOD.end)
        if str(p.role) in roles and (end - start).days + 1 > 0:
            out.append((p.code, (end - start).days + 1))
    return out


PERSON = st.builds(
    lambda code, role, start, end, salary: PersonRow(code, f"Name {code}", role,
                                                     base_salary=salary, start_date=start,
                                                     end_date=end),
    CODES, st.sampled_from(["kam", "manager", "msl"]), DAYS, DAYS,
    st.one_of(st.none(), st.integers(0, 90_000)))


@settings(max_examples=300, deadline=None)
@given(st.lists(PERSON, max_size=12, unique_by=lambda p: p.code),
       st.sets(st.sampled_from(["kam", "manager", "msl"]), min_size=1))
def test_the_population_is_who_the_rows_say(people, roles):
    kams, days = select_population(PERIOD, people_columns(people), sorted(roles))
    assert list(zip(kams.code.tolist(), days.tolist(), strict=True)) == chosen_by_rows(
        people, roles)
    by_code = {p.code: p for p in people}
    for i, code in enumerate(kams.code.tolist()):  # every column follows its row
        row = by_code[code]
        assert kams.name[i] == row.name and kams.role[i] == row.role
        salary = kams.base_salary[i]
        assert (np.isnan(salary) if row.base_salary is None else salary == row.base_salary)
        start = kams.start_date[i]
        assert (np.isnat(start) if row.start_date is None
                else start == np.datetime64(row.start_date, "D"))
    assert days.dtype == np.int64


def test_no_people_no_population():
    kams, days = select_population(PERIOD, people_columns([]), ["kam"])
    assert len(kams.code) == 0 and days.tolist() == []


def teams_by_rows(codes: list[str], teams: list[TeamRow],
                  members: list[TeamMemberRow]) -> list[str | None]:
    """The rule in words: the team he leads, else the first (by code) he serves as a KAM."""
    led: dict[str, str] = {}
    for team in sorted(teams, key=lambda t: t.code):
        if team.lead is not None:
            led.setdefault(team.lead, team.code)
    member_of: dict[str, str] = {}
    for m in sorted(members, key=lambda m: m.team):
        if str(m.function) == "kam":
            member_of.setdefault(m.person, m.team)
    return [led.get(c, member_of.get(c)) for c in codes]


TEAMS = st.sampled_from(["T1", "T10", "T2", "t1", "Ü"])
PEOPLE = st.sampled_from(["E1", "E2", "E3", "X9"])  # X9: not in the population


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEAMS, st.one_of(st.none(), PEOPLE)), max_size=6,
                unique_by=lambda t: t[0]),
       st.lists(st.tuples(TEAMS, PEOPLE, st.sampled_from(["kam", "msl", "marketing"])),
                max_size=12))
def test_each_kams_team_is_the_one_the_rows_say(teams, members):
    codes = ["E1", "E2", "E3"]
    team_rows = [TeamRow(code, f"Team {code}", lead) for code, lead in teams]
    member_rows = [TeamMemberRow(*m) for m in members]
    found = kam_teams(np.array(codes, dtype=object), team_columns(team_rows),
                      team_member_columns(member_rows))
    assert found.tolist() == teams_by_rows(codes, team_rows, member_rows)
