"""A tiny hand-built population in the database and a ruleset whose payouts are worked out
by hand (see ``TINY_PLAN`` and ``EXPECTED``), and helpers to publish a ruleset and change a
fact.

Period 2026-Q1 runs from 1 January to 31 March 2026: 90 days. Four KAMs, one account each:

====  =========  ==========  ============  =========================  ======================
KAM   role from  net sales   sales target  formulary status           notes
====  =========  ==========  ============  =========================  ======================
K1    2020       1,100,000   1,000,000     listed (100 points)
K2    2020         900,000   1,000,000     restricted (50 points)
K3    2020         700,000   1,000,000     not listed (0 points)
K4    15 Feb      1,200,000   1,000,000     none                       45 of 90 days in role
====  =========  ==========  ============  =========================  ======================
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass

from sqlalchemy import select

from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    Fact,
    Period,
    PeriodKind,
    Person,
    Role,
    User,
)
from kamscore.scoring import lifecycle

Q1_START, Q1_END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)

TINY_PLAN = textwrap.dedent("""\
    name: tiny
    version: 1
    title: Tiny plan
    period: quarter
    currency: EUR
    rounding: {step: 0.01, mode: half_even}
    eligibility: {roles: [kam], min_days: 30, prorate: true}
    target_incentive: {amount: 1000}
    components:
      - id: sales
        title: Sales attainment
        metric: sales_attainment
        weight: 70
        curve:
          points:
            - {at: 80%, pays: 0.5, label: threshold}
            - {at: 100%, pays: 1.0, label: target}
            - {at: 120%, pays: 1.5, label: cap}
      - id: formulary
        title: Formulary status
        metric: formulary_status
        weight: 30
        missing: at_target
        lookup:
          table: {100: 1.0, 50: 0.5, 0: 0}
    """)

#: Hand-worked payouts of TINY_PLAN on the tiny population:
#: K1: sales 1.1 is half-way target..cap: factor 1.25 x 70 % = 0.875; listed 1.0 x 30 % = 0.3;
#:     1.175 x 1000 = 1175.00
#: K2: sales 0.9 half-way threshold..target: 0.75 x 70 % = 0.525; restricted 0.5 x 30 % = 0.15;
#:     0.675 x 1000 = 675.00
#: K3: sales 0.7 is below the threshold: 0; not listed: 0; 0.00
#: K4: credited half of his account's figures (45 of 90 days): 600,000 / 500,000 = 1.2, at the
#:     cap: 1.5 x 70 % = 1.05; no formulary status: at target 1.0 x 30 % = 0.3;
#:     1.35 x 1000 x 45/90 = 675.00
EXPECTED = {"K1": "1175.00", "K2": "675.00", "K3": "0.00", "K4": "675.00"}


@dataclass
class Tiny:
    period_id: int
    people: dict[str, int]
    accounts: dict[str, int]


def _fact(period_id: int, name: str, account: Account, *, value: float | None = None,
          category: str | None = None, unit: str = "EUR") -> Fact:
    return Fact(period_id=period_id, name=name,
                subject_key=Fact.make_subject_key(account=account.code), account_id=account.id,
                value=value, category=category, unit=unit, source="test")


def build_tiny(session) -> Tiny:
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=Q1_START,
                    end_date=Q1_END)
    session.add(period)
    rows = [
        ("K1", dt.date(2020, 1, 1), 1_100_000, "listed"),
        ("K2", dt.date(2020, 1, 1), 900_000, "restricted"),
        ("K3", dt.date(2020, 1, 1), 700_000, "not_listed"),
        ("K4", dt.date(2026, 2, 15), 1_200_000, None),
    ]
    people, accounts = {}, {}
    session.flush()
    for index, (code, since, sales, status) in enumerate(rows, start=1):
        person = Person(code=code, name=f"Kam {code}", role=Role.KAM, base_salary=80_000,
                        start_date=since)
        account = Account(code=f"A{index}", name=f"Hospital {index}", type=AccountType.HOSPITAL,
                          segment="key", region="North")
        session.add_all([person, account])
        session.flush()
        session.add(Assignment(person_id=person.id, account_id=account.id, start_date=since))
        session.add(_fact(period.id, "net_sales", account, value=sales))
        session.add(_fact(period.id, "sales_target", account, value=1_000_000))
        if status:
            session.add(_fact(period.id, "formulary_status", account, category=status,
                              unit="status"))
        people[code], accounts[f"A{index}"] = person.id, account.id
    session.add_all([
        _user("ana", "analyst"), _user("alice", "analyst"), _user("bob", "approver"),
        _user("carol", "analyst approver"),
        _user("kim", "kam"),  # linked to his person by the tests that use him
    ])
    session.commit()
    return Tiny(period.id, people, accounts)


def _user(username: str, roles: str) -> User:
    user = User(username=username, name=username.title(), roles=roles)
    user.set_password("secret-" + username)
    return user


def publish(session, pm, source: str = TINY_PLAN, *, filename: str = "tiny.yaml",
            drafter: str = "ana", approver: str = "bob"):
    """Import, approve and publish ``source``; returns the published version."""
    version = lifecycle.import_ruleset(session, pm, source, filename, user=drafter)
    lifecycle.approve_version(session, version.name, version.version, user=approver)
    return lifecycle.publish_version(session, version.name, version.version, user=drafter)


def set_fact(session, period_id: int, account_code: str, name: str, value: float) -> None:
    account = session.scalar(select(Account).where(Account.code == account_code))
    fact = session.scalar(select(Fact).where(Fact.period_id == period_id, Fact.name == name,
                                             Fact.account_id == account.id))
    fact.value = value
    session.commit()
