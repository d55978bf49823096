"""Facts and their five parents (period, account, person, team, product): a fact naming a
missing parent is refused, and a parent that facts reference cannot be deleted, have its id
changed or (PostgreSQL) be truncated away. SQLite: the foreign keys; PostgreSQL: migration
0024's statement triggers instead. The example organisation's 2026-Q1 facts name account
A001, person E1002, team T-NORTH and product ONC-101."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from kamscore.demo.bulk import constraints_deferred
from kamscore.models import Account, Fact, Period, Person, Product, Team

PARENTS = {  # the model, a code facts reference, the fact's column
    "period": (Period, "2026-Q1", "period_id"),
    "account": (Account, "A001", "account_id"),
    "person": (Person, "E1002", "person_id"),
    "team": (Team, "T-NORTH", "team_id"),
    "product": (Product, "ONC-101", "product_id"),
}


def _id(session, model, code: str) -> int:
    return session.scalar(select(model.id).where(model.code == code))


def _fact(session, **ids: int) -> dict:
    period = ids.pop("period_id", None) or _id(session, Period, "2026-Q2")
    account = ids.pop("account_id", None) or _id(session, Account, "A002")
    return {"period_id": period, "name": "parent_check", "subject_key": "x",
            "account_id": account, "value": 1.0, "unit": "EUR", "source": "test", **ids}


@pytest.mark.parametrize("parent", list(PARENTS))
def test_a_fact_naming_a_missing_parent_is_refused(org, db, count, parent):
    """By itself or in a statement of good rows; inserted, or moved to a missing parent."""
    model, _code, column = PARENTS[parent]
    before = count(Fact)
    with db.sessionmaker() as session:
        missing = session.scalar(select(func.max(model.id))) + 1
        good = _fact(session) | {"subject_key": "good"}
        for rows in ([_fact(session, **{column: missing})],
                     [good, _fact(session, **{column: missing})]):
            with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
                session.execute(insert(Fact), rows)
                session.commit()
            session.rollback()
        session.execute(insert(Fact), [good])
        session.commit()
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            session.execute(update(Fact).where(Fact.subject_key == "good")
                            .values({column: missing}))
            session.commit()
        session.rollback()
    assert count(Fact) == before + 1


@pytest.mark.parametrize("parent", list(PARENTS))
def test_a_referenced_parent_cannot_be_deleted_or_renumbered(org, db, count, parent):
    model, code, column = PARENTS[parent]
    with db.sessionmaker() as session:
        parent_id = _id(session, model, code)
        assert session.scalar(select(func.count()).where(Fact.__table__.c[column]
                                                         == parent_id)) > 0
        for statement in (delete(model).where(model.id == parent_id),
                          update(model).where(model.id == parent_id).values(id=parent_id + 10_000)):
            with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
                session.execute(statement)
                session.commit()
            session.rollback()
        assert _id(session, model, code) == parent_id


def test_an_unreferenced_parent_is_deleted_and_a_renumbered_one_keeps_its_facts(org, db):
    """Deleting rows no fact names passes (among them none referenced); changing an id in a
    statement that gives it back (an id swap) keeps every referenced id."""
    with db.sessionmaker() as session:
        session.add(Product(code="UNUSED-1", name="Unused"))
        session.commit()
        session.execute(delete(Product).where(Product.code == "UNUSED-1"))
        session.commit()
        assert _id(session, Product, "UNUSED-1") is None
        used = _id(session, Account, "A001")
        session.execute(update(Account).where(Account.id == used).values(code="A001-renamed"))
        session.commit()
        assert _id(session, Account, "A001-renamed") == used


def test_emptying_a_referenced_parent_table_is_refused_while_facts_remain(org, db):
    """Emptying the products alone is refused while facts name them: on PostgreSQL a
    ``TRUNCATE`` (the foreign key refused it outright; the statement trigger refuses it
    now), on SQLite a ``DELETE`` of every row (its foreign key). On PostgreSQL, truncating
    ``fact`` in the same statement passes, as the demo's reset does."""
    with db.sessionmaker() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        empty = text("TRUNCATE product CASCADE") if postgres else delete(Product)
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            session.execute(empty)
            session.commit()
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Product)) > 0
        assert session.scalar(select(func.count()).select_from(Fact)) > 0
        if postgres:
            session.execute(text("TRUNCATE fact, product CASCADE"))
            session.commit()
            assert session.scalar(select(func.count()).select_from(Product)) == 0


def test_a_product_only_facts_name_cannot_be_deleted(org, db):
    """No other table names this product: the refusal is the facts' own check."""
    with db.sessionmaker() as session:
        session.add(Product(code="FACTS-ONLY", name="Named by a fact only"))
        session.commit()
        product = _id(session, Product, "FACTS-ONLY")
        session.execute(insert(Fact), [_fact(session, product_id=product)])
        session.commit()
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            session.execute(delete(Product).where(Product.id == product))
            session.commit()
        session.rollback()
        session.execute(delete(Fact).where(Fact.product_id == product))
        session.execute(delete(Product).where(Product.id == product))
        session.commit()
        assert _id(session, Product, "FACTS-ONLY") is None


def test_the_demo_bulk_load_still_checks_the_parents(org, db):
    """``constraints_deferred`` (the demo's bulk load) turns the triggers off on PostgreSQL:
    a fact naming a missing account is refused after the load, as re-adding a key would;
    SQLite keeps its foreign keys on during the load."""
    refused = pytest.raises((ValueError, IntegrityError), match=r"(?i)(does not exist|foreign)")
    with db.sessionmaker() as session:
        missing = session.scalar(select(func.max(Account.id))) + 1
        with refused, constraints_deferred(session, Fact):
            session.execute(insert(Fact), [_fact(session, account_id=missing)])
        session.rollback()
        with constraints_deferred(session, Fact):
            session.execute(insert(Fact), [_fact(session)])
        session.commit()
        assert session.scalar(select(func.count()).where(Fact.name == "parent_check")) == 1
