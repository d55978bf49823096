"""A small generated population in the database, for the loader and query-count tests.

``seed_population(session, n)`` writes ``n`` KAMs, each leading a team with one MSL, with two
accounts (one shared with the next KAM from mid-February), products in two lifecycle phases,
facts for 2026-Q1 and 2025-Q1 (every name the built-in metrics read, survey facts included),
an account plan per account with objectives and actions, and DMU stakeholders. Everything a
built-in metric can read is there, so every metric has data and every loader query returns
rows; only the number of rows grows with ``n``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kamscore.models import (
    Account,
    AccountPlan,
    AccountType,
    Assignment,
    Fact,
    LifecyclePhase,
    Period,
    PeriodKind,
    Person,
    PlanAction,
    PlanObjective,
    Product,
    ProductPhase,
    Role,
    Stakeholder,
    StakeholderRole,
    Team,
    TeamMember,
)

D = dt.date
Q1 = ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31))
Q1_2025 = ("2025-Q1", D(2025, 1, 1), D(2025, 3, 31))


def _fact(period, name, value=None, *, account=None, person=None, team=None, product=None,
          category=None, unit="EUR"):
    return Fact(
        period=period, name=name, value=value, category=category, unit=unit, source="test",
        account=account, person=person, team=team, product=product,
        subject_key=Fact.make_subject_key(
            account.code if account else None, person.code if person else None,
            team.code if team else None, product.code if product else None),
    )


def seed_population(session: Session, n: int) -> None:
    """Write the population described in the module docstring and commit."""
    q1 = Period(code=Q1[0], kind=PeriodKind.QUARTER, start_date=Q1[1], end_date=Q1[2])
    q1_before = Period(code=Q1_2025[0], kind=PeriodKind.QUARTER, start_date=Q1_2025[1],
                       end_date=Q1_2025[2])
    products = [Product(code="P1", name="Oncolin"), Product(code="P2", name="Cardiomax")]
    session.add_all([q1, q1_before, *products])
    session.add_all([ProductPhase(product=products[0], period=q1, phase=LifecyclePhase.GROWTH),
                     ProductPhase(product=products[1], period=q1, phase=LifecyclePhase.LAUNCH)])
    manager = Person(code="M0001", name="Manager", role=Role.MANAGER)
    session.add(manager)
    kams, accounts = [], []
    for i in range(n):
        kam = Person(code=f"K{i:04d}", name=f"KAM {i}", role=Role.KAM, grade="G2",
                     base_salary=80_000 + i, manager=manager)
        msl = Person(code=f"S{i:04d}", name=f"MSL {i}", role=Role.MSL)
        team = Team(code=f"T{i:04d}", name=f"Team {i}", lead=kam)
        team.members = [TeamMember(person=kam, function=Role.KAM),
                        TeamMember(person=msl, function=Role.MSL)]
        session.add_all([kam, msl, team])
        kams.append(kam)
        for j in range(2):
            account = Account(code=f"A{i:04d}{j}", name=f"Hospital {i}-{j}",
                              type=AccountType.HOSPITAL, segment=("strategic", "key")[j],
                              team=team)
            session.add(account)
            accounts.append(account)
            session.add_all([
                Stakeholder(account=account, name=f"Dr {i}-{j}-{k}", email=f"s{i}{j}{k}@x.org",
                            role=StakeholderRole.PHYSICIAN, is_key=k < 2) for k in range(3)])
            _account_facts(session, q1, q1_before, account, products, i + j)
            plan = AccountPlan(account=account, period=q1, owner=kam, quality_rating=3 + j)
            plan.objectives = [PlanObjective(code="O1", description="grow", met=True),
                               PlanObjective(code="O2", description="list", met=j == 0)]
            plan.actions = [PlanAction(code="X1", description="meet", due_date=D(2026, 2, 1),
                                       done_date=D(2026, 1 + j, 20))]
            session.add(plan)
        session.add_all([
            _fact(q1, "team_goal_actual", 90 + i, team=team, unit="count"),
            _fact(q1, "team_goal_target", 100, team=team, unit="count"),
            _fact(q1, "survey.scale:collaboration.others.mean", 4.0, person=kam, unit="score"),
            _fact(q1, "survey.scale:collaboration.others.n", 4, person=kam, unit="count"),
            _fact(q1, "survey.scale:collaboration.self.mean", 4.5, person=kam, unit="score"),
            _fact(q1, "survey.scale:collaboration.self.n", 1, person=kam, unit="count"),
        ])
    for i, kam in enumerate(kams):
        own, shared = accounts[2 * i], accounts[2 * i + 1]
        session.add(Assignment(person=kam, account=own, start_date=D(2025, 1, 1)))
        # the second account passes to the next KAM on 15 February
        session.add(Assignment(person=kam, account=shared, start_date=D(2025, 1, 1),
                               end_date=D(2026, 2, 14)))
        successor = kams[(i + 1) % n]
        session.add(Assignment(person=successor, account=shared, start_date=D(2026, 2, 15)))
    session.commit()


def _account_facts(session, q1, q1_before, account, products, seed):
    rows = []
    for p, product in enumerate(products):
        rows += [
            _fact(q1, "net_sales", 1000 * (p + 1) + seed, account=account, product=product),
            _fact(q1_before, "net_sales", 900 * (p + 1), account=account, product=product),
            _fact(q1, "sales_target", 1000 * (p + 1), account=account, product=product),
            _fact(q1, "gross_profit", 600 * (p + 1), account=account, product=product),
            _fact(q1, "formulary_status", account=account, product=product, unit="status",
                  category=("listed", "restricted")[p]),
        ]
    rows += [
        _fact(q1, "market_share", 20 + seed % 10, account=account, unit="pct"),
        _fact(q1, "penetration_index", 90 + seed % 20, account=account, unit="index"),
        _fact(q1, "tenders_won", 2, account=account, unit="count"),
        _fact(q1, "tenders_lost", 1, account=account, unit="count"),
        _fact(q1, "formulary_wins", 1, account=account, unit="count"),
        _fact(q1, "formulary_losses", 1, account=account, unit="count"),
        _fact(q1, "investment", 500, account=account),
        _fact(q1, "dmu_key_engaged", 1, account=account, unit="count"),
        _fact(q1, "survey.overall_satisfaction.all.count.5", 2, account=account, unit="count"),
        _fact(q1, "survey.overall_satisfaction.all.count.3", 1, account=account, unit="count"),
        _fact(q1, "survey.nps.all.count.10", 2, account=account, unit="count"),
        _fact(q1, "survey.nps.all.count.4", 1, account=account, unit="count"),
        _fact(q1, "survey.scale:relationship_quality.all.mean", 4.0, account=account,
              unit="score"),
        _fact(q1, "survey.scale:relationship_quality.all.n", 3, account=account, unit="count"),
    ]
    session.add_all(rows)
