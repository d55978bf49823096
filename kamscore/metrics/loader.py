"""Loading a period's :class:`MetricContext` from the database (service layer).

One query per table — people, accounts, assignments, facts (the period and the same period a
year earlier), plans, objectives, actions, stakeholders, teams, team members, product
phases — plus whatever the ``kamscore_survey_results`` provider runs (one query for the
default one). The count does not depend on the number of KAMs: metrics never query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ..default_survey_results import PREFIX as SURVEY_PREFIX
from ..models import (
    Account,
    AccountPlan,
    Assignment,
    Fact,
    Period,
    Person,
    PlanAction,
    PlanObjective,
    Product,
    ProductPhase,
    Stakeholder,
    Team,
    TeamMember,
)
from ..survey_results import SurveyResults
from .assemble import assemble_context
from .context import Actions, FactTable, MetricContext, Objectives, PeriodInfo, Stakeholders


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
) -> MetricContext:
    """The context of ``period`` (a Period or its code) for the people whose role is in
    ``roles``, with survey results from the ``kamscore_survey_results`` hook of ``pm``.

    Large tables (facts, objectives, actions, stakeholders) are read column-wise through
    SQLAlchemy Core with ids mapped to positions by lookup arrays, not row by row.
    """
    current = find_period(session, period)
    previous = session.scalar(select(Period).where(
        Period.kind == current.kind, Period.start_date == year_earlier(current.start_date)))
    role_values = [str(r) for r in roles]
    codes = _Codes(session)
    plans = _plans(session, current.id, codes)
    return assemble_context(
        period_info(current),
        people=_people(session, current, role_values),
        accounts=codes.account_rows,
        assignments=_assignments(session, current, role_values),
        facts=_facts(session, current.id, codes),
        previous_year=period_info(previous) if previous is not None else None,
        previous_facts=_facts(session, previous.id, codes) if previous is not None else (),
        plans=plans.rows,
        objectives=_objectives(session, current.id, plans.position),
        actions=_actions(session, current.id, plans.position),
        stakeholders=_stakeholders(session, codes),
        teams=codes.team_rows,
        team_members=session.execute(
            select(Team.code, Person.code, TeamMember.function)
            .join(Team, TeamMember.team_id == Team.id)
            .join(Person, TeamMember.person_id == Person.id)).all(),
        product_phases=dict(session.execute(
            select(Product.code, ProductPhase.phase)
            .join(Product, ProductPhase.product_id == Product.id)
            .where(ProductPhase.period_id == current.id)).all()),
        survey_results=_survey_results(session, current, pm),
        roles=role_values,
    )


def _lookup(ids: Sequence[int], values: np.ndarray, missing: object) -> np.ndarray:
    """An array ``lut`` with ``lut[id] = values[i]`` for ``ids[i]`` and ``lut[0] = missing``
    (ids start at 1; NULL ids are read as 0)."""
    size = (max(ids) if len(ids) else 0) + 1
    lut = np.empty(size, dtype=values.dtype)
    lut[:] = missing
    if len(ids):
        lut[np.asarray(ids, dtype=np.int64)] = values
    return lut


def _ids(column: Sequence[int | None]) -> np.ndarray:
    """A column of ids (None for NULL) as int64 with 0 for NULL."""
    arr = np.array(column, dtype=float)
    return np.where(np.isnan(arr), 0, arr).astype(np.int64)


def _objects(values: Sequence[object]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


class _Codes:
    """Id → code/position lookups for accounts (sorted by code), people, teams, products."""

    def __init__(self, session: Session) -> None:
        accounts = sorted(session.execute(
            select(Account.id, Account.code, Account.name, Account.type, Account.segment,
                   Account.region, Team.code).outerjoin(Team, Account.team_id == Team.id)
        ).all(), key=lambda r: r[1])
        self.account_rows = [tuple(r[1:]) for r in accounts]
        self.account_position = _lookup([r[0] for r in accounts],
                                        np.arange(len(accounts), dtype=np.int64), -1)
        self.account_code = _lookup([r[0] for r in accounts],
                                    _objects([r[1] for r in accounts]), None)
        people = session.execute(select(Person.id, Person.code)).all()
        self.person_code = _lookup([r[0] for r in people], _objects([r[1] for r in people]),
                                   None)
        lead = aliased(Person)
        teams = session.execute(
            select(Team.id, Team.code, Team.name, lead.code)
            .outerjoin(lead, Team.lead_id == lead.id)).all()
        self.team_rows = [tuple(r[1:]) for r in teams]
        self.team_code = _lookup([r[0] for r in teams], _objects([r[1] for r in teams]), None)
        products = session.execute(select(Product.id, Product.code)).all()
        self.product_code = _lookup([r[0] for r in products],
                                    _objects([r[1] for r in products]), None)

    @property
    def n_accounts(self) -> int:
        return len(self.account_rows)


def _facts(session: Session, period_id: int, codes: _Codes) -> FactTable:
    """The period's facts, except ``survey.*`` ones (served as ``ctx.survey_results``)."""
    t = Fact.__table__
    rows = session.connection().execute(
        select(t.c.name, t.c.account_id, t.c.person_id, t.c.team_id, t.c.product_id,
               t.c.value, t.c.category, t.c.unit)
        .where(t.c.period_id == period_id, ~t.c.name.startswith(SURVEY_PREFIX, autoescape=True))
    ).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    return FactTable.from_columns(
        names=_objects(cols[0]),
        account=codes.account_position[_ids(cols[1])],
        person=codes.person_code[_ids(cols[2])],
        team=codes.team_code[_ids(cols[3])],
        product=codes.product_code[_ids(cols[4])],
        value=np.array(cols[5], dtype=float),
        category=_objects(cols[6]),
        unit=_objects(cols[7]),
        n_accounts=codes.n_accounts,
    )


class _Plans:
    def __init__(self, rows: list[tuple], position: np.ndarray) -> None:
        self.rows = rows  # (account code, owner code, quality rating), as PlanRow
        self.position = position  # plan id → row position


def _plans(session: Session, period_id: int, codes: _Codes) -> _Plans:
    t = AccountPlan.__table__
    rows = session.connection().execute(
        select(t.c.id, t.c.account_id, t.c.owner_id, t.c.quality_rating)
        .where(t.c.period_id == period_id).order_by(t.c.id)).all()
    ids = [r[0] for r in rows]
    accounts = codes.account_code[_ids([r[1] for r in rows])]
    owners = codes.person_code[_ids([r[2] for r in rows])]
    plan_rows = [(a, o, r[3]) for a, o, r in zip(accounts, owners, rows, strict=True)]
    return _Plans(plan_rows, _lookup(ids, np.arange(len(ids), dtype=np.int64), -1))


def _objectives(session: Session, period_id: int, position: np.ndarray) -> Objectives:
    o, p = PlanObjective.__table__, AccountPlan.__table__
    rows = session.connection().execute(
        select(o.c.plan_id, o.c.code, o.c.target, o.c.actual, o.c.met)
        .join(p, o.c.plan_id == p.c.id).where(p.c.period_id == period_id)).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 5
    return Objectives(
        plan=position[_ids(cols[0])] if rows else np.empty(0, dtype=np.int64),
        code=_objects(cols[1]),
        target=np.array(cols[2], dtype=float),
        actual=np.array(cols[3], dtype=float),
        met=np.array([None if m is None else float(m) for m in cols[4]], dtype=float),
    )


def _actions(session: Session, period_id: int, position: np.ndarray) -> Actions:
    a, p = PlanAction.__table__, AccountPlan.__table__
    rows = session.connection().execute(
        select(a.c.plan_id, a.c.code, a.c.due_date, a.c.done_date)
        .join(p, a.c.plan_id == p.c.id).where(p.c.period_id == period_id)).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 4
    return Actions(
        plan=position[_ids(cols[0])] if rows else np.empty(0, dtype=np.int64),
        code=_objects(cols[1]),
        due=np.array(cols[2], dtype="datetime64[D]"),
        done=np.array([np.datetime64("NaT") if d is None else d for d in cols[3]],
                      dtype="datetime64[D]"),
    )


def _stakeholders(session: Session, codes: _Codes) -> Stakeholders:
    t = Stakeholder.__table__
    rows = session.connection().execute(
        select(t.c.account_id, t.c.role, t.c.influence, t.c.partnership_level, t.c.is_key)
    ).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 5
    return Stakeholders(
        account=codes.account_position[_ids(cols[0])],
        role=_objects([str(r) for r in cols[1]]),
        influence=np.array(cols[2], dtype=np.int64),
        partnership_level=np.array(cols[3], dtype=np.int64),
        is_key=np.array(cols[4], dtype=bool),
    )


def _people(session: Session, period: Period, roles: list[str]) -> list:
    manager = aliased(Person)
    return session.execute(
        select(Person.code, Person.name, Person.role, Person.grade, Person.base_salary,
               Person.currency, manager.code, Person.start_date, Person.end_date)
        .outerjoin(manager, Person.manager_id == manager.id)
        .where(Person.role.in_(roles),
               or_(Person.start_date.is_(None), Person.start_date <= period.end_date),
               or_(Person.end_date.is_(None), Person.end_date >= period.start_date))
    ).all()


def _assignments(session: Session, period: Period, roles: list[str]) -> list:
    return session.execute(
        select(Person.code, Account.code, Assignment.start_date, Assignment.end_date,
               Assignment.share)
        .join(Person, Assignment.person_id == Person.id)
        .join(Account, Assignment.account_id == Account.id)
        .where(Person.role.in_(roles), Assignment.start_date <= period.end_date,
               or_(Assignment.end_date.is_(None), Assignment.end_date >= period.start_date))
    ).all()


def _survey_results(session: Session, period: Period, pm: object) -> SurveyResults:
    hook = getattr(pm, "hook", None)
    results = hook.kamscore_survey_results(session=session, period=period) if hook else None
    return results if results is not None else SurveyResults(source="none")
