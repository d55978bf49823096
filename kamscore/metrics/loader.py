"""Loading a period's :class:`MetricContext` from the database (service layer).

One query per table — people, accounts, assignments, facts (the period and the same period a
year earlier), plans, objectives, actions, stakeholders, teams, team members, product
phases — plus whatever the ``kamscore_survey_results`` provider runs (one query for the
default one). The count does not depend on the number of KAMs: metrics never query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

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
from .context import MetricContext, PeriodInfo


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
    ``roles``, with survey results from the ``kamscore_survey_results`` hook of ``pm``."""
    current = find_period(session, period)
    previous = session.scalar(select(Period).where(
        Period.kind == current.kind, Period.start_date == year_earlier(current.start_date)))
    role_values = [str(r) for r in roles]
    return assemble_context(
        period_info(current),
        people=_people(session, current, role_values),
        accounts=_accounts(session),
        assignments=_assignments(session, current, role_values),
        facts=_facts(session, current.id),
        previous_year=period_info(previous) if previous is not None else None,
        previous_facts=_facts(session, previous.id) if previous is not None else (),
        plans=session.execute(
            select(Account.code, Person.code, AccountPlan.quality_rating)
            .join(Account, AccountPlan.account_id == Account.id)
            .join(Person, AccountPlan.owner_id == Person.id)
            .where(AccountPlan.period_id == current.id)).all(),
        objectives=session.execute(
            select(Account.code, PlanObjective.code, PlanObjective.target, PlanObjective.actual,
                   PlanObjective.met)
            .join(AccountPlan, PlanObjective.plan_id == AccountPlan.id)
            .join(Account, AccountPlan.account_id == Account.id)
            .where(AccountPlan.period_id == current.id)).all(),
        actions=session.execute(
            select(Account.code, PlanAction.code, PlanAction.due_date, PlanAction.done_date)
            .join(AccountPlan, PlanAction.plan_id == AccountPlan.id)
            .join(Account, AccountPlan.account_id == Account.id)
            .where(AccountPlan.period_id == current.id)).all(),
        stakeholders=session.execute(
            select(Account.code, Stakeholder.role, Stakeholder.influence,
                   Stakeholder.partnership_level, Stakeholder.is_key)
            .join(Account, Stakeholder.account_id == Account.id)).all(),
        teams=_teams(session),
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


def _accounts(session: Session) -> list:
    return session.execute(
        select(Account.code, Account.name, Account.type, Account.segment, Account.region,
               Team.code).outerjoin(Team, Account.team_id == Team.id)
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


def _facts(session: Session, period_id: int) -> list:
    person, team, account, product = (aliased(Person), aliased(Team), aliased(Account),
                                      aliased(Product))
    return session.execute(
        select(Fact.name, account.code, person.code, team.code, product.code, Fact.value,
               Fact.category, Fact.unit)
        .outerjoin(account, Fact.account_id == account.id)
        .outerjoin(person, Fact.person_id == person.id)
        .outerjoin(team, Fact.team_id == team.id)
        .outerjoin(product, Fact.product_id == product.id)
        .where(Fact.period_id == period_id)
    ).all()


def _teams(session: Session) -> list:
    lead = aliased(Person)
    return session.execute(
        select(Team.code, Team.name, lead.code).outerjoin(lead, Team.lead_id == lead.id)
    ).all()


def _survey_results(session: Session, period: Period, pm: object) -> SurveyResults:
    hook = getattr(pm, "hook", None)
    results = hook.kamscore_survey_results(session=session, period=period) if hook else None
    return results if results is not None else SurveyResults(source="none")
