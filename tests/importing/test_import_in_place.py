"""A re-import or an update on SQLite is upserted into ``fact`` chunk by chunk
(``kamscore.importing.fact_in_place``), and gives way to the staged path on a closed period
or a key that may repeat. Whichever way a file goes — SQLite in place, SQLite staged,
PostgreSQL staged — the rows, counts, snapshots and errors are the same. Chunks are made tiny
so that rows have been written in place before the import gives way."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from kamscore.facts.columns import refresh_snapshots
from kamscore.importing import csvfile, fact_in_place
from kamscore.importing.fact_in_place import upsert_clause
from kamscore.importing.fact_stage import STAGE_TABLE
from kamscore.models import Fact, FactSnapshot, Period

ACCOUNTS = ["A001", "A002", "A003", "A004", "A005", "A006"]
PRODUCTS = ["ONC-101", "CAR-220", "IMM-305"]
HEADER = "period,name,account,product,value,category,unit"


def _facts(period: str, value: float = 1.0, name: str = "place_sales",
           scale: float = 1.0) -> list[str]:
    """The 18 facts ``name`` of ``period``, valued ``(value + i) * scale``."""
    return [f"{period},{name},{a},{p},{(value + i) * scale},,EUR"
            for i, (a, p) in enumerate((a, p) for a in ACCOUNTS for p in PRODUCTS)]


def _file(*parts: list[str]) -> str:
    return "\n".join([HEADER, *(line for part in parts for line in part)]) + "\n"


def _values(db, period: str, name: str = "place_sales") -> list[float]:
    """The values of ``name`` in ``period``, smallest first."""
    with db.session() as session:
        return sorted(session.scalars(
            select(Fact.value).join(Period, Period.id == Fact.period_id)
            .where(Period.code == period, Fact.name == name)))


def _snapshot_periods(db) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(Period.code).join(
            FactSnapshot, FactSnapshot.period_id == Period.id)))


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 4)


@pytest.fixture
def staged(db):
    """staged() → a context that counts the statements naming the staging table."""

    @contextmanager
    def watch():
        seen: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            if STAGE_TABLE in statement:
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return watch


@pytest.fixture
def applied(run_import, staged):
    """applied(data) → (the import's counts, its dry run's, whether it staged, the rows
    read): the dry run first (always staged), then the import, watched."""

    def run(data: str) -> tuple[dict[str, int], dict[str, int], bool, int]:
        dry = run_import("facts", data, dry_run=True)
        with staged() as statements:
            report = run_import("facts", data)
        assert report.rows == dry.rows
        return (report.tables["fact"].as_dict(), dry.tables["fact"].as_dict(),
                statements != [], report.rows)

    return run


@pytest.fixture
def stored(org, run_import):
    """2026-Q2 and 2026-Q3 hold the 18 ``place_sales`` facts each (values 1.0 to 18.0)."""
    run_import("facts", _file(_facts("2026-Q2"), _facts("2026-Q3")))


def test_an_update_counts_what_its_dry_run_counts_and_stores_every_value(
        stored, applied, db, backend, tiny_chunks):
    """Q2: 6 rows changed, 12 unchanged, 2 new names; Q3 untouched; the counts of the write
    are those of the dry run (always staged). On SQLite nothing is staged."""
    q2 = _facts("2026-Q2")
    lines = [*_facts("2026-Q2", scale=10)[:6], *q2[6:],
             *_facts("2026-Q2", 50.0, "place_new")[:2]]
    data = _file(lines)
    counts, dry, was_staged, rows = applied(data)
    assert counts == dry == {"created": 2, "updated": 6, "unchanged": 12, "deleted": 0}
    assert rows == 20
    assert was_staged is (backend != "sqlite")
    assert _values(db, "2026-Q2") == sorted(
        10.0 * (i + 1) if i < 6 else float(i + 1) for i in range(18))
    assert _values(db, "2026-Q2", "place_new") == [50.0, 51.0]
    assert _values(db, "2026-Q3") == [float(i + 1) for i in range(18)]


def test_the_same_file_again_changes_nothing_and_keeps_every_snapshot(
        stored, run_import, db, staged, backend, tiny_chunks):
    with db.session() as session:
        refresh_snapshots(session)
    before = _snapshot_periods(db)
    with staged() as statements:
        report = run_import("facts", _file(_facts("2026-Q2"), _facts("2026-Q3")))
    assert report.tables["fact"].as_dict() == {"created": 0, "updated": 0, "unchanged": 36,
                                              "deleted": 0}
    assert (statements == []) is (backend == "sqlite")
    assert _snapshot_periods(db) == before


def test_only_the_snapshots_of_the_periods_changed_are_dropped_and_the_triggers_are_back(
        stored, run_import, db, tiny_chunks):
    with db.session() as session:
        refresh_snapshots(session)
    before = _snapshot_periods(db)
    assert {"2026-Q2", "2026-Q3"} <= before
    q3 = _facts("2026-Q3")
    run_import("facts", _file(_facts("2026-Q2"), _facts("2026-Q3", scale=5)[:1], q3[1:]))
    assert _snapshot_periods(db) == before - {"2026-Q3"}
    with db.session() as session:  # a later write by other means still drops Q2's snapshot
        fact = session.scalars(select(Fact).join(Period).where(
            Period.code == "2026-Q2", Fact.name == "place_sales")).first()
        fact.value = 99.0
    assert _snapshot_periods(db) == before - {"2026-Q2", "2026-Q3"}


def test_a_key_repeated_in_a_later_chunk_of_an_update_is_refused_with_its_lines(
        stored, rejected, db, tiny_chunks):
    q2 = _facts("2026-Q2", scale=10)
    errors = rejected("facts", _file(q2, [q2[1], q2[16]]))  # lines 20 and 21
    said = "fact place_sales of account:{}/product:{} in 2026-Q2 is already on line {}"
    assert errors == {(20, ""): said.format("A001", "CAR-220", 3),
                      (21, ""): said.format("A006", "CAR-220", 18)}
    assert _values(db, "2026-Q2") == [float(i + 1) for i in range(18)]  # nothing kept


def test_a_bad_row_in_a_later_chunk_of_an_update_writes_nothing(stored, rejected, db,
                                                                tiny_chunks):
    q2 = _facts("2026-Q2", scale=10)
    errors = rejected("facts", _file(q2, ["2026-Q2,place_sales,A999,ONC-101,1,,EUR"]))
    assert list(errors) == [(20, "account")]
    assert _values(db, "2026-Q2") == [float(i + 1) for i in range(18)]


def test_a_closed_period_reached_after_rows_written_in_place(stored, run_import, rejected,
                                                             close_period, db, tiny_chunks):
    """Its unchanged rows may come again (the file is then compared staged, from its start:
    the counts are whole); a changed one is refused by line, and nothing is written."""
    close_period("2026-Q3")
    q2 = _facts("2026-Q2", scale=10)
    q3 = _facts("2026-Q3")
    report = run_import("facts", _file(q2, q3))
    assert report.tables["fact"].as_dict() == {"created": 0, "updated": 18, "unchanged": 18,
                                              "deleted": 0}
    changed = _facts("2026-Q2", scale=5)
    errors = rejected("facts", _file(changed, _facts("2026-Q3", scale=5)[:1], q3[1:]))
    assert list(errors) == [(20, "period")]
    assert _values(db, "2026-Q2") == [10.0 * (i + 1) for i in range(18)]
    assert _values(db, "2026-Q3") == [float(i + 1) for i in range(18)]


def test_the_upsert_updates_only_when_a_compared_column_differs():
    assert upsert_clause(["value", "unit"]) == (
        "ON CONFLICT (period_id, name, subject_key) DO UPDATE SET value = excluded.value, "
        "unit = excluded.unit WHERE fact.value IS NOT excluded.value OR "
        "fact.unit IS NOT excluded.unit")


def test_a_file_past_the_bound_is_read_again_and_staged_with_the_same_counts(
        stored, applied, db, tiny_chunks, monkeypatch):
    """Past ``MAX_ROWS`` rows written in place (SQLite's sub-journal holds the original of
    every page they change, in memory) the writes are undone and the file staged whole."""
    monkeypatch.setattr(fact_in_place, "MAX_ROWS", 10)
    data = _file(_facts("2026-Q2", scale=10), _facts("2026-Q3"))
    counts, dry, was_staged, rows = applied(data)
    assert counts == dry == {"created": 0, "updated": 18, "unchanged": 18, "deleted": 0}
    assert rows == 36
    assert was_staged  # on either database
    assert _values(db, "2026-Q2") == [10.0 * (i + 1) for i in range(18)]


def test_a_file_whose_first_periods_are_new_is_read_again_in_place(
        stored, applied, db, backend, tiny_chunks):
    """2026-Q4 (no fact yet) is written straight, then 2026-Q2 (has facts) comes: the file
    is read again, in place on SQLite, and counted whole."""
    data = _file(_facts("2026-Q4"), _facts("2026-Q2", scale=10))
    counts, dry, was_staged, rows = applied(data)
    assert counts == dry == {"created": 18, "updated": 18, "unchanged": 0, "deleted": 0}
    assert rows == 36
    assert was_staged is (backend != "sqlite")
    assert _values(db, "2026-Q4") == [float(i + 1) for i in range(18)]
    assert _values(db, "2026-Q2") == [10.0 * (i + 1) for i in range(18)]
