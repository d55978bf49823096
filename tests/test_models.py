"""The foundation model's constraints hold in the database itself, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from kamscore.models import (
    Account,
    AccountPlan,
    AccountType,
    ApiToken,
    Assignment,
    Fact,
    Period,
    PeriodKind,
    Person,
    Role,
    Stakeholder,
    StakeholderRole,
    Team,
    TeamMember,
    User,
)

Q1 = dict(
    code="2026-Q1",
    kind=PeriodKind.QUARTER,
    start_date=dt.date(2026, 1, 1),
    end_date=dt.date(2026, 3, 31),
)


@pytest.fixture
def base(session):
    """A KAM, an account and a period, committed."""
    kam = Person(code="E1", name="Kim", role=Role.KAM)
    account = Account(code="A1", name="Hospital", type=AccountType.HOSPITAL, segment="key")
    period = Period(**Q1)
    session.add_all([kam, account, period])
    session.commit()
    return kam, account, period


def _refused(session, *objects) -> None:
    session.add_all(objects)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_codes_are_unique(session, base):
    _refused(session, Person(code="E1", name="Other", role=Role.KAM))
    _refused(session, Account(code="A1", name="Other", type=AccountType.PAYER, segment="key"))
    _refused(session, Period(**{**Q1, "kind": PeriodKind.QUARTER}))


def test_defaults(session, base):
    kam, account, period = base
    assert kam.currency == "EUR"
    assert period.status.value == "open" and not period.is_closed and period.days == 90
    stakeholder = Stakeholder(
        account=account, name="S", email="s@x.org", role=StakeholderRole.PHARMACIST
    )
    session.add(stakeholder)
    session.flush()
    assert (
        stakeholder.influence,
        stakeholder.partnership_level,
        stakeholder.is_key,
        stakeholder.language,
    ) == (3, 1, False, "en")


@pytest.mark.parametrize(
    ("field", "value"),
    [("share", 0), ("share", 1.5), ("end_date", dt.date(2025, 12, 31))],
)
def test_assignment_checks(session, base, field, value):
    kam, account, _ = base
    values = {"start_date": dt.date(2026, 1, 1), "share": 1.0, field: value}
    _refused(session, Assignment(person=kam, account=account, **values))


def test_one_assignment_per_person_account_and_start(session, base):
    kam, account, _ = base
    session.add(Assignment(person=kam, account=account, start_date=dt.date(2026, 1, 1)))
    session.commit()
    _refused(session, Assignment(person=kam, account=account, start_date=dt.date(2026, 1, 1)))


@pytest.mark.parametrize(("field", "value"), [("influence", 6), ("partnership_level", 0)])
def test_stakeholder_scales_are_one_to_five(session, base, field, value):
    _, account, _ = base
    _refused(
        session,
        Stakeholder(
            account=account, name="S", email="s@x.org", role=StakeholderRole.PAYER, **{field: value}
        ),
    )


def test_stakeholder_email_unique_per_account(session, base):
    _, account, _ = base
    session.add(Stakeholder(account=account, name="S", email="s@x.org", role=StakeholderRole.PAYER))
    session.commit()
    _refused(
        session, Stakeholder(account=account, name="T", email="s@x.org", role=StakeholderRole.NURSE)
    )


def test_period_may_not_end_before_it_starts(session):
    _refused(
        session,
        Period(
            code="X",
            kind=PeriodKind.MONTH,
            start_date=dt.date(2026, 2, 1),
            end_date=dt.date(2026, 1, 31),
        ),
    )


def test_fact_needs_a_subject_and_a_value_and_is_unique(session, base):
    _, account, period = base
    fact = dict(period=period, name="net_sales", unit="EUR", source="test")
    _refused(session, Fact(subject_key="nobody", value=1, **fact))
    _refused(session, Fact(account=account, subject_key="account:A1", **fact))
    session.add(Fact(account=account, subject_key="account:A1", value=1, **fact))
    session.commit()
    _refused(session, Fact(account=account, subject_key="account:A1", value=2, **fact))


def test_subject_key_is_canonical():
    assert Fact.make_subject_key(product="P1", account="A1") == "account:A1/product:P1"
    assert Fact.make_subject_key(person="E1", team="T1") == "person:E1/team:T1"
    assert Fact.make_subject_key() == ""


def test_plan_rating_and_uniqueness(session, base):
    kam, account, period = base
    _refused(session, AccountPlan(account=account, period=period, owner=kam, quality_rating=6))
    session.add(AccountPlan(account=account, period=period, owner=kam, quality_rating=5))
    session.commit()
    _refused(session, AccountPlan(account=account, period=period, owner=kam))


def test_enum_columns_refuse_unknown_values_in_the_database(session, base):
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO person (code, name, role, currency) "
                "VALUES ('E9', 'X', 'wizard', 'EUR')"
            )
        )
    session.rollback()
    with pytest.raises(StatementError):  # and in Python, before the database
        session.execute(select(Person).where(Person.role == "wizard")).all()


def test_foreign_keys_are_enforced(session, base):
    """On SQLite too: every connection turns foreign keys on."""
    _, account, _ = base
    _refused(
        session,
        Assignment(person_id=999_999, account_id=account.id, start_date=dt.date(2026, 1, 1)),
    )
    _refused(
        session,
        Stakeholder(account_id=424_242, name="S", email="s@x.org", role=StakeholderRole.NURSE),
    )
    session.add(Stakeholder(account=account, name="S", email="s@x.org", role=StakeholderRole.NURSE))
    session.commit()
    with pytest.raises(IntegrityError):  # an account that still has stakeholders
        session.execute(text("DELETE FROM account WHERE code = 'A1'"))
    session.rollback()


def test_deleting_a_team_deletes_its_memberships(session, base):
    kam, _, _ = base
    team = Team(code="T1", name="Team", lead=kam)
    team.members.append(TeamMember(person=kam, function=Role.KAM))
    session.add(team)
    session.commit()
    session.execute(text("DELETE FROM team WHERE code = 'T1'"))  # ON DELETE CASCADE in the DB
    session.commit()
    assert session.scalars(select(TeamMember)).all() == []


def test_api_token_activity(session):
    user = User(username="u", name="U", password_hash="x")
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    token = ApiToken(
        user=user,
        name="n",
        prefix="ks_x",
        token_hash="0" * 64,
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    session.add(token)
    session.commit()
    assert token.is_active(now) and not token.is_active(now + dt.timedelta(days=1))
    token.revoked_at = now
    assert not token.is_active(now)
    _refused(
        session, ApiToken(user=user, name="m", prefix="ks_y", token_hash="0" * 64, created_at=now)
    )


def test_sqlite_connections_get_kamscores_pragmas(tmp_path):
    """WAL, foreign keys, statement journals in memory (a fact import writes one per row:
    the fact table has triggers) and the busy timeout, on every connection."""
    from kamscore.db.session import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        values = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "foreign_keys", "temp_store", "busy_timeout")}
    engine.dispose()
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "temp_store": 2,
                      "busy_timeout": 1234}
