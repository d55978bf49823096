"""Build the demo database: the organisation, accounts, two years of facts, plans, users and
survey campaigns (``campaigns``: two closed with results, one open).

``prepare_demo`` is what ``kamscore demo`` calls: it builds into an empty database, leaves a
database that already holds data alone (so running the demo twice simply serves it again),
and rebuilds from scratch when asked to reset. Everything happens in the caller's
transaction: a build that fails half-way leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from kamscore.demo.account_facts import write_account_facts, write_team_facts
from kamscore.demo.accounts import build_accounts, build_stakeholders
from kamscore.demo.bulk import constraints_deferred, sqlite_triggers_lifted
from kamscore.demo.campaigns import DemoCampaigns, build_campaigns
from kamscore.demo.catalog import build_periods, build_products
from kamscore.demo.facts import FactSink, SalesModel, fact_source
from kamscore.demo.imports import build_imports
from kamscore.demo.org import build_org
from kamscore.demo.plans import build_plans
from kamscore.demo.spec import DemoSpec
from kamscore.demo.survey_facts import write_survey_facts
from kamscore.demo.users import DemoUser, build_users, demo_users
from kamscore.facts.columns import refresh_snapshots
from kamscore.facts.table_snapshots import refresh_table_snapshots
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    Base,
    Campaign,
    Fact,
    Period,
    Person,
    PlanAction,
    PlanObjective,
    Product,
    Stakeholder,
    SurveyResponse,
    Team,
    TeamMember,
    User,
)
from kamscore.surveys.aggregate_store import Minimums

#: What the summary counts, in the order it is printed.
COUNTED = {
    "people": Person, "teams": Team, "team members": TeamMember, "accounts": Account,
    "assignments": Assignment, "stakeholders": Stakeholder, "products": Product,
    "periods": Period, "facts": Fact, "account plans": AccountPlan,
    "plan objectives": PlanObjective, "plan actions": PlanAction, "users": User,
    "campaigns": Campaign, "survey responses": SurveyResponse,
}


class DemoError(RuntimeError):
    """The demo cannot be built into this database as asked."""


@dataclass
class DemoSummary:
    """What ``prepare_demo`` did and what the database now holds."""

    built: bool  # False: the database already held data and was left as it was
    spec: DemoSpec
    counts: dict[str, int]
    kams: int
    users: list[DemoUser] = field(default_factory=list)
    seconds: float = 0.0
    surveys: DemoCampaigns = field(default_factory=DemoCampaigns)


def prepare_demo(session: Session, spec: DemoSpec, *, reset: bool = False,
                 minimums: Minimums | None = None, now: dt.datetime | None = None,
                 ) -> DemoSummary:
    """Build the demo unless the database already holds data; with ``reset``, rebuild it."""
    if reset:
        clear_database(session)
    elif not is_empty(session):
        return DemoSummary(built=False, spec=spec, counts=count_rows(session),
                           kams=_count_kams(session))
    return build_demo(session, spec, minimums=minimums, now=now)


def build_demo(session: Session, spec: DemoSpec, *, minimums: Minimums | None = None,
               now: dt.datetime | None = None) -> DemoSummary:
    """Build the demo described by ``spec`` into an empty database.

    ``minimums`` are the survey settings' minimum group sizes the closed campaigns' results
    are computed with (default: kamscore's defaults); ``now`` is when the open campaign
    is running (default: now).
    """
    if not is_empty(session):
        raise DemoError("the database already holds data; the demo is built into an empty one")
    started = time.perf_counter()
    periods, period_ids = build_periods(session, spec.business_year)
    product_ids = build_products(session, periods, period_ids)
    org = build_org(session, spec)
    accounts = build_accounts(session, spec, org)
    build_stakeholders(session, spec, accounts)

    with constraints_deferred(session, Fact):
        sink = FactSink(session, fact_source(spec))
        sales = SalesModel(spec, org, accounts)
        sales.write(sink, sales.subjects(accounts, product_ids), periods, period_ids)
        write_account_facts(sink, spec, accounts, sales, periods, period_ids)
        write_team_facts(sink, spec, org, periods, period_ids)
        write_survey_facts(sink, spec, org, accounts, sales, periods, period_ids)
        sink.close()

    build_plans(session, spec, org, accounts, periods, period_ids)
    users = build_users(session, org)
    surveys = DemoCampaigns()
    if spec.with_campaigns:
        surveys = build_campaigns(session, spec, org, accounts, sales.effect, periods,
                                  minimums or Minimums(), now or dt.datetime.now(dt.UTC))
    refresh_snapshots(session)
    refresh_table_snapshots(session)
    build_imports(session)
    session.flush()
    return DemoSummary(built=True, spec=spec, counts=count_rows(session), kams=len(org.kams),
                       users=users, seconds=time.perf_counter() - started, surveys=surveys)


def is_empty(session: Session) -> bool:
    """True when no table of the schema holds a row."""
    return not any(
        session.execute(select(text("1")).select_from(table).limit(1)).first()
        for table in Base.metadata.sorted_tables
    )


def count_rows(session: Session) -> dict[str, int]:
    return {
        label: session.scalar(select(func.count()).select_from(model)) or 0
        for label, model in COUNTED.items()
    }


def _count_kams(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person).where(Person.role == "kam"))


def clear_database(session: Session) -> None:
    """Delete every row of every table (the schema and its revision stay).

    Score runs and lines are immutable in the database (triggers refuse UPDATE and DELETE,
    migration 0004). PostgreSQL's TRUNCATE fires no row triggers (the one that empties the
    fact snapshots, migration 0005, fires and finds them empty already); on SQLite the
    triggers are dropped and created again, from their own stored text, within this one
    transaction.
    """
    tables = Base.metadata.sorted_tables
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    with sqlite_triggers_lifted(session):
        for table in reversed(tables):
            session.execute(delete(table))


__all__ = ["DemoError", "DemoSummary", "build_demo", "demo_users", "prepare_demo"]
