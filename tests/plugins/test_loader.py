"""Loading the metric context from the database: contents, and a query count that does not
grow with the number of KAMs."""

from __future__ import annotations

import datetime as dt

import pytest
from db_population import seed_population
from sqlalchemy import event, func, select

from kamscore.db.session import get_db
from kamscore.facts.columns import refresh_snapshots
from kamscore.facts.table_snapshots import refresh_table_snapshots
from kamscore.metrics.compute import compute_metrics
from kamscore.metrics.needs import FactNeeds, UndeclaredFactError
from kamscore.models import Base, Fact
from kamscore.scoring.context_loader import UnknownPeriodError, load_metric_context


def test_context_contents(app, session, pm):
    seed_population(session, 3)
    ctx = load_metric_context(session, "2026-Q1", pm)
    assert list(ctx.kams.codes) == ["K0000", "K0001", "K0002"]
    assert ctx.previous_year.code == "2025-Q1"
    assert list(ctx.kams.teams) == ["T0000", "T0001", "T0002"]
    assert list(ctx.kams.managers) == ["M0001"] * 3
    assert ctx.kams.base_salary[1] == 80_001
    assert list(ctx.kams.eligible_days) == [90, 90, 90]
    # K0000: own account A00000 for 90 days (strategic), A00001 until 14 February = 45 days
    # (31 + 14), and K0002's A00021 from 15 February (14 + 31 = 45 days)
    assert ctx.kams.segments[0] == "strategic"
    # focus product: P2 sells twice as much as P1 everywhere; P2 is in launch
    assert list(ctx.kams.focus_products) == ["P2"] * 3
    assert list(ctx.kams.phases) == ["launch"] * 3
    k0 = ctx.assignments.kam == 0
    assert sorted(ctx.assignments.days[k0].tolist()) == [45, 45, 90]
    assert ctx.assignments.weight[k0].sum() == pytest.approx(2.0)
    assert len(ctx.plans) == 6 and len(ctx.objectives) == 12 and len(ctx.actions) == 6
    assert ctx.stakeholders.key_count(len(ctx.accounts)).tolist() == [2] * 6
    assert ctx.teams["T0001"].members[0].person == "K0001"
    assert ctx.product_phases == {"P1": "growth", "P2": "launch"}
    assert ctx.survey_results.source == "facts 2026-Q1"
    assert len(ctx.previous_facts.select("net_sales")) == 12


def test_every_built_in_metric_has_data_from_the_database(app, session, pm):
    seed_population(session, 3)
    ctx = load_metric_context(session, "2026-Q1", pm)
    outcomes = compute_metrics(pm, ctx, [(name, {}) for name in pm.metrics])
    for name, outcome in outcomes.items():
        assert outcome.ok, outcome
        assert outcome.has_data.all(), (name, outcome.reasons)
    # K0000's attainment: A00000 (P1 1000, P2 2000) for the whole quarter, A00001 (P1 1001,
    # P2 2001) and A00021 (P1 1003, P2 2003) for 45 of 90 days each:
    # actual 3000 + 3002/2 + 3006/2 = 6004; target 3000 + 3000/2 + 3000/2 = 6000
    assert outcomes["sales_attainment"].values[0] == pytest.approx(6004 / 6000)
    # CSAT from survey facts: at each account 2 of 3 answers are 5; K0000 pools 3 accounts
    assert outcomes["csat"].values[0] == pytest.approx(6 / 9)
    assert outcomes["csat"].n[0] == 9
    assert outcomes["collaboration_360"].values[0] == 4.0


def test_a_context_loaded_for_needs_holds_only_those_facts(app, session, pm):
    seed_population(session, 3)
    ctx = load_metric_context(session, "2026-Q1", pm, needs=FactNeeds.of(["sales_target"], []))
    # net_sales is read by the context itself (each KAM's focus product)
    assert ctx.facts.names() == ["net_sales", "sales_target"]
    assert ctx.previous_facts.names() == []
    assert list(ctx.kams.focus_products) == ["P2"] * 3
    with pytest.raises(UndeclaredFactError, match="'gross_profit'"):
        ctx.facts.select("gross_profit")
    assert ctx.fact_needs.covers(FactNeeds.of(["sales_target"], []))
    assert not ctx.fact_needs.covers(FactNeeds.of(["gross_profit"], []))


def test_only_the_declared_survey_measures_are_loaded(app, session, pm):
    seed_population(session, 3)
    everything = load_metric_context(session, "2026-Q1", pm)
    measures = {a.measure for a in everything.survey_results}
    assert {"overall_satisfaction", "scale:collaboration"} <= measures
    ctx = load_metric_context(session, "2026-Q1", pm,
                              needs=FactNeeds.of((), (), ["overall_satisfaction"]))
    assert {a.measure for a in ctx.survey_results.inner} == {"overall_satisfaction"}
    assert len(ctx.survey_results.measure_table(
        "customer_satisfaction", "overall_satisfaction", subject_type="account")) > 0
    with pytest.raises(UndeclaredFactError, match="'scale:collaboration'"):
        ctx.survey_results.measure_table("internal_360", "scale:collaboration",
                                         subject_type="kam", rater_group="others")


def test_each_built_in_metric_computes_the_same_from_its_declared_facts_alone(app, session,
                                                                            pm):
    """The declarations are right: loading only what a metric declares changes nothing."""
    seed_population(session, 3)
    full = load_metric_context(session, "2026-Q1", pm)
    everything = compute_metrics(pm, full, [(name, {}) for name in pm.metrics])
    for name, registered in pm.metrics.items():
        needs = registered.cls.fact_needs(registered.cls.Params().load({}))
        ctx = load_metric_context(session, "2026-Q1", pm, needs=needs)
        alone = compute_metrics(pm, ctx, [(name, {})])[name]
        assert alone.ok, alone
        assert alone.values.tobytes() == everything[name].values.tobytes(), name
        assert list(alone.reasons) == list(everything[name].reasons), name
        assert [alone.inputs(i) for i in range(3)] == \
            [everything[name].inputs(i) for i in range(3)], name


def test_unknown_period(app, session, pm):
    with pytest.raises(UnknownPeriodError, match="no period '2031-Q1'"):
        load_metric_context(session, "2031-Q1", pm)


def _queries_to_compute_everything(app, pm, n: int, *, snapshots: bool = False
                                   ) -> tuple[int, int]:
    database = get_db(app)
    with database.sessionmaker() as session:
        seed_population(session, n)
        if snapshots:
            assert refresh_snapshots(session)
            assert refresh_table_snapshots(session)
        session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.sessionmaker() as session:
            ctx = load_metric_context(session, "2026-Q1", pm)
            outcomes = compute_metrics(pm, ctx, [(name, {}) for name in pm.metrics])
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert all(o.ok for o in outcomes.values())
    assert len(ctx.kams) == n
    with database.sessionmaker() as session:  # fact names per period (survey.* included)
        fact_names = session.scalar(select(func.count()).select_from(
            select(Fact.period_id, Fact.name).distinct().subquery()))
    return len(statements), fact_names


def _clear(app) -> None:
    with get_db(app).session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def test_query_count_does_not_grow_with_the_population(app, pm):
    small = _queries_to_compute_everything(app, pm, 3)
    _clear(app)
    large = _queries_to_compute_everything(app, pm, 30)
    assert small == large
    # one query per table (the two periods, people, accounts, teams, products, assignments,
    # plans and their periods, objectives, actions, stakeholders, team members, product
    # phases, survey fact names and their periods: 22 with the default survey provider, a
    # few more with the live one; a table without its snapshot costs one more query, to find
    # that: kamscore.facts.table_snapshots), three per period read to find it has no fact
    # snapshot, and one per fact name and period: a number set by the data's vocabulary, not
    # by the population
    queries, fact_names = small
    assert queries <= 34 + fact_names


def test_with_snapshots_the_facts_take_one_query_per_period_read(app, pm):
    small = _queries_to_compute_everything(app, pm, 3, snapshots=True)
    _clear(app)
    large = _queries_to_compute_everything(app, pm, 30, snapshots=True)
    assert small == large
    # the same tables (six of them from their snapshots: kamscore.facts.table_snapshots),
    # and the facts of each period read (2026-Q1, 2025-Q1, the year of the surveys) in one
    # query whatever their names
    queries, fact_names = small
    assert queries <= 32 and fact_names > 20


def test_an_annual_plan_is_in_force_in_its_quarters(app, session, pm):
    from sqlalchemy import delete

    from kamscore.models import Account, AccountPlan, Period, PeriodKind, Person, PlanAction

    seed_population(session, 2)
    year = Period(code="2026", kind=PeriodKind.YEAR, start_date=dt.date(2026, 1, 1),
                  end_date=dt.date(2026, 12, 31))
    kam = session.scalar(select(Person).where(Person.code == "K0000"))
    a0, a1 = (session.scalar(select(Account).where(Account.code == c))
              for c in ("A00000", "A00001"))
    session.execute(delete(AccountPlan).where(AccountPlan.account_id == a1.id))
    annual = AccountPlan(account=a1, period=year, owner=kam, quality_rating=5)
    annual.actions = [
        PlanAction(code="Y1", description="due in the quarter", due_date=dt.date(2026, 3, 1),
                   done_date=dt.date(2026, 2, 27)),
        PlanAction(code="Y2", description="due later", due_date=dt.date(2026, 11, 1)),
    ]
    # A00000 has a quarter plan (rating 3) and an annual one (rating 1): the quarter's wins
    session.add_all([year, annual, AccountPlan(account=a0, period=year, owner=kam,
                                               quality_rating=1)])
    session.commit()
    ctx = load_metric_context(session, "2026-Q1", pm)
    plans = {ctx.accounts.codes[a]: (p, r) for a, p, r in
             zip(ctx.plans.account, ctx.plans.period, ctx.plans.quality_rating, strict=True)}
    assert plans["A00000"] == ("2026-Q1", 3.0)
    assert plans["A00001"] == ("2026", 5.0)
    annual_row = list(ctx.plans.account).index(ctx.accounts.index["A00001"])
    assert sorted(ctx.actions.code[ctx.actions.plan == annual_row]) == ["Y1", "Y2"]
    # 4 quarter plans * 2 objectives, less the 2 of A00001's deleted plan
    assert len(ctx.objectives) == 6
    values = compute_metrics(pm, ctx, [("plan_quality", {})])["plan_quality"]
    assert values.values[0] == pytest.approx((3 + 5) / 2)  # K0000: A00000 (3), A00001 (5)


@pytest.mark.parametrize("snapshots", [False, True])
def test_accounts_come_sorted_by_code_whatever_their_ids(app, session, pm, snapshots):
    """An account made last whose code sorts first: the loader sorts the accounts (ids in
    code order, the usual case, take no copy) and every fact still names its own account."""
    from kamscore.models import Account, AccountType, Period

    seed_population(session, 2)
    first = Account(code="A-FIRST", name="Made last, sorted first", type=AccountType.HOSPITAL,
                    segment="key")
    session.add(first)
    session.flush()
    period = session.scalar(select(Period).where(Period.code == "2026-Q1"))
    session.add(Fact(period_id=period.id, name="net_sales", subject_key="account:A-FIRST",
                     account_id=first.id, value=5.0, unit="EUR", source="test"))
    session.commit()
    if snapshots:
        refresh_table_snapshots(session)
        refresh_snapshots(session)
        session.commit()
    ctx = load_metric_context(session, "2026-Q1", pm)
    codes = list(ctx.accounts.codes)
    assert codes == sorted(codes) and codes[0] == "A-FIRST"
    assert ctx.accounts.names[0] == "Made last, sorted first"
    totals = ctx.facts.account_totals("net_sales")
    assert totals[0] == 5.0
    assert totals[codes.index("A00000")] > 0


def test_people_columns_of_few_values_hold_one_string_per_value(app, session, pm):
    seed_population(session, 3)
    ctx = load_metric_context(session, "2026-Q1", pm)
    # the driver makes a string per row read: one per value instead (kamscore.db.column_reads)
    assert len({id(role) for role in ctx.kams.roles}) == 1
    assert len({id(grade) for grade in ctx.kams.grades}) == 1
    assert list(ctx.kams.grades) == ["G2"] * 3


def test_the_survey_results_name_accounts_with_the_contexts_own_codes(app, session, pm):
    seed_population(session, 3)
    refresh_table_snapshots(session)  # the codes decoded from the accounts' snapshot
    session.commit()
    ctx = load_metric_context(session, "2026-Q1", pm)
    table = ctx.survey_results.measure_table("customer_satisfaction", "overall_satisfaction",
                                             subject_type="account")
    assert len(table.subjects) > 0
    codes = {code: code for code in ctx.accounts.codes.tolist()}
    # the same string objects: the provider read the codes the context had decoded
    assert all(codes[subject] is subject for subject in table.subjects.tolist())
    assert "kamscore.table_snapshots.texts" not in session.info  # nothing kept after the load
