"""Rows → :class:`MetricContext`: the derivations shared by the loader and by tests.

The loader (``kamscore.scoring.context_loader``) fetches rows with a fixed number of queries
and calls :func:`assemble_context`; tests call it with rows written by hand. Either way the
population, the credit weights, the primary segment and the focus product are derived by the
same code.

Row types are named tuples so the loader can pass query rows positionally and tests can write
``FactRow("net_sales", account="A1", product="P1", value=100.0)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

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
    TeamInfo,
    TeamMemberInfo,
)
from kamscore.metrics.fact_table import FactTable
from kamscore.metrics.needs import FactNeeds
from kamscore.metrics.positions import positions_of, sorted_positions
from kamscore.metrics.survey_results import SurveyResults

#: The fact whose largest credited total picks a KAM's focus product.
FOCUS_FACT = "net_sales"
#: The facts the context itself reads, whatever the metrics declare.
CONTEXT_NEEDS = FactNeeds.of((FOCUS_FACT,), ())


class PersonRow(NamedTuple):
    code: str
    name: str
    role: str
    grade: str | None = None
    base_salary: float | None = None
    currency: str = "EUR"
    manager: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class AccountRow(NamedTuple):
    code: str
    name: str = ""
    type: str = "hospital"
    segment: str | None = None
    region: str | None = None
    team: str | None = None


class AssignmentRow(NamedTuple):
    person: str
    account: str
    start_date: dt.date
    end_date: dt.date | None = None
    share: float = 1.0


class FactRow(NamedTuple):
    name: str
    account: str | None = None
    person: str | None = None
    team: str | None = None
    product: str | None = None
    value: float | None = None
    category: str | None = None
    item: str | None = None  # the transaction (order, deal); None: the period's figure


class PlanRow(NamedTuple):
    account: str
    owner: str
    quality_rating: int | None = None
    period: str | None = None  # the plan's period when not the context's own (a year plan)


class PlanColumns(NamedTuple):
    """Plans column-wise, as the loader passes them (``PlanRow`` fields)."""

    account: np.ndarray  # int: positions in the accounts sorted by code (-1: unknown)
    owner: np.ndarray  # object: person codes
    quality_rating: np.ndarray  # float (NaN: not rated)
    period: np.ndarray  # object: the plan's period code


class ObjectiveRow(NamedTuple):
    account: str  # the plan's account (one plan per account and period)
    code: str
    target: float | None = None
    actual: float | None = None
    met: bool | None = None


class ActionRow(NamedTuple):
    account: str
    code: str
    due_date: dt.date
    done_date: dt.date | None = None


class StakeholderRow(NamedTuple):
    account: str
    role: str = "physician"
    influence: int = 3
    partnership_level: int = 1
    is_key: bool = False


class TeamRow(NamedTuple):
    code: str
    name: str = ""
    lead: str | None = None


class TeamMemberRow(NamedTuple):
    team: str
    person: str
    function: str


def _obj(values: Iterable[Any]) -> np.ndarray:
    out = list(values)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


def _float(values: Iterable[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def assemble_context(
    period: PeriodInfo,
    *,
    people: Iterable[Sequence[Any]],
    accounts: Iterable[Sequence[Any]] | Accounts = (),
    assignments: Iterable[Sequence[Any]] | AssignmentColumns = (),
    facts: Iterable[Sequence[Any]] | FactTable = (),
    previous_year: PeriodInfo | None = None,
    previous_facts: Iterable[Sequence[Any]] | FactTable = (),
    plans: Iterable[Sequence[Any]] | PlanColumns = (),
    objectives: Iterable[Sequence[Any]] | Objectives = (),
    actions: Iterable[Sequence[Any]] | Actions = (),
    stakeholders: Iterable[Sequence[Any]] | Stakeholders = (),
    teams: Iterable[Sequence[Any]] = (),
    team_members: Iterable[Sequence[Any]] = (),
    product_phases: Mapping[str, str] | None = None,
    survey_results: SurveyResults | None = None,
    roles: Sequence[str] = ("kam",),
) -> MetricContext:
    """Build a context from rows (tuples in the order of the ``*Row`` types above).

    For speed on large populations the loader may pass ``accounts`` as :class:`Accounts`
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
    team_rows = [TeamRow(*r) for r in teams]
    member_rows = [TeamMemberRow(*r) for r in team_members]
    population_rows, eligible = _population_rows(period, [PersonRow(*r) for r in people], roles)
    kam_index = {row.code: i for i, row in enumerate(population_rows)}
    if not isinstance(assignments, AssignmentColumns):
        assignments = assignment_columns([AssignmentRow(*r) for r in assignments],
                                         account_table.index, period)
    assignment_table = _assignments(period, assignments, population_rows, kam_index)
    fact_table = _fact_table(facts, account_table)
    phases = dict(product_phases or {})
    population = Population(
        codes=_obj(r.code for r in population_rows),
        names=_obj(r.name for r in population_rows),
        roles=_obj(str(r.role) for r in population_rows),
        grades=_obj(r.grade for r in population_rows),
        base_salary=_float(r.base_salary for r in population_rows),
        currency=_obj(r.currency for r in population_rows),
        managers=_obj(r.manager for r in population_rows),
        teams=_kam_teams(population_rows, team_rows, member_rows),
        segments=_primary_segments(len(population_rows), assignment_table, account_table),
        focus_products=(focus := _focus_products(len(population_rows), assignment_table,
                                                 fact_table)),
        phases=_obj(phases.get(p) if p is not None else None for p in focus),
        eligible_days=np.asarray(eligible, dtype=np.int64),
        start_dates=day_array(r.start_date for r in population_rows),
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
        teams=_teams(team_rows, member_rows),
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
        quality_rating=_float(r.quality_rating for r in rows),
        period=_obj(r.period or period.code for r in rows),
    )
    return found, lambda: {row.account: i for i, row in enumerate(rows)}


def _population_rows(period: PeriodInfo, people: list[PersonRow],
                     roles: Sequence[str]) -> tuple[list[PersonRow], list[int]]:
    wanted = {str(r) for r in roles}
    rows, eligible = [], []
    for row in sorted(people, key=lambda r: r.code):
        if str(row.role) not in wanted:
            continue
        start = max(period.start, row.start_date or period.start)
        end = min(period.end, row.end_date or period.end)
        days = (end - start).days + 1
        if days > 0:
            rows.append(row)
            eligible.append(days)
    return rows, eligible


def _accounts(rows: list[AccountRow]) -> Accounts:
    rows.sort(key=lambda r: r.code)
    return Accounts(
        codes=_obj(r.code for r in rows),
        names=_obj(r.name for r in rows),
        types=_obj(None if r.type is None else str(r.type) for r in rows),
        segments=_obj(r.segment for r in rows),
        regions=_obj(r.region for r in rows),
        teams=_obj(r.team for r in rows),
    )


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # NaT's integer


def day_array(values: Iterable[dt.date | str | None], default: dt.date | None = None
              ) -> np.ndarray:
    """Dates as ``datetime64[D]``; None becomes ``default`` (NaT without one).

    ``date`` objects (what PostgreSQL and SQLAlchemy return) go through their ordinals, ten
    times faster than numpy's conversion of the objects; ISO text (SQLite's raw rows) goes
    through numpy's parser."""
    items = list(values)
    if all(v is None or isinstance(v, dt.date) for v in items):
        fill = _NAT if default is None else default.toordinal() - _EPOCH_ORDINAL
        return np.array([fill if v is None else v.toordinal() - _EPOCH_ORDINAL for v in items],
                        dtype=np.int64).astype("datetime64[D]")
    missing = "NaT" if default is None else default.isoformat()
    return np.array([missing if v is None else v for v in items], dtype="datetime64[D]")


class AssignmentColumns(NamedTuple):
    """Assignments column-wise, as the loader passes them (``AssignmentRow`` fields)."""

    person: np.ndarray  # object: person codes
    account: np.ndarray  # int64: positions in the accounts sorted by code (-1: unknown)
    start_date: np.ndarray  # datetime64[D] (NaT: the period's start)
    end_date: np.ndarray  # datetime64[D] (NaT: open-ended)
    share: np.ndarray  # float


def assignment_columns(rows: list[AssignmentRow], account_index: Mapping[str, int],
                       period: PeriodInfo) -> AssignmentColumns:
    return AssignmentColumns(
        person=_obj(r.person for r in rows),
        account=np.array([account_index.get(r.account, -1) for r in rows], dtype=np.int64),
        start_date=day_array((r.start_date for r in rows), period.start),
        end_date=day_array(r.end_date for r in rows),
        share=np.array([float(r.share) for r in rows], dtype=float),
    )


def _assignments(period: PeriodInfo, cols: AssignmentColumns, people: list[PersonRow],
                 kam_index: Mapping[str, int]) -> Assignments:
    """Assignments of the population overlapping the period and the KAM's role dates
    (vectorised: 80,000 assignments of a 10,000-KAM population are routine)."""
    kam = positions_of(cols.person, kam_index)
    keep = (kam >= 0) & (cols.account >= 0)
    kam, account = kam[keep], cols.account[keep]
    role_start = day_array((p.start_date for p in people), period.start)[kam]
    role_end = day_array((p.end_date for p in people), period.end)[kam]
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
    return sorted_positions(table, _obj(codes))


def fact_table_from_rows(rows: Iterable[Sequence[Any]],
                         account_index: Mapping[str, int]) -> FactTable:
    """Group fact rows (``FactRow`` order) by name into column-wise tables."""
    facts = [FactRow(*raw) for raw in rows]
    return FactTable.from_columns(
        names=_obj(r.name for r in facts),
        account=np.array([-1 if r.account is None else account_index.get(r.account, -1)
                          for r in facts], dtype=np.int64),
        person=_obj(r.person for r in facts),
        team=_obj(r.team for r in facts),
        product=_obj(r.product for r in facts),
        value=_float(r.value for r in facts),
        category=_obj(r.category for r in facts),
        n_accounts=len(account_index),
        item=_obj(r.item for r in facts),
    )


def _kam_teams(people: list[PersonRow], teams: list[TeamRow],
               members: list[TeamMemberRow]) -> np.ndarray:
    """The team each KAM leads; else the first team (by code) where he serves as a KAM."""
    led: dict[str, str] = {}
    for team in sorted(teams, key=lambda t: t.code):
        if team.lead is not None:
            led.setdefault(team.lead, team.code)
    member_of: dict[str, str] = {}
    for m in sorted(members, key=lambda m: m.team):
        if str(m.function) == "kam":
            member_of.setdefault(m.person, m.team)
    return _obj(led.get(p.code, member_of.get(p.code)) for p in people)


def _first_per_kam(size: int, kams: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For rows sorted by ``order`` (KAM first), the row index of each KAM's first row."""
    first = np.full(size, -1, dtype=np.int64)
    sorted_kams = kams[order]
    is_first = np.ones(len(order), dtype=bool)
    is_first[1:] = sorted_kams[1:] != sorted_kams[:-1]
    first[sorted_kams[is_first]] = order[is_first]
    return first


def _primary_segments(size: int, a: Assignments, accounts: Accounts) -> np.ndarray:
    """Segment of the account with the most assigned days (ties: larger share, then code)."""
    if not len(a):
        return _obj([None] * size)
    order = np.lexsort((a.account, -a.weight, -a.days, a.kam))
    first = _first_per_kam(size, a.kam, order)
    out = np.full(size, None, dtype=object)
    has = first >= 0
    out[has] = np.asarray(accounts.segments, dtype=object)[a.account[first[has]]]
    return out


#: KAMs whose assignments are paired with their accounts' sales at a time (focus products).
_FOCUS_KAMS = 10_000


def _focus_products(size: int, a: Assignments, facts: FactTable) -> np.ndarray:
    """Product with the largest credited ``net_sales`` over each KAM's accounts (ties: code)."""
    sales = facts.select(FOCUS_FACT)
    products, ranks = sales.product_ranks()
    keep = (sales.account >= 0) & ~np.isnan(sales.value) & (ranks >= 0)
    if not len(a) or not keep.any():
        return _obj([None] * size)
    if keep.all():  # no copies of 7.5 million facts' columns at 100,000 KAMs
        product_idx, fact_account, fact_value = ranks, sales.account, sales.value
    else:
        product_idx = ranks[keep]
        fact_account, fact_value = sales.account[keep], sales.value[keep]
    del keep, ranks
    # the facts by account (a snapshot's are in subject order: by account already)
    by_account = (None if np.all(fact_account[1:] >= fact_account[:-1])
                  else np.argsort(fact_account, kind="stable"))
    counts = np.bincount(fact_account, minlength=facts.n_accounts)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    cells = size * len(products)
    credited, present = np.zeros(cells), np.zeros(cells, dtype=bool)
    # Pair every assignment with every net_sales fact of its account, the assignments of some
    # KAMs at a time (at 100,000 KAMs all pairs at once are 7.8 million: half a GB of index
    # arrays). A KAM's pairs all fall in one part, summed in the same order as all at once.
    by_kam = bool(np.all(a.kam[1:] >= a.kam[:-1]))  # as _assignments sorts them
    bounds = (np.searchsorted(a.kam, np.arange(0, size + _FOCUS_KAMS, _FOCUS_KAMS))
              if by_kam else np.array([0, len(a)]))
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if start == stop:
            continue
        part = slice(start, stop)
        account, kam, weight = a.account[part], a.kam[part], a.weight[part]
        per_assignment = counts[account]
        pair_assignment = np.repeat(np.arange(len(account)), per_assignment)
        within = np.arange(per_assignment.sum()) - np.repeat(
            np.cumsum(per_assignment) - per_assignment, per_assignment)
        pair_fact = offsets[account[pair_assignment]] + within
        if by_account is not None:
            pair_fact = by_account[pair_fact]
        # credited sales per (KAM, product)
        key = kam[pair_assignment] * len(products) + product_idx[pair_fact]
        credited += np.bincount(key, weights=weight[pair_assignment] * fact_value[pair_fact],
                                minlength=cells)
        present[key] = True
    credited = np.where(present, credited, -np.inf).reshape(size, len(products))
    best = np.argmax(credited, axis=1)  # first maximum: products are sorted by code
    has = present.reshape(size, len(products)).any(axis=1)
    out = np.full(size, None, dtype=object)
    out[has] = np.asarray(products, dtype=object)[best[has]]
    return out


def _objectives(rows: list[ObjectiveRow], plan_index: Mapping[str, int]) -> Objectives:
    rows = [r for r in rows if r.account in plan_index]
    return Objectives(
        plan=np.array([plan_index[r.account] for r in rows], dtype=np.int64),
        code=_obj(r.code for r in rows),
        target=_float(r.target for r in rows),
        actual=_float(r.actual for r in rows),
        met=_float(None if r.met is None else float(bool(r.met)) for r in rows),
    )


def _actions(rows: list[ActionRow], plan_index: Mapping[str, int]) -> Actions:
    rows = [r for r in rows if r.account in plan_index]
    return Actions(
        plan=np.array([plan_index[r.account] for r in rows], dtype=np.int64),
        code=_obj(r.code for r in rows),
        due=day_array(r.due_date for r in rows),
        done=day_array(r.done_date for r in rows),
    )


def _stakeholders(rows: list[StakeholderRow], account_index: Mapping[str, int]) -> Stakeholders:
    rows = [r for r in rows if r.account in account_index]
    return Stakeholders(
        account=np.array([account_index[r.account] for r in rows], dtype=np.int64),
        role=_obj(str(r.role) for r in rows),
        influence=np.array([r.influence for r in rows], dtype=np.int64),
        partnership_level=np.array([r.partnership_level for r in rows], dtype=np.int64),
        is_key=np.array([bool(r.is_key) for r in rows], dtype=bool),
    )


def _teams(teams: list[TeamRow], members: list[TeamMemberRow]) -> dict[str, TeamInfo]:
    by_team: dict[str, list[TeamMemberInfo]] = {}
    for m in sorted(members, key=lambda m: (m.team, m.person)):
        by_team.setdefault(m.team, []).append(TeamMemberInfo(m.person, str(m.function)))
    return {
        t.code: TeamInfo(t.code, t.name, t.lead, tuple(by_team.get(t.code, ())))
        for t in sorted(teams, key=lambda t: t.code)
    }
