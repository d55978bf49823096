"""The demo generator: counts at size 1, linear scaling, determinism, plausible figures,
the facts the metric plugins read, reuse/reset, and all-or-nothing building."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest
from sqlalchemy import func, inspect, select, text

from kamscore.auth.sign_in import authenticate
from kamscore.demo import (
    DEMO_PASSWORD,
    DemoError,
    DemoSpec,
    build_demo,
    clear_database,
    is_empty,
    prepare_demo,
)
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    Fact,
    FactSnapshot,
    LifecyclePhase,
    Period,
    PeriodStatus,
    Person,
    PlanAction,
    PlanObjective,
    Product,
    ProductPhase,
    Role,
    Stakeholder,
    Team,
    TeamMember,
    User,
)

YEAR = 2025


def build(session, size: float = 1.0, seed: int = 42):
    summary = build_demo(session, DemoSpec(size=size, seed=seed, year=YEAR))
    session.commit()
    return summary


def dump(session) -> dict[str, list[tuple]]:
    """The whole demo by natural keys (ids may differ between databases)."""
    person = {i: c for i, c in session.execute(select(Person.id, Person.code))}
    account = {i: c for i, c in session.execute(select(Account.id, Account.code))}
    period = {i: c for i, c in session.execute(select(Period.id, Period.code))}
    return {
        "people": sorted(session.execute(
            select(Person.code, Person.name, Person.email, Person.role, Person.grade,
                   Person.base_salary, Person.start_date, Person.end_date))),
        "accounts": sorted(session.execute(
            select(Account.code, Account.name, Account.type, Account.segment, Account.region))),
        "assignments": sorted(
            (person[p], account[a], s, e, sh) for p, a, s, e, sh in session.execute(
                select(Assignment.person_id, Assignment.account_id, Assignment.start_date,
                       Assignment.end_date, Assignment.share))),
        "stakeholders": sorted(
            (account[a], n, e, str(r), i, p, k, lang) for a, n, e, r, i, p, k, lang in
            session.execute(select(
                Stakeholder.account_id, Stakeholder.name, Stakeholder.email, Stakeholder.role,
                Stakeholder.influence, Stakeholder.partnership_level, Stakeholder.is_key,
                Stakeholder.language))),
        "facts": sorted(
            (period[p], n, k, v, c) for p, n, k, v, c in session.execute(
                select(Fact.period_id, Fact.name, Fact.subject_key, Fact.value, Fact.category))),
        "objectives": sorted(
            (account[a], c, d, t, ac) for a, c, d, t, ac in session.execute(
                select(AccountPlan.account_id, PlanObjective.code, PlanObjective.description,
                       PlanObjective.target, PlanObjective.actual).join(PlanObjective.plan))),
        "actions": sorted(
            (account[a], c, due, done) for a, c, due, done in session.execute(
                select(AccountPlan.account_id, PlanAction.code, PlanAction.due_date,
                       PlanAction.done_date).join(PlanAction.plan))),
    }


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def facts_by(session, name: str, period: str) -> dict[str, float]:
    return dict(session.execute(
        select(Fact.subject_key, Fact.value).join(Fact.period)
        .where(Fact.name == name, Period.code == period)
    ).all())


def test_size_one_is_the_organisation_the_issue_describes(session):
    summary = build(session)

    assert summary.kams == 40
    assert count(session, Team) == 8
    assert count(session, Account) == 300
    assert count(session, Product) == 6
    assert Counter(session.scalars(select(Account.segment))).keys() == {
        "strategic", "key", "development"}
    assert {str(t) for t in session.scalars(select(Account.type).distinct())} == {
        "hospital", "idn", "payer", "gpo"}
    # every team: a KAM lead, other KAMs, and the four cross-functional functions
    for team in session.scalars(select(Team)):
        functions = Counter(str(m.function) for m in team.members)
        assert team.lead.role is Role.KAM
        assert functions["kam"] >= 2
        assert {"msl", "market_access", "marketing", "health_economics"} <= functions.keys()
    # managers above KAMs, and a head above the managers
    kams = session.scalars(select(Person).where(Person.role == Role.KAM)).all()
    assert all(k.manager.role is Role.MANAGER and k.manager.manager is not None for k in kams)
    # DMU stakeholders with e-mails on example.org, some answering in Traditional Chinese
    emails = session.scalars(select(Stakeholder.email)).all()
    assert len(emails) >= 300 * 2 and all(e.endswith(".example.org") for e in emails)
    assert count(session, Stakeholder, Stakeholder.language == "zh-Hant") > 10
    # periods: eight quarters and two years; last year closed, the business year open
    statuses = dict(session.execute(select(Period.code, Period.status)).all())
    assert statuses["2024-Q3"] is PeriodStatus.CLOSED and statuses["2024"] is PeriodStatus.CLOSED
    assert statuses["2025-Q1"] is PeriodStatus.OPEN and statuses["2025"] is PeriodStatus.OPEN
    assert len(statuses) == 10
    phases = set(session.scalars(select(ProductPhase.phase).distinct()))
    assert phases == set(LifecyclePhase)
    assert summary.counts["account plans"] > 100
    assert summary.counts["plan actions"] > summary.counts["account plans"] * 3


def test_some_kams_change_accounts_mid_period(session):
    build(session)
    ended = session.execute(
        select(Assignment).where(Assignment.end_date.is_not(None))
    ).scalars().all()
    assert ended, "handovers end some assignments"
    for old in ended:
        successor = session.scalar(select(Assignment).where(
            Assignment.account_id == old.account_id,
            Assignment.start_date == old.end_date + dt.timedelta(days=1)))
        assert successor is not None and successor.person_id != old.person_id
        assert old.end_date.day not in (1,) and old.end_date.month not in (3, 6, 9, 12)
    joiners = session.scalars(select(Person).where(
        Person.role == Role.KAM, Person.start_date == dt.date(YEAR, 4, 1))).all()
    leavers = session.scalars(select(Person).where(Person.end_date.is_not(None))).all()
    assert len(joiners) == 2 and len(leavers) == 1
    shared = session.scalars(select(Assignment).where(Assignment.share < 1)).all()
    assert {a.share for a in shared} <= {0.6, 0.4}


def test_the_facts_the_metric_plugins_read_are_there(session):
    build(session)
    names = set(session.scalars(select(Fact.name).distinct()))
    assert {
        "net_sales", "sales_target", "market_share", "penetration_index", "tenders_won",
        "tenders_lost", "formulary_wins", "formulary_losses", "formulary_status",
        "gross_profit", "investment", "dmu_key_engaged", "team_goal_actual",
        "team_goal_target",
    } <= names
    survey = {n for n in names if n.startswith("survey.")}
    assert "survey.scale:relationship_quality.all.mean" in survey
    assert "survey.scale:collaboration.others.n" in survey
    assert any(n.startswith("survey.nps.all.count.") for n in survey)
    assert any(n.startswith("survey.overall_satisfaction.all.count.") for n in survey)
    # survey results sit on the year, account facts about accounts, 360s about people
    year = session.scalar(select(Period.id).where(Period.code == str(YEAR)))
    assert set(session.scalars(
        select(Fact.period_id).where(Fact.name.like("survey.%")).distinct())) == {year}
    assert count(session, Fact, Fact.name.like("survey.scale:collaboration%"),
                 Fact.person_id.is_(None)) == 0
    # formulary status is a category, everything else a number
    categories = set(session.scalars(select(Fact.category).where(
        Fact.name == "formulary_status").distinct()))
    assert categories == {"listed", "restricted", "not_listed"}
    assert count(session, Fact, Fact.name != "formulary_status", Fact.value.is_(None)) == 0
    # last year holds net sales only (for growth), on closed quarters
    last_year = set(session.scalars(select(Fact.name).join(Fact.period).where(
        Period.code.like(f"{YEAR - 1}-%")).distinct()))
    assert last_year == {"net_sales"}


def test_figures_have_a_plausible_spread(session):
    build(session)
    attainment = []
    for quarter in range(1, 5):
        sales = facts_by(session, "net_sales", f"{YEAR}-Q{quarter}")
        target = facts_by(session, "sales_target", f"{YEAR}-Q{quarter}")
        attainment += [sales[k] / target[k] for k in target]
    attainment = np.array(attainment)
    assert 0.9 < np.median(attainment) < 1.1
    assert 0.05 < attainment.std() < 0.4
    assert (attainment > 1.2).any() and (attainment < 0.8).any()

    def product_sales(code: str, period: str) -> float:
        return sum(v for k, v in facts_by(session, "net_sales", period).items()
                   if k.endswith(f"product:{code}"))

    # loss of exclusivity (Glucara, P04, from Q3): sales fall against last year
    assert product_sales("P04", f"{YEAR}-Q4") < 0.7 * product_sales("P04", f"{YEAR - 1}-Q4")
    # Immunel (P03) launches in Q2: nothing sold before
    assert product_sales("P03", f"{YEAR}-Q1") == 0 < product_sales("P03", f"{YEAR}-Q2")
    # strategic accounts are bigger than development accounts
    sales = facts_by(session, "net_sales", f"{YEAR}-Q2")
    segment = dict(session.execute(select(Account.code, Account.segment)).all())
    by_segment: dict[str, list[float]] = {}
    for key, value in sales.items():
        by_segment.setdefault(segment[key.split("/")[0].split(":")[1]], []).append(value)
    assert np.median(by_segment["strategic"]) > 3 * np.median(by_segment["development"])
    shares = np.array(list(facts_by(session, "market_share", f"{YEAR}-Q4").values()))
    assert shares.min() >= 0 and shares.max() <= 100 and 10 < shares.mean() < 60
    late = count(session, PlanAction, PlanAction.done_date > PlanAction.due_date)
    missed = count(session, PlanAction, PlanAction.done_date.is_(None))
    assert late > 0 and missed > 0
    assert count(session, PlanObjective, PlanObjective.met.is_(True)) > 0
    assert count(session, PlanObjective, PlanObjective.met.is_(False)) > 0


def test_same_seed_builds_the_same_data_and_another_seed_does_not(session):
    build(session, size=0.5, seed=3)
    first = dump(session)
    clear_database(session)
    session.commit()
    assert is_empty(session)
    build(session, size=0.5, seed=3)
    assert dump(session) == first
    clear_database(session)
    build(session, size=0.5, seed=4)
    other = dump(session)
    assert other["facts"] != first["facts"] and other["people"] != first["people"]


@pytest.mark.parametrize(("size", "kams", "teams", "accounts"),
                         [(0.1, 4, 1, 30), (0.5, 20, 4, 150), (2, 80, 16, 600)])
def test_size_scales_the_same_generator_linearly(session, size, kams, teams, accounts):
    summary = build(session, size=size)
    assert (summary.kams, summary.counts["teams"], summary.counts["accounts"]) == (
        kams, teams, accounts)
    per_account = summary.counts["facts"] / accounts
    assert 65 < per_account < 100  # the same density of facts at every size


def test_demo_users_sign_in_with_the_demo_password(session):
    build(session, size=0.1)
    roles = dict(session.execute(select(User.username, User.roles)).all())
    assert roles == {"analyst": "analyst", "approver": "approver", "admin": "admin",
                     "surveys": "survey_admin", "auditor": "auditor", "manager": "manager",
                     "kam": "kam"}
    assert authenticate(session, "analyst", DEMO_PASSWORD).username == "analyst"
    assert authenticate(session, "analyst", "wrong") is None
    kam_user = session.scalar(select(User).where(User.username == "kam"))
    assert kam_user.person.role is Role.KAM


def test_an_existing_database_is_reused_unless_reset(session):
    built = prepare_demo(session, DemoSpec(size=0.1, year=YEAR))
    session.commit()
    assert built.built
    again = prepare_demo(session, DemoSpec(size=0.5, year=YEAR))
    assert not again.built and again.counts == built.counts and again.kams == 4
    rebuilt = prepare_demo(session, DemoSpec(size=0.5, year=YEAR), reset=True)
    session.commit()
    assert rebuilt.built and rebuilt.kams == 20
    with pytest.raises(DemoError, match="already holds data"):
        build_demo(session, DemoSpec(size=0.1))


def test_a_build_rolled_back_leaves_nothing_and_the_indexes_stand(session):
    def schema() -> tuple[set[str], set[str]]:
        inspector = inspect(session.connection())
        return ({i["name"] for i in inspector.get_indexes("fact")},
                {fk["name"] for fk in inspector.get_foreign_keys("fact")})

    before = schema()
    assert "ix_fact_account_id" in before[0]
    build_demo(session, DemoSpec(size=0.1, year=YEAR))
    assert count(session, TeamMember) > 0
    session.rollback()
    assert is_empty(session)
    assert schema() == before


def test_spec_rejects_nonsense():
    with pytest.raises(ValueError, match="size"):
        DemoSpec(size=0)
    with pytest.raises(ValueError, match="year"):
        DemoSpec(year=20)
    assert DemoSpec().business_year == dt.date.today().year - 1


def test_a_built_demo_has_every_fact_snapshot_and_its_triggers_back(session):
    """The facts are loaded with the fact table's triggers off (a load into an empty
    database has no snapshot to drop); the snapshots are built after, the triggers restored
    and working."""
    build_demo(session, DemoSpec(size=0.1, year=YEAR))
    session.commit()
    periods = dict(session.execute(select(Period.id, Period.code)).all())
    snapshots = dict(session.execute(select(FactSnapshot.period_id,
                                            FactSnapshot.fact_count)).all())
    assert set(snapshots) == set(periods)
    facts = dict(session.execute(select(Fact.period_id, func.count())
                                 .group_by(Fact.period_id)).all())
    assert snapshots == {pid: facts.get(pid, 0) for pid in periods}
    quarter = next(pid for pid, code in periods.items() if code == f"{YEAR}-Q2")
    session.execute(text("UPDATE fact SET value = value + 1 WHERE period_id = :p AND "
                         "name = 'net_sales'"), {"p": quarter})
    session.commit()
    assert set(session.scalars(select(FactSnapshot.period_id))) == set(periods) - {quarter}
