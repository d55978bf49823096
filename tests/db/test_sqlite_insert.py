"""``insert_tuples``: the rows stored are those given, whichever columns it leaves unbound."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Connection

from kamscore.db.sqlite_insert import insert_tuples

metadata = MetaData()
thing = Table(
    "thing", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String, nullable=False),
    Column("note", String),
    Column("amount", Integer),
    Column("kind", String, server_default=text("'plain'")),
)
COLUMNS = (None, "code", "note", "amount", "kind")


@pytest.fixture
def connection(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'rows.sqlite'}")
    metadata.create_all(engine)
    statements: list[str] = []
    with engine.begin() as conn:
        event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2])
                     if args[2].startswith("INSERT INTO thing") else None)
        conn.info["statements"] = statements
        yield conn
    engine.dispose()


def stored(connection: Connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(
        select(thing.c.code, thing.c.note, thing.c.amount, thing.c.kind).order_by(thing.c.id))]


def test_a_column_none_in_every_row_is_left_out_and_stored_null(connection):
    insert_tuples(connection, thing, COLUMNS, [(7, "a", None, 1, "x"), (8, "b", None, 0, "y")])
    assert stored(connection) == [("a", None, 1, "x"), ("b", None, 0, "y")]
    assert connection.info["statements"][-1] == (
        "INSERT INTO thing (code, amount, kind) VALUES (?, ?, ?)")


def test_a_column_with_a_value_in_some_row_is_bound(connection):
    insert_tuples(connection, thing, COLUMNS, [(1, "a", None, None, "x"), (2, "b", "n", None, "y")])
    assert stored(connection) == [("a", None, None, "x"), ("b", "n", None, "y")]
    assert connection.info["statements"][-1] == (
        "INSERT INTO thing (code, note, kind) VALUES (?, ?, ?)")


def test_a_column_with_a_default_is_bound_even_when_none_everywhere(connection):
    """Leaving ``kind`` out would store its default, 'plain', not the NULL given."""
    insert_tuples(connection, thing, COLUMNS, [(1, "a", None, None, None)])
    assert stored(connection) == [("a", None, None, None)]
    assert connection.info["statements"][-1] == "INSERT INTO thing (code, kind) VALUES (?, ?)"


def test_zero_and_empty_text_are_values_not_nulls(connection):
    insert_tuples(connection, thing, COLUMNS, [(1, "a", "", 0, "x")])
    assert stored(connection) == [("a", "", 0, "x")]


def test_no_rows_writes_nothing(connection):
    insert_tuples(connection, thing, COLUMNS, [])
    assert stored(connection) == []
    assert connection.info["statements"] == []


def test_rows_of_nothing_but_nulls_still_insert(connection):
    only_nullable = Table("loose", metadata, Column("note", String), Column("amount", Integer))
    only_nullable.create(connection)
    insert_tuples(connection, only_nullable, ("note", "amount"), [(None, None), (None, None)])
    assert connection.execute(select(only_nullable)).all() == [(None, None), (None, None)]


def test_an_upsert_counts_the_rows_it_inserts_or_changes(connection):
    """An ``on_conflict`` clause goes after the values; the count is SQLite's changes: a row
    inserted or updated counts one, a conflict the clause leaves alone counts none."""
    connection.exec_driver_sql("CREATE UNIQUE INDEX thing_code ON thing (code)")
    assert insert_tuples(connection, thing, COLUMNS, [(1, "a", None, 1, "x"),
                                                      (2, "b", None, 2, "x")]) == 2
    clause = ("ON CONFLICT (code) DO UPDATE SET amount = excluded.amount "
              "WHERE thing.amount IS NOT excluded.amount")
    changed = insert_tuples(connection, thing, COLUMNS, [(3, "a", None, 1, "x"),
                                                         (4, "b", None, 5, "x"),
                                                         (5, "c", None, 3, "x")],
                            on_conflict=clause)
    assert changed == 2  # b updated, c inserted, a left as it was
    assert stored(connection) == [("a", None, 1, "x"), ("b", None, 5, "x"), ("c", None, 3, "x")]
    assert connection.info["statements"][-1] == (
        f"INSERT INTO thing (code, amount, kind) VALUES (?, ?, ?) {clause}")
