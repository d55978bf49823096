"""A first import — no period of the file has a fact yet — is written straight into ``fact``
(``kamscore.importing.fact_direct``) and gives way to the staged path when a chunk names a
period that has facts or is closed, or repeats a key. Whichever way a file goes, the rows,
counts and errors are the staged path's. Chunks are made tiny here so that the direct write
has written rows before it gives way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kamscore.facts.columns import refresh_snapshots
from kamscore.importing import csvfile
from kamscore.models import Account, Fact, FactSnapshot, Period, Product

ACCOUNTS = ["A001", "A002", "A003", "A004", "A005", "A006"]
PRODUCTS = ["ONC-101", "CAR-220", "IMM-305"]
COLUMNS = ("name", "subject_key", "account_id", "person_id", "team_id", "product_id", "item",
           "value", "category", "unit", "source")


def _facts(period: str, value: float = 1.0, name: str = "first_sales") -> list[str]:
    return [f"{period},{name},{a},{p},{value + i},,EUR"
            for i, (a, p) in enumerate((a, p) for a in ACCOUNTS for p in PRODUCTS)]


def _file(*lines: list[str]) -> str:
    return "\n".join(["period,name,account,product,value,category,unit",
                      *(line for part in lines for line in part)]) + "\n"


def _rows(db, period: str) -> list[tuple]:
    """A period's facts, every column but the id and the period, in key order."""
    with db.session() as session:
        return [tuple(row) for row in session.execute(
            select(*(Fact.__table__.c[c] for c in COLUMNS))
            .join(Period, Period.id == Fact.period_id).where(Period.code == period)
            .order_by(Fact.name, Fact.subject_key))]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 4)


def test_a_first_import_stores_what_the_staged_path_stores(org, run_import, db, tiny_chunks):
    """2026-Q2 is new: written straight; 2026-Q1 has facts, so a file that starts with it is
    staged whole (its new names included). The same lines give the same rows either way."""
    report = run_import("facts", _file(_facts("2026-Q2")), filename="facts.csv")
    assert report.tables["fact"].as_dict() == {"created": 18, "updated": 0, "unchanged": 0,
                                              "deleted": 0}
    staged = run_import("facts", _file(_facts("2026-Q1")), filename="facts.csv")
    assert staged.totals.created == 18
    assert _rows(db, "2026-Q2") == [row for row in _rows(db, "2026-Q1")
                                    if row[0] == "first_sales"]
    with db.session() as session:  # snapshots built from the rows, the SQLite triggers back
        assert refresh_snapshots(session)["2026-Q2"] == 18
        assert session.scalar(select(FactSnapshot.fact_count).join(Period).where(
            Period.code == "2026-Q2")) == 18


def test_a_file_that_reaches_a_period_with_facts_is_staged_from_its_start(
        org, run_import, db, tiny_chunks):
    """Chunks of 2026-Q2 (new) are written, then a row of 2026-Q1 (has facts) comes: the
    writes are undone and the file read again (in place on SQLite, staged on PostgreSQL);
    the counts are the same either way."""
    changed = "2026-Q1,net_sales,A001,ONC-101,1,,EUR"  # stored as 412000 by the example
    report = run_import("facts", _file(_facts("2026-Q2"), [changed]))
    assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (18, 1, 0)
    assert report.rows == 19
    assert len(_rows(db, "2026-Q2")) == 18
    with db.session() as session:
        assert session.scalar(select(Fact.value).join(Period).join(
            Account, Account.id == Fact.account_id).join(
            Product, Product.id == Fact.product_id).where(
            Period.code == "2026-Q1", Fact.name == "net_sales", Account.code == "A001",
            Product.code == "ONC-101")) == 1.0


def test_a_repeated_key_after_rows_written_is_refused_with_every_line(
        org, rejected, count, tiny_chunks):
    lines = _facts("2026-Q2")
    before = count(Fact)
    errors = rejected("facts", _file(lines, [lines[1], lines[16]]))  # lines 20, 21
    said = "fact first_sales of account:{}/product:{} in 2026-Q2 is already on line {}"
    assert errors == {(20, ""): said.format("A001", "CAR-220", 3),
                      (21, ""): said.format("A006", "CAR-220", 18)}
    assert count(Fact) == before


def test_a_bad_row_after_rows_written_writes_nothing_and_is_named_once(
        org, rejected, count, tiny_chunks):
    before = count(Fact)
    errors = rejected("facts", _file(_facts("2026-Q2"), ["2026-Q2,first_sales,A999,ONC-101,"
                                                         "1,,EUR"]))
    assert list(errors) == [(20, "account")]
    assert count(Fact) == before


def test_a_first_import_into_a_closed_period_is_refused(org, rejected, count, close_period,
                                                         tiny_chunks):
    close_period("2026-Q3")
    before = count(Fact)
    errors = rejected("facts", _file(_facts("2026-Q2"), _facts("2026-Q3")[:2]))
    assert list(errors) == [(20, "period"), (21, "period")]
    assert count(Fact) == before


def test_a_dry_run_of_a_first_import_writes_nothing(org, run_import, count, tiny_chunks):
    before = count(Fact)
    report = run_import("facts", _file(_facts("2026-Q2")), dry_run=True)
    assert report.totals.created == 18
    assert count(Fact) == before
