"""Loading a period's :class:`MetricContext` from the database (service layer).

One query per table — people, accounts, assignments, facts (the period and the same period a
year earlier), plans, objectives, actions, stakeholders, teams, team members, product
phases — plus whatever the ``kamscore_survey_results`` provider runs (one query for the
default one). The count does not depend on the number of KAMs: metrics never query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kamscore.config import DEFAULTS
from kamscore.db.column_reads import (
    code_lookup,
    fetch_columns,
    id_lookup,
    nullable_ids,
    object_array,
    shared_texts,
)
from kamscore.db.gc_pause import gc_paused
from kamscore.facts.columns import fact_names, iter_fact_columns
from kamscore.facts.survey_results_from_facts import PREFIX as SURVEY_PREFIX
from kamscore.facts.table_snapshots import Labelled, read_table, texts_decoded_once
from kamscore.metrics.assemble import CONTEXT_NEEDS, assemble_context
from kamscore.metrics.coded_facts import CodedFactColumns, coded
from kamscore.metrics.compact_tables import (
    CompactStakeholders,
    LazyCodedActions,
    LazyCodedObjectives,
    LazyNamedAccounts,
)
from kamscore.metrics.context import (
    Accounts,
    Actions,
    MetricContext,
    Objectives,
    PeriodInfo,
    Stakeholders,
)
from kamscore.metrics.context_rows import (
    AssignmentColumns,
    PeopleColumns,
    PlanColumns,
    TeamColumns,
    TeamMemberColumns,
    day_array,
)
from kamscore.metrics.fact_table import FactColumns, FactTable
from kamscore.metrics.needs import FactNeeds, scoped_survey_results
from kamscore.metrics.positions import CodedColumn
from kamscore.metrics.survey_results import SurveyResults
from kamscore.models import (
    Period,
    Person,
    Product,
    ProductPhase,
    Team,
    TeamMember,
)


class UnknownPeriodError(LookupError):
    """The period asked for does not exist."""


def period_info(period: Period) -> PeriodInfo:
    return PeriodInfo(code=period.code, kind=str(period.kind), start=period.start_date,
                      end=period.end_date, closed=period.is_closed)


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def previous_year_period(session: Session, period: Period) -> Period | None:
    """The period of the same kind starting a year before ``period`` (2025-Q1 for 2026-Q1)."""
    return session.scalar(select(Period).where(
        Period.kind == period.kind, Period.start_date == year_earlier(period.start_date)))


def find_period(session: Session, period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    found = session.scalar(select(Period).where(Period.code == period))
    if found is None:
        raise UnknownPeriodError(f"no period {period!r}")
    return found


def load_metric_context(
    session: Session,
    period: Period | str,
    pm: object,
    *,
    roles: Sequence[str] = ("kam",),
    needs: FactNeeds | None = None,
) -> MetricContext:
    """The context of ``period`` (a Period or its code) for the people whose role is in
    ``roles``, with survey results from the ``kamscore_survey_results`` hook of ``pm``.

    ``needs`` names the facts to load (``kamscore.metrics.needs``; the context's own
    :data:`~kamscore.metrics.assemble.CONTEXT_NEEDS` are added); ``None`` loads every fact of
    both periods. The context's fact tables can then serve exactly those names.

    Queries: one per table, plus one per fact name for each of the two periods — a number
    that depends on the data's vocabulary, never on the number of KAMs. Large tables are read
    column-wise from the DBAPI cursor with ids mapped to positions by lookup arrays.
    """
    with gc_paused(), texts_decoded_once(session):  # accounts' codes: one set of strings
        return _load(session, period, pm, roles, (needs or FactNeeds.everything())
                     .union(CONTEXT_NEEDS))


def _load(session: Session, period: Period | str, pm: object, roles: Sequence[str],
          needs: FactNeeds) -> MetricContext:
    current = find_period(session, period)
    previous = previous_year_period(session, current)
    role_values = [str(r) for r in roles]
    codes = _Codes(session)
    plans = _plans(session, current, codes)
    return assemble_context(
        period_info(current),
        people=_people(session, current, role_values, codes),
        accounts=codes.accounts,
        assignments=_assignments(session, current, role_values, codes),
        facts=_facts(session, current.id, codes, needs.current),
        previous_year=period_info(previous) if previous is not None else None,
        previous_facts=_facts(session, previous.id, codes, needs.previous)
        if previous is not None else FactTable({}, codes.n_accounts, needs.previous),
        plans=plans.columns,
        objectives=_objectives(session, plans),
        actions=_actions(session, plans),
        stakeholders=_stakeholders(session, codes),
        teams=codes.teams,
        team_members=_team_members(session, codes),
        product_phases=_product_phases(session, current.id, codes),
        survey_results=_survey_results(session, current, pm, needs.surveys),
        roles=role_values,
    )


class _Codes:
    """Id → code/position lookups for accounts (sorted by code), people, teams, products."""

    def __init__(self, session: Session) -> None:
        p = Person.__table__
        people = fetch_columns(session, select(p.c.id, p.c.code, p.c.role), 3)
        self.person_code = id_lookup(people[0], object_array(people[1]), None)
        self.person_role = id_lookup(people[0], shared_texts(people[2]), None)
        t = Team.__table__
        teams = fetch_columns(session, select(t.c.id, t.c.code, t.c.name, t.c.lead_id), 4)
        self.teams = TeamColumns(code=object_array(teams[1]), name=object_array(teams[2]),
                                 lead=self.person_code[nullable_ids(teams[3])])
        self.team_code = id_lookup(teams[0], self.teams.code, None)
        self.product_code = code_lookup(session, Product.__table__)
        # kamscore.facts.table_snapshots; the names as a snapshot keeps them (made if read)
        cols = read_table(session, "account", labelled=("name",))
        order = np.argsort(cols["code"], kind="stable")
        if np.array_equal(order, np.arange(len(order))):  # ids in code order: no copies
            by_code = cols  # (each a copy of 750,000 objects at 100,000 KAMs, 0.08 s)
        else:
            by_code = {name: column[order] for name, column in cols.items()}
        ids = by_code["id"]
        # int32: 4 bytes a fact, not 8 (11 million facts at 100,000 KAMs); indexes as well
        self.account_position = id_lookup(ids, np.arange(len(ids), dtype=np.int32), -1)
        self.account_code = id_lookup(ids, by_code["code"], None)
        self.accounts: Accounts = LazyNamedAccounts(  # as assemble_context makes Accounts
            codes=by_code["code"],
            names_made=_made(by_code["name"]),
            types=by_code["type"], segments=by_code["segment"],
            regions=by_code["region"], teams=self.team_code[by_code["team_id"]])

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)


def _facts(session: Session, period_id: int, codes: _Codes,
           names: frozenset[str] | None) -> FactTable:
    """The period's facts called ``names`` (``None``: every name), except ``survey.*`` ones
    (served as ``ctx.survey_results``), from the period's snapshot if it has one
    (``kamscore.facts.columns``), else one query per name."""
    present = names if names is not None else {n for _, n in fact_names(session, [period_id])}
    wanted = [n for n in present if not n.startswith(SURVEY_PREFIX)]
    by_name: dict[str, FactColumns] = {}
    for name, raw in iter_fact_columns(session, period_id, wanted):  # one name at a time
        by_name[name] = CodedFactColumns(  # codes made when read (kamscore.metrics.coded_facts)
            name,
            account=codes.account_position[raw.account],
            value=raw.value,
            person=coded(raw.person, codes.person_code),
            team=coded(raw.team, codes.team_code),
            product=coded(raw.product, codes.product_code),
            category=raw.category,
            item=raw.item,
        )
        del raw
    return FactTable(by_name=by_name, n_accounts=codes.n_accounts, scope=names)


class _Plans:
    def __init__(self, columns: PlanColumns, position: np.ndarray,
                 period_ids: list[int]) -> None:
        self.columns = columns  # the plans in force
        self.position = position  # plan id → row position (-1: not in force), every id
        self.period_ids = period_ids  # the period and those containing it


def _plans(session: Session, current: Period, codes: _Codes) -> _Plans:
    """For each account, its plan of ``current``, else of the shortest period containing it."""
    pt = Period.__table__
    periods = session.connection().execute(
        select(pt.c.id, pt.c.code, pt.c.start_date, pt.c.end_date)
        .where(pt.c.start_date <= current.start_date, pt.c.end_date >= current.end_date)).all()
    span = {pid: ((end - start).days, code) for pid, code, start, end in periods}
    cols = read_table(session, "account_plan")  # every period's: those in span kept here
    # each period's place in the order of preference: shortest first, then by code
    preference = np.full(max(span, default=0) + 1, -1, dtype=np.int64)
    for rank, pid in enumerate(sorted(span, key=span.__getitem__)):
        preference[pid] = rank
    period = cols["period_id"]
    place = np.where(period < len(preference),
                     preference[np.minimum(period, len(preference) - 1)], -1)
    candidates = np.flatnonzero(place >= 0)
    # per account the preferred period's plan (ties: the lowest id), then in id order
    order = np.lexsort((candidates, place[candidates], cols["account_id"][candidates]))
    ranked = candidates[order]
    accounts_ranked = cols["account_id"][ranked]
    first = np.ones(len(ranked), dtype=bool)
    first[1:] = accounts_ranked[1:] != accounts_ranked[:-1]
    chosen = np.sort(ranked[first])
    period_code = np.empty(len(preference), dtype=object)
    for pid, (_, code) in span.items():
        period_code[pid] = code
    columns = PlanColumns(account=codes.account_position[cols["account_id"][chosen]],
                          owner=CodedColumn(cols["owner_id"][chosen], codes.person_code),
                          quality_rating=cols["quality_rating"][chosen],
                          period=period_code[period[chosen]])
    position = id_lookup(cols["id"][chosen], np.arange(len(chosen), dtype=np.int64), -1,
                         size=int(cols["id"].max()) + 1 if len(cols["id"]) else 1)
    return _Plans(columns, position, list(span))


def _plan_items(session: Session, name: str, plans: _Plans) -> tuple[np.ndarray, dict]:
    """Objectives or actions (table ``name``) of the plans in force: their plan positions
    and columns (``kamscore.facts.table_snapshots``)."""
    def in_force(ids: np.ndarray) -> np.ndarray:
        if len(ids) and int(ids.max()) >= len(plans.position):  # a plan made since: none
            position = plans.position[np.minimum(ids, len(plans.position) - 1)]
            position[ids >= len(plans.position)] = -1
            return position
        return plans.position[ids]  # one gather (the lookup spans every plan's id)

    # only the rows of plans in force are decoded (a fraction of the table's years)
    cols = read_table(session, name, labelled=("code",),
                      where=("plan_id", lambda ids: in_force(ids) >= 0))
    position = in_force(cols.pop("plan_id"))  # (the plan is ``position``)
    return position, cols


def _objectives(session: Session, plans: _Plans) -> Objectives:
    plan, cols = _plan_items(session, "plan_objective", plans)
    return LazyCodedObjectives(plan=plan, code_made=_made(cols["code"]),
                               target=cols["target"], actual=cols["actual"], met=cols["met"])


def _actions(session: Session, plans: _Plans) -> Actions:
    plan, cols = _plan_items(session, "plan_action", plans)
    return LazyCodedActions(plan=plan, code_made=_made(cols["code"]), due=cols["due_date"],
                            done=cols["done_date"])


def _made(column: np.ndarray | Labelled) -> Callable[[], np.ndarray]:
    """A text column as a snapshot keeps it (made on each read), or as read from rows."""
    return column.values if isinstance(column, Labelled) else lambda: column


def _stakeholders(session: Session, codes: _Codes) -> Stakeholders:
    cols = read_table(session, "stakeholder", labelled=("role",))
    return CompactStakeholders(
        account=codes.account_position[cols["account_id"]],
        role_made=_made(cols["role"]),
        influence=cols["influence"],
        partnership_level=cols["partnership_level"],
        is_key=cols["is_key"],
    )


def _people(session: Session, period: Period, roles: list[str], codes: _Codes
            ) -> PeopleColumns:
    """People in ``roles`` active in the period, column-wise."""
    t = Person.__table__
    cols = fetch_columns(session, select(
        t.c.code, t.c.name, t.c.role, t.c.grade, t.c.base_salary, t.c.currency, t.c.manager_id,
        t.c.start_date, t.c.end_date)
        .where(t.c.role.in_(roles),
               or_(t.c.start_date.is_(None), t.c.start_date <= period.end_date),
               or_(t.c.end_date.is_(None), t.c.end_date >= period.start_date)), 9)
    return PeopleColumns(
        code=object_array(cols[0]), name=object_array(cols[1]), role=shared_texts(cols[2]),
        grade=shared_texts(cols[3]), base_salary=np.array(cols[4], dtype=float),
        currency=shared_texts(cols[5]), manager=codes.person_code[nullable_ids(cols[6])],
        start_date=day_array(cols[7]), end_date=day_array(cols[8]))


def _assignments(session: Session, period: Period, roles: list[str],
                 codes: _Codes) -> AssignmentColumns:
    """Assignments of people in ``roles`` overlapping the period, in id order."""
    cols = read_table(session, "assignment")  # kamscore.facts.table_snapshots
    role = codes.person_role[cols["person_id"]]
    end = cols["end_date"]
    keep = (np.isin(role, np.array(roles, dtype=object))
            & (cols["start_date"] <= np.datetime64(period.end_date, "D"))
            & (np.isnat(end) | (end >= np.datetime64(period.start_date, "D"))))
    return AssignmentColumns(
        person=CodedColumn(cols["person_id"][keep], codes.person_code),
        account=codes.account_position[cols["account_id"][keep]],
        start_date=cols["start_date"][keep],
        end_date=end[keep],
        share=cols["share"][keep],
    )


def _team_members(session: Session, codes: _Codes) -> TeamMemberColumns:
    t = TeamMember.__table__
    cols = fetch_columns(session, select(t.c.team_id, t.c.person_id, t.c.function), 3)
    return TeamMemberColumns(team=codes.team_code[nullable_ids(cols[0])],
                             person=codes.person_code[nullable_ids(cols[1])],
                             function=shared_texts(cols[2]))


def _product_phases(session: Session, period_id: int, codes: _Codes) -> dict[str, str]:
    t = ProductPhase.__table__
    cols = fetch_columns(session, select(t.c.product_id, t.c.phase)
                    .where(t.c.period_id == period_id), 2)
    return dict(zip(codes.product_code[nullable_ids(cols[0])], cols[1], strict=True))


def _survey_results(session: Session, period: Period, pm: object,
                    measures: frozenset[str] | None) -> SurveyResults:
    """The provider's results, readable for ``measures`` only (None: every measure)."""
    hook = getattr(pm, "hook", None)
    settings = getattr(pm, "settings", DEFAULTS)
    results = hook.kamscore_survey_results(session=session, period=period, measures=measures,
                                           settings=settings) if hook else None
    if results is not None and not isinstance(results, SurveyResults):
        raise TypeError("kamscore_survey_results must return a SurveyResults or None, not "
                        f"{type(results).__name__}")
    return scoped_survey_results(
        results if results is not None else SurveyResults(source="none"), measures)
