"""Accounts, account plans, assignments, stakeholders, plan objectives and actions read
column-wise (kamscore.facts.table_snapshots):
the snapshot gives exactly what the rows give, any write to a table drops its snapshot and
only its own (triggers, both backends), a write during a build waits for it, a score run
rebuilds what a write dropped, and ``kamscore period snapshot`` builds them too."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from db_population import Q1, seed_population
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from kamscore.db.column_reads import object_array
from kamscore.db.session import get_db
from kamscore.facts.table_snapshots import (
    COLUMNS,
    Labelled,
    decode,
    encode,
    has_table_snapshot,
    read_rows,
    read_table,
    refresh_table_snapshots,
    texts_decoded_once,
)
from kamscore.models import TableSnapshot

TABLES = tuple(COLUMNS)


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for column in a:
        assert a[column].dtype == b[column].dtype, column
        if a[column].dtype == object:
            assert a[column].tolist() == b[column].tolist(), column
        else:
            np.testing.assert_array_equal(a[column], b[column])  # NaN = NaN, NaT = NaT


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(
    st.integers(0, 2**40), st.one_of(st.none(), st.text(max_size=8)),
    st.one_of(st.none(), st.floats(allow_nan=False)), st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.integers(-20_000, 50_000))), max_size=30))
def test_encoding_round_trips_every_value(rows):
    cols = list(zip(*rows, strict=True)) if rows else [()] * 5
    days = np.array([np.datetime64("NaT") if d is None else np.datetime64(d, "D")
                     for d in cols[4]], dtype="datetime64[D]")
    objectives = {"plan_id": np.array(cols[0], dtype=np.int64), "code": object_array(cols[1]),
                  "target": np.array(cols[2], dtype=object).astype(float),
                  "actual": np.array(cols[2], dtype=object).astype(float),
                  "met": np.array(cols[3], dtype=object).astype(float)}
    _same(decode("plan_objective", encode("plan_objective", objectives)), objectives)
    actions = {"plan_id": objectives["plan_id"], "code": objectives["code"], "due_date": days,
               "done_date": days[::-1].copy()}
    _same(decode("plan_action", encode("plan_action", actions)), actions)


def _snapshotted(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(TableSnapshot.name)))


def test_a_snapshot_reads_exactly_as_the_rows(app, session):
    seed_population(session, 3)
    from_rows = {name: read_rows(session, name) for name in TABLES}
    assert all(len(next(iter(c.values()))) for c in from_rows.values())
    assert _snapshotted(session) == set()
    assert refresh_table_snapshots(session) == {
        name: len(next(iter(c.values()))) for name, c in from_rows.items()}
    session.commit()
    assert _snapshotted(session) == set(TABLES)
    for name in TABLES:
        _same(read_table(session, name), from_rows[name])
    assert from_rows["stakeholder"]["is_key"].dtype == bool
    assert from_rows["plan_action"]["due_date"].dtype == np.dtype("datetime64[D]")
    assert np.isnan(from_rows["plan_objective"]["target"]).all()  # none given: NULL
    assert refresh_table_snapshots(session) == {}  # nothing missing: nothing built


WRITES = {  # a hand-written statement on each table
    "account": {
        "insert": "INSERT INTO account (code, name, type, segment) VALUES ('NEW', 'New', "
                  "'hospital', 'key')",
        "update": "UPDATE account SET region = 'North'",
        "delete": "DELETE FROM account WHERE code = 'NEW'",
    },
    "account_plan": {
        "insert": "INSERT INTO account_plan (account_id, period_id, owner_id) SELECT "
                  "account_id, (SELECT id FROM period WHERE code = '2025-Q1'), owner_id "
                  "FROM account_plan",
        "update": "UPDATE account_plan SET quality_rating = 1",
        "delete": "DELETE FROM account_plan WHERE period_id = (SELECT id FROM period WHERE "
                  "code = '2025-Q1')",
    },
    "assignment": {
        "insert": "INSERT INTO assignment (person_id, account_id, start_date, share) SELECT "
                  "person_id, account_id, end_date, share FROM assignment WHERE end_date IS "
                  "NOT NULL",
        "update": "UPDATE assignment SET share = 0.5",
        "delete": "DELETE FROM assignment WHERE end_date IS NOT NULL",
    },
    "stakeholder": {
        "insert": "INSERT INTO stakeholder (account_id, name, email, role, influence, "
                  "partnership_level, is_key, language, chosen_by) SELECT account_id, 'New', "
                  "'new' || email, role, 1, 1, is_key, language, chosen_by FROM stakeholder",
        "update": "UPDATE stakeholder SET is_key = NOT is_key",
        "delete": "DELETE FROM stakeholder WHERE influence = 3",
    },
    "plan_objective": {
        "insert": "INSERT INTO plan_objective (plan_id, code, description) SELECT plan_id, "
                  "'O9', 'new' FROM plan_objective WHERE code = 'O1'",
        "update": "UPDATE plan_objective SET target = 5",
        "delete": "DELETE FROM plan_objective WHERE code = 'O2'",
    },
    "plan_action": {
        "insert": "INSERT INTO plan_action (plan_id, code, description, due_date) SELECT "
                  "plan_id, 'X9', 'new', due_date FROM plan_action",
        "update": "UPDATE plan_action SET done_date = NULL",
        "delete": "DELETE FROM plan_action",
    },
}


#: PostgreSQL runs a referencing table's statement triggers for a cascaded delete, whether
#: or not it removed any rows.
CASCADES = {"account_plan": {"plan_objective", "plan_action"}}


def test_within_texts_decoded_once_a_text_column_is_decoded_once(app, session):
    seed_population(session, 3)
    refresh_table_snapshots(session)
    session.commit()
    apart = [read_table(session, "account", ("id", "code"))["code"] for _ in range(2)]
    assert apart[0].tolist() == apart[1].tolist() and apart[0][0] is not apart[1][0]
    with texts_decoded_once(session):
        first = read_table(session, "account", labelled=("name",))["code"]
        with texts_decoded_once(session):  # nested: the outer block's
            again = read_table(session, "account", ("id", "code"))["code"]
        kept = read_table(session, "account", ("code",),
                          where=("id", lambda ids: ids > ids.min()))["code"]
    assert again is first and first.tolist() == apart[0].tolist()
    assert kept.tolist() == first.tolist()[1:]  # a filtered read decodes its own rows
    assert read_table(session, "account", ("code",))["code"][0] is not first[0]  # not kept


def test_some_columns_read_alike_from_a_snapshot_and_from_the_rows(app, session):
    seed_population(session, 3)
    from_rows = read_table(session, "account", ("id", "code"))  # no snapshot yet
    assert set(from_rows) == {"id", "code"}
    refresh_table_snapshots(session)
    session.commit()
    snapped = read_table(session, "account", ("id", "code"))
    assert set(snapped) == {"id", "code"}
    _same(snapped, from_rows)
    _same(snapped, {c: v for c, v in read_table(session, "account").items()
                    if c in ("id", "code")})
    labelled = read_table(session, "account", labelled=("name",))
    assert isinstance(labelled["name"], Labelled)
    order = np.arange(len(from_rows["id"]))[::-1]
    assert (labelled["name"][order].values().tolist()
            == read_rows(session, "account")["name"][order].tolist())
    assert labelled["code"].tolist() == from_rows["code"].tolist()


@pytest.mark.parametrize("table, column", [("plan_objective", "plan_id"),
                                           ("assignment", "start_date"),
                                           ("account", "code")])
def test_rows_kept_by_a_filter_read_alike_from_a_snapshot_and_from_the_rows(
        app, session, table, column):
    seed_population(session, 3)
    whole = read_rows(session, table)
    values = whole[column]
    top = max(values.tolist())

    def keep(found: np.ndarray) -> np.ndarray:  # every row but those of the largest value
        return np.array([v is not None and v < top for v in found.tolist()], dtype=bool)

    wanted = keep(values)
    assert 0 < wanted.sum() < len(values)  # the filter keeps some rows, not all
    expected = {c: v[wanted] for c, v in whole.items()}
    from_rows = read_table(session, table, where=(column, keep))  # no snapshot yet
    _same(from_rows, expected)
    refresh_table_snapshots(session)
    session.commit()
    assert table in _snapshotted(session)
    _same(read_table(session, table, where=(column, keep)), expected)
    other = next(c for c in whole if c != column)
    for read in (read_rows, None):
        some = read_table(session, table, (other,), where=(column, keep)) if read is None \
            else {c: v for c, v in read_table(session, table, where=(column, keep)).items()
                  if c in (other, column)}
        assert set(some) == {other, column}  # the filter's column comes too
        _same(some, {c: v for c, v in expected.items() if c in (other, column)})


@pytest.mark.parametrize("table", TABLES)
def test_any_write_to_a_table_drops_its_snapshot_only(app, session, table):
    seed_population(session, 2)
    for event, statement in WRITES[table].items():
        refresh_table_snapshots(session)
        session.commit()
        assert _snapshotted(session) == set(TABLES)
        changed = session.execute(text(statement))
        assert changed.rowcount > 0, (event, statement)
        # read back at once, in the same transaction: from the rows
        assert not has_table_snapshot(session, table)
        _same(read_table(session, table), read_rows(session, table))
        session.commit()
        left = _snapshotted(session)
        assert table not in left, event
        assert left >= set(TABLES) - {table} - CASCADES.get(table, set()), event


def test_plans_deleted_with_their_items_drop_both_snapshots(app, session):
    seed_population(session, 2)
    refresh_table_snapshots(session)
    session.commit()
    session.execute(text("DELETE FROM account_plan"))  # ON DELETE CASCADE: triggers run
    session.commit()
    assert _snapshotted(session) == set(TABLES) - {"account_plan", "plan_objective",
                                                   "plan_action"}
    assert all(len(c) == 0 for c in read_table(session, "plan_action").values())


def test_emptying_a_table_drops_its_snapshot(app, session):
    seed_population(session, 2)
    refresh_table_snapshots(session)
    session.commit()
    postgres = session.get_bind().dialect.name == "postgresql"
    session.execute(text("TRUNCATE plan_action" if postgres else "DELETE FROM plan_action"))
    session.commit()
    assert _snapshotted(session) == set(TABLES) - {"plan_action"}
    built = refresh_table_snapshots(session)
    assert built == {"plan_action": 0}
    session.commit()
    empty = read_table(session, "plan_action")
    assert [len(c) for c in empty.values()] == [0] * 4
    assert empty["due_date"].dtype == np.dtype("datetime64[D]")


def test_a_write_during_a_build_waits_for_it_and_then_drops_the_snapshot(app, session):
    """A snapshot must never miss a row written while it was being built: the builder locks
    the table against writes (PostgreSQL) or holds the write lock (SQLite) until it commits,
    and the writer's trigger runs after that, dropping the new snapshot."""
    seed_population(session, 2)
    session.commit()
    refresh_table_snapshots(session)  # builder: not committed yet
    done = threading.Event()

    def write_by_hand() -> None:
        with get_db(app).engine.begin() as conn:
            conn.execute(text(WRITES["stakeholder"]["update"]))
        done.set()

    writer = threading.Thread(target=write_by_hand)
    writer.start()
    time.sleep(1.0)
    assert not done.is_set(), "the writer did not wait for the builder"
    session.commit()
    writer.join(timeout=30)
    assert done.is_set()
    assert _snapshotted(session) == set(TABLES) - {"stakeholder"}


def test_a_second_builder_waits_and_finds_it_built(app, session):
    seed_population(session, 2)
    session.commit()
    assert refresh_table_snapshots(session) == {
        "account": 4, "account_plan": 4, "assignment": 6, "stakeholder": 12,
        "plan_objective": 8, "plan_action": 4}
    found: list[dict[str, int]] = []

    def build_too() -> None:
        with get_db(app).sessionmaker() as other:
            found.append(refresh_table_snapshots(other))
            other.commit()

    second = threading.Thread(target=build_too)
    second.start()
    time.sleep(0.5)
    session.commit()
    second.join(timeout=30)
    assert found == [{}]
    assert _snapshotted(session) == set(TABLES)


def test_cli_builds_the_table_snapshots(app, session, runner):
    seed_population(session, 2)
    session.commit()
    result = runner.invoke(args=["period", "snapshot"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-6:] == ["account: snapshot of 4 rows", "account_plan: snapshot of 4 rows",
                          "assignment: snapshot of 6 rows", "stakeholder: snapshot of 12 rows",
                          "plan_objective: snapshot of 8 rows",
                          "plan_action: snapshot of 4 rows"]
    assert _snapshotted(session) == set(TABLES)
    session.rollback()  # SQLite: let the command write
    rebuilt = runner.invoke(args=["period", "snapshot", "--rebuild"])
    assert rebuilt.exit_code == 0, (rebuilt.output, rebuilt.exception)
    assert rebuilt.output.splitlines()[-6:] == lines[-6:]
    assert Q1[0] in rebuilt.output


def test_an_sqlite_blob_reads_in_place_as_a_seekable_file(tmp_path):
    import io

    from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, insert

    from kamscore.db.column_reads import SQLiteBlobFile, rowid_column
    from kamscore.db.session import Database

    data = bytes(range(256)) * 4096  # 1 MB
    table = Table("blobs", MetaData(), Column("id", Integer, primary_key=True),
                  Column("data", LargeBinary))
    database = Database(f"sqlite:///{tmp_path / 'blobs.sqlite'}")
    table.create(database.engine)
    with database.sessionmaker() as session:
        session.execute(insert(table).values(id=7, data=data))
        rowid = session.connection().execute(
            select(rowid_column(table)).where(table.c.id == 7)).scalar()
        with SQLiteBlobFile(session, "blobs", "data", rowid) as blob:
            assert blob.readable() and blob.seekable()
            assert blob.read(10) == data[:10] and blob.tell() == 10
            assert blob.seek(-5, io.SEEK_END) == len(data) - 5
            assert blob.read() == data[-5:]
            blob.seek(100)
            buffer = bytearray(50)
            assert blob.readinto(buffer) == 50 and bytes(buffer) == data[100:150]
            blob.seek(0)
            assert blob.read() == data
        assert blob.closed
        arrays = {"a": np.arange(1000), "b": np.linspace(0, 1, 300)}
        packed = io.BytesIO()
        np.savez(packed, **arrays)
        session.execute(insert(table).values(id=8, data=packed.getvalue()))
        rowid = session.connection().execute(
            select(rowid_column(table)).where(table.c.id == 8)).scalar()
        with SQLiteBlobFile(session, "blobs", "data", rowid) as blob, np.load(blob) as found:
            assert (found["a"] == arrays["a"]).all() and (found["b"] == arrays["b"]).all()
