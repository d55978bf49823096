"""Facts read column-wise (kamscore.facts.columns): the snapshot gives exactly what the rows
give, any write to a period's facts drops its snapshot (triggers, both backends), a builder
and a concurrent writer are serialised, and ``kamscore period snapshot``."""

from __future__ import annotations

import dataclasses
import io
import threading
import time

import numpy as np
from db_population import Q1, Q1_2025, seed_population
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from kamscore.db.column_reads import object_array
from kamscore.db.session import get_db
from kamscore.facts.columns import (
    RawFactColumns,
    decode,
    encode,
    fact_names,
    has_snapshot,
    read_fact_columns,
    refresh_snapshots,
)
from kamscore.models import Fact, FactSnapshot, FactSnapshotColumn, Period


def _same(a: RawFactColumns, b: RawFactColumns) -> None:
    for column in ("account", "person", "team", "product"):
        assert getattr(a, column).dtype.kind == getattr(b, column).dtype.kind == "i"
        assert getattr(a, column).tolist() == getattr(b, column).tolist()
    np.testing.assert_array_equal(a.value, b.value)  # NaN equal to NaN
    assert _texts(a.category, len(a)) == _texts(b.category, len(b))


def _texts(column: np.ndarray | None, size: int) -> list:
    """A text column as a list; None stands for a column where every row has none."""
    if column is None:
        return [None] * size
    assert column.dtype == object
    return column.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.integers(0, 2**40), st.integers(0, 50), st.integers(0, 50), st.integers(0, 9),
    st.one_of(st.none(), st.floats(allow_nan=False)),
    st.one_of(st.none(), st.text(max_size=12))), max_size=40))
def test_encoding_round_trips_every_value(rows):
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    raw = RawFactColumns(*(np.array(c, dtype=np.int64) for c in columns[:4]),
                         value=np.array(columns[4], dtype=float),
                         category=object_array(columns[5]))
    decoded = decode(encode(raw))
    _same(decoded, raw)
    assert (decoded.category is None) == all(c is None for c in columns[5])


def _periods(session) -> dict[str, int]:
    return dict(session.execute(select(Period.code, Period.id)).all())


def _read_all(session, period_id: int) -> dict[str, RawFactColumns]:
    return read_fact_columns(session, period_id,
                             [n for pid, n in fact_names(session, [period_id])
                              if pid == period_id])


def test_a_snapshot_reads_exactly_as_the_rows(app, session):
    seed_population(session, 4)
    periods = _periods(session)
    from_rows = {code: _read_all(session, pid) for code, pid in periods.items()}
    names = fact_names(session, list(periods.values()))
    assert not any(has_snapshot(session, pid) for pid in periods.values())

    built = refresh_snapshots(session)
    session.commit()
    assert built == {code: sum(len(c) for c in from_rows[code].values()) for code in periods}
    assert all(has_snapshot(session, pid) for pid in periods.values())
    assert fact_names(session, list(periods.values())) == names
    for code, pid in periods.items():
        from_snapshot = _read_all(session, pid)
        assert sorted(from_snapshot) == sorted(from_rows[code]) and from_snapshot
        for name, columns in from_rows[code].items():
            _same(from_snapshot[name], columns)
    # a name without facts is left out both ways
    assert read_fact_columns(session, periods[Q1[0]], ["no_such_fact"]) == {}
    assert refresh_snapshots(session) == {}  # nothing missing: nothing built


def _snapshotted(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(Period.code).join(
        FactSnapshot, FactSnapshot.period_id == Period.id)))


WRITES = {  # a hand-written statement touching the facts of 2026-Q1 only
    "insert": "INSERT INTO fact (period_id, name, subject_key, account_id, value, unit, "
              "source) SELECT period_id, 'by_hand', subject_key, account_id, 1, 'count', "
              "'console' FROM fact WHERE period_id = :q1 AND name = 'net_sales'",
    "update": "UPDATE fact SET value = value + 1 WHERE period_id = :q1 AND name = 'net_sales'",
    "delete": "DELETE FROM fact WHERE period_id = :q1 AND name = 'net_sales'",
}


def test_any_write_to_a_periods_facts_drops_its_snapshot_only(app, session):
    seed_population(session, 2)
    periods = _periods(session)
    for statement in WRITES.values():
        refresh_snapshots(session)
        session.commit()
        assert _snapshotted(session) == {Q1[0], Q1_2025[0]}
        session.execute(text(statement), {"q1": periods[Q1[0]]})
        session.commit()
        assert _snapshotted(session) == {Q1_2025[0]}, statement
        assert not session.scalars(select(FactSnapshotColumn.name).where(
            FactSnapshotColumn.period_id == periods[Q1[0]])).all()
        # one period read from its snapshot, the other from its rows: the names of both
        assert fact_names(session, list(periods.values())) == set(session.execute(
            select(Fact.period_id, Fact.name).distinct()).all())


def test_moving_a_fact_between_periods_drops_both_snapshots(app, session):
    seed_population(session, 2)
    periods = _periods(session)
    refresh_snapshots(session)
    session.commit()
    moved = session.execute(text("UPDATE fact SET period_id = :q1, name = 'moved' "
                                 "WHERE period_id = :before AND name = 'net_sales'"),
                            {"q1": periods[Q1[0]], "before": periods[Q1_2025[0]]})
    assert moved.rowcount > 0
    session.commit()
    assert _snapshotted(session) == set()


def test_emptying_the_facts_drops_every_snapshot(app, session):
    seed_population(session, 2)
    refresh_snapshots(session)
    session.commit()
    postgres = session.get_bind().dialect.name == "postgresql"
    # CASCADE: a published target round's lines refer to the facts it wrote (migration 0015).
    session.execute(text("TRUNCATE fact CASCADE" if postgres else "DELETE FROM fact"))
    session.commit()
    assert _snapshotted(session) == set()
    assert session.scalar(select(FactSnapshotColumn.name)) is None


def test_a_write_during_a_build_waits_for_it_and_then_drops_the_snapshot(app, session):
    """A snapshot must never miss a fact written while it was being built: the builder locks
    the fact table against writes (PostgreSQL) or holds the write lock (SQLite) until it
    commits, and the writer's trigger runs after that, seeing the new snapshot and dropping
    it."""
    seed_population(session, 2)
    q1 = _periods(session)[Q1[0]]
    session.commit()
    refresh_snapshots(session)  # builder: not committed yet
    done = threading.Event()

    def write_by_hand() -> None:
        with get_db(app).engine.begin() as conn:
            conn.execute(text(WRITES["update"]), {"q1": q1})
        done.set()

    writer = threading.Thread(target=write_by_hand)
    writer.start()
    time.sleep(1.0)
    assert not done.is_set(), "the writer did not wait for the builder"
    session.commit()
    writer.join(timeout=30)
    assert done.is_set()
    assert _snapshotted(session) == {Q1_2025[0]}


def test_cli_builds_missing_snapshots_and_rebuilds_on_request(app, session, runner):
    seed_population(session, 2)
    session.commit()
    result = runner.invoke(args=["period", "snapshot"])
    assert result.exit_code == 0, result.output
    lines = sorted(line for line in result.output.splitlines() if " facts" in line)
    assert len(lines) == 2 and lines[0].startswith("2025-Q1: snapshot of ")
    assert lines[1].startswith("2026-Q1: snapshot of ") and lines[1].endswith(" facts")
    again = runner.invoke(args=["period", "snapshot"])
    assert again.output == "every period has its snapshot\n"
    rebuilt = runner.invoke(args=["period", "snapshot", "--rebuild"])
    assert sorted(line for line in rebuilt.output.splitlines() if " facts" in line) == lines
    assert len(rebuilt.output.splitlines()) == 8  # and the tables (test_table_snapshots.py)


def test_a_write_is_read_back_at_once_in_the_same_transaction(app, session):
    """A snapshot the session has seen (even as an ORM object in its identity map) is not
    trusted once a write dropped it: reads always ask the database."""
    seed_population(session, 2)
    q1 = _periods(session)[Q1[0]]
    refresh_snapshots(session)
    session.commit()
    before = read_fact_columns(session, q1, ["net_sales"])["net_sales"]
    seen = session.get(FactSnapshot, q1)  # held: it stays in the identity map
    assert seen is not None and has_snapshot(session, q1)
    session.execute(text(WRITES["update"]), {"q1": q1})  # not committed
    assert not has_snapshot(session, q1) and seen.period_id == q1
    after = read_fact_columns(session, q1, ["net_sales"])["net_sales"]
    np.testing.assert_array_equal(after.value, before.value + 1)
    assert (q1, "net_sales") in fact_names(session, [q1])


def test_a_payload_keeps_ids_small_and_every_column():
    size = 1000
    columns = RawFactColumns(
        account=np.arange(1, size + 1, dtype=np.int64), person=np.zeros(size, dtype=np.int64),
        team=np.zeros(size, dtype=np.int64), product=np.full(size, 2**40, dtype=np.int64),
        value=np.linspace(0, 1, size), category=np.full(size, None, dtype=object))
    data = encode(columns)
    with np.load(io.BytesIO(data)) as arrays:
        assert {"account", "person", "team", "product"} <= set(arrays.files)  # older code
        assert arrays["account"].dtype == arrays["person"].dtype == np.int32  # fits
        assert arrays["product"].dtype == np.int64  # does not
        # what code before int32 payloads does with one: index by its ids
        assert (np.arange(size + 1)[arrays["account"]] == columns.account).all()
    _same(decode(data), columns)
    wide = encode(dataclasses.replace(columns, product=columns.account.copy()))
    assert len(wide) < len(data) - size * 3  # int32 ids are half the bytes
