"""A big facts file is written and read back in pieces so that memory does not grow with it:
SQLite writes ranges of staged keys per statement (``fact_stage.WRITE_ROWS``), snapshots are
built from rows fetched a batch at a time (``facts.columns.READ_BATCH``), repeated keys are
found in SQL. Here the pieces are made tiny, so that a few rows cross every boundary."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select, text

from kamscore.facts import columns
from kamscore.facts.columns import _period_rows, read_fact_columns
from kamscore.importing import csvfile, fact_stage
from kamscore.models import Account, Fact, FactSnapshot, Period, Product

ACCOUNTS = ["A001", "A002", "A003", "A004", "A005", "A006"]
PRODUCTS = ["ONC-101", "CAR-220", "IMM-305"]


def _facts(rows: list[tuple[str, str, str, str, float]], item: dict[int, str] | None = None) -> str:
    lines = ["period,name,account,product,item,value,unit"]
    for i, (period, name, account, product, value) in enumerate(rows):
        lines.append(f"{period},{name},{account},{product},{(item or {}).get(i, '')},{value},EUR")
    return "\n".join(lines) + "\n"


def _stored(db, period: str, name: str) -> dict[tuple[str, str], float]:
    with db.session() as session:
        return {(a, p): v for a, p, v in session.execute(
            select(Account.code, Product.code, Fact.value)
            .join(Account, Account.id == Fact.account_id)
            .join(Product, Product.id == Fact.product_id)
            .join(Period, Period.id == Fact.period_id)
            .where(Period.code == period, Fact.name == name))}


def test_facts_are_written_in_ranges_of_keys(org, run_import, db, monkeypatch):
    monkeypatch.setattr(fact_stage, "WRITE_ROWS", 2)
    first = [("2026-Q2", "bench_sales", a, p, 100.0 + i)
             for i, (a, p) in enumerate((a, p) for a in ACCOUNTS[:3] for p in PRODUCTS)]
    report = run_import("facts", _facts(first))
    assert report.totals.created == 9
    # 3 changed, 6 unchanged, 6 new, in an order unlike the keys'
    second = [(q, n, a, p, v + 1 if a == "A002" else v) for q, n, a, p, v in first]
    second[4:4] = [("2026-Q2", "bench_sales", a, p, 7.0) for a in ACCOUNTS[4:] for p in PRODUCTS]
    report = run_import("facts", _facts(second))
    assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (6, 3, 6)
    expected = {(a, p): v for _, _, a, p, v in second}
    assert _stored(db, "2026-Q2", "bench_sales") == expected


def test_every_repeat_of_a_key_names_its_first_line(org, rejected, count):
    rows = [("2026-Q2", "bench_sales", a, "ONC-101", 1.0) for a in ACCOUNTS]
    rows += [rows[1], rows[4], rows[1]]  # lines 8, 9, 10 repeat lines 3, 6, 3
    before = count(Fact)
    errors = rejected("facts", _facts(rows))
    said = "fact bench_sales of account:{}/product:ONC-101 in 2026-Q2 is already on line {}"
    assert errors == {(8, ""): said.format("A002", 3), (9, ""): said.format("A005", 6),
                      (10, ""): said.format("A002", 3)}
    assert count(Fact) == before


def test_a_staged_file_of_many_chunks_is_compared_whole(org, run_import, rejected, db,
                                                        count, monkeypatch):
    """Chunks of 4 rows: on PostgreSQL the staging ``COPY`` stays open from the second chunk
    on (every code cached), on SQLite each chunk is one executemany. The counts and rows are
    the whole file's; an unknown code in a late chunk (found in the cache, no query while the
    ``COPY`` is open) refuses the file with its line, and nothing is written."""
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 4)
    first = [("2026-Q2", "chunk_sales", a, p, 10.0 + i)
             for i, (a, p) in enumerate((a, p) for a in ACCOUNTS for p in PRODUCTS)]
    assert run_import("facts", _facts(first)).totals.created == 18
    second = [(q, n, a, p, v + 1 if p == "CAR-220" else v) for q, n, a, p, v in first]
    second += [("2026-Q3", "chunk_sales", a, "ONC-101", 5.0) for a in ACCOUNTS]
    report = run_import("facts", _facts(second))
    assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (6, 6, 12)
    assert report.rows == 24
    assert _stored(db, "2026-Q2", "chunk_sales") == {(a, p): v for q, _, a, p, v in second
                                                     if q == "2026-Q2"}
    before = count(Fact)
    bad = [(q, n, a, p, v + 1) for q, n, a, p, v in second]
    bad[21] = ("2026-Q3", "chunk_sales", "A999", "ONC-101", 1.0)  # line 23, the 6th chunk
    assert rejected("facts", _facts(bad)) == {(23, "account"): "unknown account 'A999'"}
    assert count(Fact) == before
    assert _stored(db, "2026-Q2", "chunk_sales") == {(a, p): v for q, _, a, p, v in second
                                                     if q == "2026-Q2"}


@pytest.mark.parametrize("batch", [1, 3, 50])
def test_a_snapshot_built_in_batches_matches_the_rows(org, run_import, db, monkeypatch, batch):
    monkeypatch.setattr(columns, "READ_BATCH", batch)
    rows = [("2026-Q2", name, a, p, float(i)) for i, (name, a, p) in enumerate(
        (name, a, p) for name in ("bench_a", "bench_b") for a in ACCOUNTS for p in PRODUCTS)]
    run_import("facts", _facts(rows, item={30: "ORD-1", 31: "ORD-2"}))  # in bench_b only
    with db.session() as session:
        columns.refresh_snapshots(session)
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        stored = session.scalar(select(FactSnapshot.fact_count)
                                .where(FactSnapshot.period_id == q2))
        from_rows = _period_rows(session, q2)
        snapshot = read_fact_columns(session, q2, list(from_rows))
    assert stored == sum(len(part) for part in from_rows.values())
    assert set(snapshot) == set(from_rows) >= {"bench_a", "bench_b"}
    assert from_rows["bench_a"].item is None
    assert sorted(x for x in from_rows["bench_b"].item if x) == ["ORD-1", "ORD-2"]
    for name, part in from_rows.items():
        for field in ("account", "person", "team", "product", "value", "category"):
            np.testing.assert_array_equal(getattr(snapshot[name], field), getattr(part, field))
        assert (part.item is None) == (snapshot[name].item is None)
        if part.item is not None:
            assert list(part.item) == list(snapshot[name].item)
    assert sorted(from_rows["bench_a"].value) == [float(i) for i in range(18)]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_updates_an_imports_values_in_place(org, run_import, db):
    """Migration 0025: ``fact`` keeps half of each page free, so re-importing changed values
    writes each new row version on the page of the old one (a heap-only update: no index
    touched); with full pages every one moved to another page. 612 facts fill several
    pages."""
    names = [f"bench_n{i:02d}" for i in range(34)]
    first = [("2026-Q2", n, a, p, 1.0) for n in names for a in ACCOUNTS for p in PRODUCTS]
    assert run_import("facts", _facts(first)).totals.created == len(first) == 612

    def pages() -> dict[tuple[str, str], int]:
        with db.session() as session:
            rows = session.execute(text(
                "SELECT f.name, f.subject_key, (f.ctid::text::point)[0]::int AS page "
                "FROM fact f WHERE f.name LIKE 'bench_n%'")).all()
        return {(name, key): page for name, key, page in rows}

    before = pages()
    assert len(set(before.values())) > 2
    changed = [(q, n, a, p, v + 1) for q, n, a, p, v in first]
    assert run_import("facts", _facts(changed)).totals.updated == 612
    assert pages() == before


def test_the_ranges_cover_every_staged_row_once_in_pieces_of_about_write_rows(db,
                                                                              monkeypatch):
    """SQLite writes a range of staged keys per statement, :data:`WRITE_ROWS` rows each
    (staged in file order, not the keys'): each staged row is in exactly one range."""
    monkeypatch.setattr(fact_stage, "WRITE_ROWS", 200)
    rows = [(line, 1 + line % 3, f"n{line % 7}", f"account:A{line:05d}", None, None, None,
             None, None, 1.0, None, "EUR", None) for line in range(2, 2002)]
    with db.session() as session:
        stage = fact_stage.FactStage(session, ["value", "category", "unit"])
        try:
            for start in range(0, len(rows), 250):  # in chunks, as a file is staged
                stage.add(rows[start:start + 250])
            ranges = stage._ranges()
            sizes = [session.execute(select(func.count()).select_from(stage.table)
                                     .where(within)).scalar() for within in ranges]
        finally:
            stage.drop()
        session.rollback()
    assert sum(sizes) == len(rows)  # every row once: the ranges do not overlap
    if stage.postgres:
        assert len(ranges) == 1  # PostgreSQL writes them in one statement
    else:
        assert sizes == [200] * 10
