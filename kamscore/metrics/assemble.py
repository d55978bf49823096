"""Rows → :class:`MetricContext`: the derivations shared by the loader and by tests.

The loader (``kamscore.scoring.context_loader``) fetches rows with a fixed number of queries
and calls :func:`assemble_context`; tests call it with rows written by hand. Either way the
population, the credit weights, the primary segment and the focus product are derived by the
same code.

Row types (:mod:`kamscore.metrics.context_rows`, importable from here too) are named tuples so
the loader can pass query rows positionally and tests can write
``FactRow("net_sales", account="A1", product="P1", value=100.0)``; the primary segment and the
focus product are derived in :mod:`kamscore.metrics.kam_profile`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from kamscore.metrics.context import (
    AccountPlans,
    Accounts,
    Actions,
    Assignments,
    MetricContext,
    Objectives,
    PeriodInfo,
    Population,
    Stakeholders,
)
from kamscore.metrics.context_rows import (
    AccountRow,
    ActionRow,
    AssignmentColumns,
    AssignmentRow,
    FactRow,
    ObjectiveRow,
    PeopleColumns,
    PersonRow,
    PlanColumns,
    PlanRow,
    StakeholderRow,
    TeamColumns,
    TeamMemberColumns,
    TeamMemberRow,
    TeamRow,
    day_array,
    float_column,
    object_column,
)
from kamscore.metrics.fact_table import FactTable
from kamscore.metrics.kam_profile import FOCUS_FACT, focus_products, primary_segments
from kamscore.metrics.needs import FactNeeds
from kamscore.metrics.population import kam_teams, people_columns, select_population
from kamscore.metrics.positions import index_of, positions_of, sorted_positions
from kamscore.metrics.survey_results import SurveyResults
from kamscore.metrics.team_table import TeamTable, team_columns, team_member_columns

#: The row types, importable from here too (tests write rows by hand).
__all__ = [
    "CONTEXT_NEEDS", "AccountRow", "ActionRow", "AssignmentColumns", "AssignmentRow",
    "FactRow", "ObjectiveRow", "PeopleColumns", "PersonRow", "PlanColumns", "PlanRow",
    "StakeholderRow", "TeamColumns", "TeamMemberColumns", "TeamMemberRow", "TeamRow",
    "assemble_context", "assignment_columns", "day_array", "fact_table_from_rows",
]

#: The facts the context itself reads, whatever the metrics declare.
CONTEXT_NEEDS = FactNeeds.of((FOCUS_FACT,), ())


def assemble_context(
    period: PeriodInfo,
    *,
    people: Iterable[Sequence[Any]] | PeopleColumns,
    accounts: Iterable[Sequence[Any]] | Accounts = (),
    assignments: Iterable[Sequence[Any]] | AssignmentColumns = (),
    facts: Iterable[Sequence[Any]] | FactTable = (),
    previous_year: PeriodInfo | None = None,
    previous_facts: Iterable[Sequence[Any]] | FactTable = (),
    plans: Iterable[Sequence[Any]] | PlanColumns = (),
    objectives: Iterable[Sequence[Any]] | Objectives = (),
    actions: Iterable[Sequence[Any]] | Actions = (),
    stakeholders: Iterable[Sequence[Any]] | Stakeholders = (),
    teams: Iterable[Sequence[Any]] | TeamColumns = (),
    team_members: Iterable[Sequence[Any]] | TeamMemberColumns = (),
    product_phases: Mapping[str, str] | None = None,
    survey_results: SurveyResults | None = None,
    roles: Sequence[str] = ("kam",),
) -> MetricContext:
    """Build a context from rows (tuples in the order of the ``*Row`` types above).

    For speed on large populations the loader may pass ``people`` as :class:`PeopleColumns`,
    ``teams`` and ``team_members`` as :class:`TeamColumns` and :class:`TeamMemberColumns`,
    ``accounts`` as :class:`Accounts`
    (sorted by code), ``assignments`` as :class:`AssignmentColumns`, ``facts`` and
    ``previous_facts`` as
    a :class:`FactTable`, ``stakeholders`` as :class:`Stakeholders` (account indices into
    the accounts sorted by code), ``plans`` as :class:`PlanColumns`, and
    ``objectives``/``actions`` as :class:`Objectives` / :class:`Actions` whose ``plan``
    indexes the ``plans`` rows as given.

    The population is every person whose ``role`` is in ``roles`` and whose role dates
    overlap the period. Rows about people or accounts outside it are ignored where they
    cannot matter (assignments of other people) and kept where they can (facts).
    """
    account_table = (accounts if isinstance(accounts, Accounts)
                     else _accounts([AccountRow(*r) for r in accounts]))
    team_table = teams if isinstance(teams, TeamColumns) else team_columns(teams)
    member_table = (team_members if isinstance(team_members, TeamMemberColumns)
                    else team_member_columns(team_members))
    kams, eligible = select_population(
        period, people if isinstance(people, PeopleColumns) else people_columns(people), roles)
    kam_index = index_of(kams.code)
    if not isinstance(assignments, AssignmentColumns):
        assignments = assignment_columns([AssignmentRow(*r) for r in assignments],
                                         account_table.index, period)
    assignment_table = _assignments(period, assignments, kams, kam_index)
    fact_table = _fact_table(facts, account_table)
    phases = dict(product_phases or {})
    population = Population(
        codes=kams.code,
        names=kams.name,
        roles=kams.role,
        grades=kams.grade,
        base_salary=kams.base_salary,
        currency=kams.currency,
        managers=kams.manager,
        teams=kam_teams(kams.code, team_table, member_table),
        segments=primary_segments(len(kams.code), assignment_table, account_table),
        focus_products=(focus := focus_products(len(kams.code), assignment_table,
                                                 fact_table)),
        phases=object_column(phases.get(p) if p is not None else None for p in focus),
        eligible_days=eligible,
        start_dates=kams.start_date,
    )
    account_plans, plan_index = _account_plans(plans, account_table, kam_index, period)
    return MetricContext(
        period=period,
        previous_year=previous_year,
        kams=population,
        accounts=account_table,
        assignments=assignment_table,
        facts=fact_table,
        previous_facts=dataclasses.replace(_fact_table(previous_facts, account_table),
                                           previous=True),
        plans=account_plans,
        objectives=objectives if isinstance(objectives, Objectives)
        else _objectives([ObjectiveRow(*r) for r in objectives], plan_index()),
        actions=actions if isinstance(actions, Actions)
        else _actions([ActionRow(*r) for r in actions], plan_index()),
        stakeholders=stakeholders if isinstance(stakeholders, Stakeholders)
        else _stakeholders([StakeholderRow(*r) for r in stakeholders], account_table.index),
        teams=TeamTable(team_table, member_table),
        product_phases=phases,
        # not `or`: the truth of a SurveyResults is its len(), which builds every aggregate
        survey_results=(survey_results if survey_results is not None
                        else SurveyResults(source="none")),
    )


def _account_plans(plans: Iterable[Sequence[Any]] | PlanColumns, accounts: Accounts,
                   kam_index: Mapping[str, int], period: PeriodInfo
                   ) -> tuple[AccountPlans, Callable[[], dict[str, int]]]:
    """The plans in force, and (made if called) account code → plan position, which only
    objectives and actions given as rows need."""
    if isinstance(plans, PlanColumns):
        found = AccountPlans(account=np.asarray(plans.account, dtype=np.int64),
                             owner=positions_of(plans.owner, kam_index),
                             quality_rating=np.asarray(plans.quality_rating, dtype=float),
                             period=np.asarray(plans.period, dtype=object))
        codes = accounts.codes
        return found, lambda: {codes[a]: i for i, a in enumerate(found.account.tolist())
                               if a >= 0}
    rows = [PlanRow(*r) for r in plans]
    found = AccountPlans(
        account=_account_positions(accounts, [r.account for r in rows]),
        owner=positions_of([r.owner for r in rows], kam_index),
        quality_rating=float_column(r.quality_rating for r in rows),
        period=object_column(r.period or period.code for r in rows),
    )
    return found, lambda: {row.account: i for i, row in enumerate(rows)}


def _accounts(rows: list[AccountRow]) -> Accounts:
    rows.sort(key=lambda r: r.code)
    return Accounts(
        codes=object_column(r.code for r in rows),
        names=object_column(r.name for r in rows),
        types=object_column(None if r.type is None else str(r.type) for r in rows),
        segments=object_column(r.segment for r in rows),
        regions=object_column(r.region for r in rows),
        teams=object_column(r.team for r in rows),
    )


def assignment_columns(rows: list[AssignmentRow], account_index: Mapping[str, int],
                       period: PeriodInfo) -> AssignmentColumns:
    return AssignmentColumns(
        person=object_column(r.person for r in rows),
        account=np.array([account_index.get(r.account, -1) for r in rows], dtype=np.int64),
        start_date=day_array((r.start_date for r in rows), period.start),
        end_date=day_array(r.end_date for r in rows),
        share=np.array([float(r.share) for r in rows], dtype=float),
    )


def _assignments(period: PeriodInfo, cols: AssignmentColumns, people: PeopleColumns,
                 kam_index: Mapping[str, int]) -> Assignments:
    """Assignments of the population overlapping the period and the KAM's role dates
    (vectorised: 80,000 assignments of a 10,000-KAM population are routine)."""
    kam = positions_of(cols.person, kam_index)
    keep = (kam >= 0) & (cols.account >= 0)
    kam, account = kam[keep], cols.account[keep]
    role_start = _or_day(people.start_date, period.start)[kam]
    role_end = _or_day(people.end_date, period.end)[kam]
    period_start = np.datetime64(period.start, "D")
    start = cols.start_date[keep]
    start = np.where(np.isnat(start), period_start, start)
    end = cols.end_date[keep]
    first = np.maximum(np.maximum(start, period_start), role_start)
    last = np.minimum(np.minimum(np.where(np.isnat(end), np.datetime64(period.end, "D"), end),
                                 np.datetime64(period.end, "D")), role_end)
    days = (last - first).astype(np.int64) + 1
    share = cols.share[keep].astype(float)
    covered = days > 0
    width = int(account.max()) + 1 if len(account) else 1  # by KAM, then account: one key
    order = np.argsort(kam[covered].astype(np.int64) * width + account[covered], kind="stable")
    days, share = days[covered][order], share[covered][order]
    return Assignments(
        kam=kam[covered][order],
        account=account[covered][order],
        start=start[covered][order],
        end=end[covered][order],
        days=days,
        share=share,
        weight=days / period.days * share,
    )


def _or_day(days: np.ndarray, default: dt.date) -> np.ndarray:
    """``days`` (datetime64[D]) with NaT replaced by ``default``."""
    return np.where(np.isnat(days), np.datetime64(default, "D"), days)


def _fact_table(facts: Iterable[Sequence[Any]] | FactTable, accounts: Accounts) -> FactTable:
    if isinstance(facts, FactTable):
        return facts
    return fact_table_from_rows(facts, accounts.index)


def _account_positions(accounts: Accounts, codes: list[Any]) -> np.ndarray:
    """The position of each of ``codes`` in ``accounts`` (-1: none), as ``accounts.index``
    gives it, by binary search when the codes are sorted (as they should be): at 100,000
    KAMs that index is a dict of 750,000 codes (40 MB) that a loaded context never needs."""
    table = accounts.codes
    try:
        searchable = (all(c is None or isinstance(c, str) for c in codes)
                      and (len(table) < 2 or bool(np.all(table[:-1] < table[1:]))))
    except TypeError:  # codes that do not compare (None among them): not sorted
        searchable = False
    if not searchable:
        return positions_of(codes, accounts.index)
    return sorted_positions(accounts.code_keys, object_column(codes))


def fact_table_from_rows(rows: Iterable[Sequence[Any]],
                         account_index: Mapping[str, int]) -> FactTable:
    """Group fact rows (``FactRow`` order) by name into column-wise tables."""
    facts = [FactRow(*raw) for raw in rows]
    return FactTable.from_columns(
        names=object_column(r.name for r in facts),
        account=np.array([-1 if r.account is None else account_index.get(r.account, -1)
                          for r in facts], dtype=np.int64),
        person=object_column(r.person for r in facts),
        team=object_column(r.team for r in facts),
        product=object_column(r.product for r in facts),
        value=float_column(r.value for r in facts),
        category=object_column(r.category for r in facts),
        n_accounts=len(account_index),
        item=object_column(r.item for r in facts),
    )


def _objectives(rows: list[ObjectiveRow], plan_index: Mapping[str, int]) -> Objectives:
    rows = [r for r in rows if r.account in plan_index]
    return Objectives(
        plan=np.array([plan_index[r.account] for r in rows], dtype=np.int64),
        code=object_column(r.code for r in rows),
        target=float_column(r.target for r in rows),
        actual=float_column(r.actual for r in rows),
        met=float_column(None if r.met is None else float(bool(r.met)) for r in rows),
    )


def _actions(rows: list[ActionRow], plan_index: Mapping[str, int]) -> Actions:
    rows = [r for r in rows if r.account in plan_index]
    return Actions(
        plan=np.array([plan_index[r.account] for r in rows], dtype=np.int64),
        code=object_column(r.code for r in rows),
        due=day_array(r.due_date for r in rows),
        done=day_array(r.done_date for r in rows),
    )


def _stakeholders(rows: list[StakeholderRow], account_index: Mapping[str, int]) -> Stakeholders:
    rows = [r for r in rows if r.account in account_index]
    return Stakeholders(
        account=np.array([account_index[r.account] for r in rows], dtype=np.int64),
        role=object_column(str(r.role) for r in rows),
        influence=np.array([r.influence for r in rows], dtype=np.int64),
        partnership_level=np.array([r.partnership_level for r in rows], dtype=np.int64),
        is_key=np.array([bool(r.is_key) for r in rows], dtype=bool),
    )
