"""Read queries behind the API's list and detail endpoints.

Each ``select_*`` function turns filters (natural keys, as clients know them) into a
``select()`` ordered for stable pagination, with the related rows a response needs loaded in
the same round trips (no query per item). ``get_by_code`` and friends fetch one object.
Services layer: no Flask here; the API paginates and serialises what these return. Every
query of confidential rows takes the caller's :class:`~kamscore.auth.scope.Scope` and applies
it in SQL; facts also leave out survey figures of groups under the minimum size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kamscore.auth.scope import Scope
from kamscore.facts.reportable import reportable_facts
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    Fact,
    Period,
    Person,
    Product,
    ProductPhase,
    Stakeholder,
    Team,
    TeamMember,
)


def _id_of(model: Any, code: str) -> Any:
    """A scalar subquery: the id of the ``model`` row with this code (NULL if none)."""
    return select(model.id).where(model.code == code).scalar_subquery()


def get_by_code(session: Session, model: Any, code: str, *options: Any,
                where: Any = None) -> Any:
    """The object of ``model`` with natural key ``code``, or None; ``where`` (a scope's
    filter) must hold too."""
    stmt = select(model).where(model.code == code).options(*options)
    return session.scalar(stmt if where is None else stmt.where(where))


def select_people(*, role: str | None = None, manager: str | None = None) -> Select[Any]:
    stmt = select(Person).options(joinedload(Person.manager)).order_by(Person.code)
    if role:
        stmt = stmt.where(Person.role == role)
    if manager:
        stmt = stmt.where(Person.manager_id == _id_of(Person, manager))
    return stmt


TEAM_OPTIONS = (
    joinedload(Team.lead),
    selectinload(Team.members).joinedload(TeamMember.person),
)


def select_teams(*, member: str | None = None) -> Select[Any]:
    stmt = select(Team).options(*TEAM_OPTIONS).order_by(Team.code)
    if member:
        stmt = stmt.where(Team.members.any(TeamMember.person_id == _id_of(Person, member)))
    return stmt


def select_accounts(
    scope: Scope,
    *,
    segment: str | None = None,
    type: str | None = None,
    team: str | None = None,
    region: str | None = None,
) -> Select[Any]:
    stmt = (select(Account).options(joinedload(Account.team)).order_by(Account.code)
            .where(scope.accounts(Account.id)))
    if segment:
        stmt = stmt.where(Account.segment == segment)
    if type:
        stmt = stmt.where(Account.type == type)
    if team:
        stmt = stmt.where(Account.team_id == _id_of(Team, team))
    if region:
        stmt = stmt.where(Account.region == region)
    return stmt


ASSIGNMENT_OPTIONS = (joinedload(Assignment.person), joinedload(Assignment.account))


def select_assignments(
    scope: Scope, *, person: str | None = None, account: str | None = None,
    active_on: dt.date | None = None,
) -> Select[Any]:
    stmt = (select(Assignment).options(*ASSIGNMENT_OPTIONS).order_by(Assignment.id)
            .where(scope.accounts(Assignment.account_id)))
    if person:
        stmt = stmt.where(Assignment.person_id == _id_of(Person, person))
    if account:
        stmt = stmt.where(Assignment.account_id == _id_of(Account, account))
    if active_on:
        stmt = stmt.where(
            Assignment.start_date <= active_on,
            or_(Assignment.end_date.is_(None), Assignment.end_date >= active_on),
        )
    return stmt


def select_stakeholders(scope: Scope, *, account: str | None = None,
                        role: str | None = None) -> Select[Any]:
    stmt = (select(Stakeholder).options(joinedload(Stakeholder.account))
            .order_by(Stakeholder.id).where(scope.accounts(Stakeholder.account_id)))
    if account:
        stmt = stmt.where(Stakeholder.account_id == _id_of(Account, account))
    if role:
        stmt = stmt.where(Stakeholder.role == role)
    return stmt


PRODUCT_OPTIONS = (selectinload(Product.phases).joinedload(ProductPhase.period),)


def select_products(*, therapeutic_area: str | None = None) -> Select[Any]:
    stmt = select(Product).options(*PRODUCT_OPTIONS).order_by(Product.code)
    if therapeutic_area:
        stmt = stmt.where(Product.therapeutic_area == therapeutic_area)
    return stmt


def select_periods(*, kind: str | None = None, status: str | None = None) -> Select[Any]:
    stmt = select(Period).order_by(Period.start_date, Period.code)
    if kind:
        stmt = stmt.where(Period.kind == kind)
    if status:
        stmt = stmt.where(Period.status == status)
    return stmt


FACT_OPTIONS = (
    joinedload(Fact.period),
    joinedload(Fact.account),
    joinedload(Fact.person),
    joinedload(Fact.team),
    joinedload(Fact.product),
)


def select_facts(
    scope: Scope,
    survey_minimum: int,
    *,
    period: str | None = None,
    name: str | None = None,
    account: str | None = None,
    person: str | None = None,
    team: str | None = None,
    product: str | None = None,
) -> Select[Any]:
    stmt = (select(Fact).options(*FACT_OPTIONS).order_by(Fact.id)
            .where(scope.facts(), reportable_facts(survey_minimum)))
    if period:
        stmt = stmt.where(Fact.period_id == _id_of(Period, period))
    if name:
        stmt = stmt.where(Fact.name == name)
    for column, model, code in (
        (Fact.account_id, Account, account),
        (Fact.person_id, Person, person),
        (Fact.team_id, Team, team),
        (Fact.product_id, Product, product),
    ):
        if code:
            stmt = stmt.where(column == _id_of(model, code))
    return stmt


PLAN_OPTIONS = (
    joinedload(AccountPlan.account),
    joinedload(AccountPlan.period),
    joinedload(AccountPlan.owner),
    joinedload(AccountPlan.rated_by),
    selectinload(AccountPlan.objectives),
    selectinload(AccountPlan.actions),
)


def select_plans(
    scope: Scope, *, period: str | None = None, account: str | None = None, owner: str | None = None
) -> Select[Any]:
    stmt = (select(AccountPlan).options(*PLAN_OPTIONS).order_by(AccountPlan.id)
            .where(scope.accounts(AccountPlan.account_id)))
    if period:
        stmt = stmt.where(AccountPlan.period_id == _id_of(Period, period))
    if account:
        stmt = stmt.where(AccountPlan.account_id == _id_of(Account, account))
    if owner:
        stmt = stmt.where(AccountPlan.owner_id == _id_of(Person, owner))
    return stmt


def get_plan(session: Session, scope: Scope, account: str, period: str
             ) -> AccountPlan | None:
    """The plan of account ``account`` for period ``period`` (both codes), if in scope."""
    return session.scalar(
        select(AccountPlan)
        .where(
            AccountPlan.account_id == _id_of(Account, account),
            AccountPlan.period_id == _id_of(Period, period),
            scope.accounts(AccountPlan.account_id),
        )
        .options(*PLAN_OPTIONS)
    )


def get_by_id(session: Session, model: Any, id_: int, *options: Any,
              where: Any = None) -> Any:
    """The ``model`` row with this id, or None; ``where`` (a scope's filter) must hold too."""
    stmt = select(model).where(model.id == id_).options(*options)
    return session.scalar(stmt if where is None else stmt.where(where))
