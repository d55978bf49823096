"""Bulk writes for the demo.

The ORM's unit of work would track every object; the demo writes millions of rows at the
largest sizes. Small tables go through Core ``INSERT`` with lists of dicts (executemany) and
the ids the database assigned are read back by natural key in one query. Facts, the one big
table, go through the driver directly: ``COPY`` on PostgreSQL, a plain ``executemany`` of
tuples on SQLite; both inside the session's transaction, so the build stays all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint, ForeignKeyConstraint

from kamscore.db.bulk_copy import copy_rows
from kamscore.db.sqlite_insert import insert_tuples
from kamscore.models import Base
from kamscore.models.base import NOT_ON_DIALECTS

CHUNK = 20_000
STREAM_CHUNK = 50_000


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``model``'s table; return how many.

    On SQLite and PostgreSQL the rows go through ``RowStream``, each value converted by its
    column type's own bind processor (as SQLAlchemy would: enums to their values, dates for
    SQLite) and scalar column defaults filled in; elsewhere through a Core ``INSERT``.
    """
    if not rows:
        return 0
    table = model.__table__
    dialect = session.get_bind().dialect
    if dialect.name not in ("sqlite", "postgresql"):
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(table), list(rows[start : start + CHUNK]))
        return len(rows)
    given = list(rows[0])
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in given and column.default is not None and column.default.is_scalar
    }
    names = given + list(defaults)
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names]
    stream = RowStream(session, model, names)
    stream.add(
        tuple(value if convert is None else convert(value)
              for value, convert in zip((*(row[c] for c in given), *defaults.values()),
                                        processors, strict=True))
        for row in rows
    )
    return stream.close()


def ids_by(session: Session, key_column: Any) -> dict[Any, int]:
    """Map a natural key (e.g. ``Person.code``) to the row id the database assigned."""
    model = key_column.class_
    return dict(session.execute(select(key_column, model.id)).all())


@contextmanager
def sqlite_triggers_lifted(session: Session, table: str | None = None) -> Iterator[None]:
    """Drop the SQLite triggers of ``table`` (of every table: None) and create them again
    from their own stored text on the way out, within the caller's transaction."""
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    triggers = session.execute(text(query + (" AND tbl_name = :table" if table else "")),
                               {"table": table} if table else {}).all()
    for name, _sql in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        session.connection().exec_driver_sql(sql)


@contextmanager
def constraints_deferred(session: Session, model: type[Base]) -> Iterator[None]:
    """Drop ``model``'s plain indexes (and, on PostgreSQL, its foreign keys) for a bulk load,
    and create them again after it; its triggers are off meanwhile.

    This is PostgreSQL's own advice for populating a database ("Populating a Database": remove
    indexes and foreign keys, load, add them back) and helps SQLite as much: building an
    index once over the loaded rows is several times cheaper than updating it row by row,
    and one validating pass of a foreign key beats a trigger per row. The very ``Index`` and
    ``ForeignKeyConstraint`` objects of the models are dropped and created, so the schema
    ends exactly as the migrations made it, and the foreign keys are still checked (when
    added back; a key PostgreSQL's schema leaves to statement triggers — ``fact``'s, migration
    0024 — by one query after the load, the triggers being off during it). The DDL is part
    of the transaction on both databases, so a failed load rolls the drop back too. Unique
    constraints stay: they guard the load itself.

    Triggers (the fact table's drop a period's fact snapshot on every write, migration 0005)
    do not fire for the loaded rows: a load into an empty database has no snapshot to drop,
    and the caller builds the snapshots after it (``kamscore.facts.columns``).
    """
    connection = session.connection()
    table = model.__table__
    postgres = connection.dialect.name == "postgresql"
    indexes = [index for index in table.indexes if not index.unique]
    # keys that PostgreSQL's schema has not (statement triggers do their work: migrations
    # 0023, 0024) are checked by one query each after the load, as adding a key back would
    triggered = [fk for fk in table.foreign_key_constraints
                 if "postgresql" in fk.info.get(NOT_ON_DIALECTS, ())] if postgres else []
    foreign_keys = [fk for fk in table.foreign_key_constraints
                    if fk not in triggered] if postgres else []
    for fk in foreign_keys:
        connection.execute(DropConstraint(fk))
    for index in indexes:
        index.drop(connection)
    if postgres:
        connection.execute(text(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER'))
        yield
        connection.execute(text(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER'))
    else:
        with sqlite_triggers_lifted(session, table.name):
            yield
    for index in indexes:
        index.create(connection)
    for fk in foreign_keys:
        connection.execute(AddConstraint(fk))
    for fk in triggered:
        _check_parents(connection, fk)


def _check_parents(connection: Any, fk: ForeignKeyConstraint) -> None:
    """Refuse the load if a row names a parent that does not exist (the validation of
    ``ALTER TABLE ... ADD FOREIGN KEY``, for a key kept by triggers instead)."""
    element = fk.elements[0]
    child, column = fk.table.name, element.parent.name
    parent, key = element.column.table.name, element.column.name
    missing = connection.execute(text(
        f'SELECT c."{column}" FROM "{child}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
        f'(SELECT 1 FROM "{parent}" p WHERE p."{key}" = c."{column}") LIMIT 1')).scalar()
    if missing is not None:
        raise ValueError(f"{child}.{column} names {parent} {missing}, which does not exist")


class RowStream:
    """Streams tuples into one table through the driver's fastest path, in chunks.

    Values must already be plain Python values as the driver takes them (str, int, float,
    None): no enums, no dates, no numpy scalars. ``written`` counts the rows sent.
    """

    def __init__(self, session: Session, model: type[Base], columns: Sequence[str]) -> None:
        self.session = session
        self.table = model.__table__
        self.columns = tuple(columns)
        self.dialect = session.get_bind().dialect.name
        self.buffer: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= STREAM_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        if self.dialect == "postgresql":
            copy_rows(self.session, self.table.name, self.columns, rows)
        elif self.dialect == "sqlite":
            insert_tuples(self.session.connection(), self.table, self.columns, rows)
        else:
            self.session.execute(
                insert(self.table), [dict(zip(self.columns, row, strict=True)) for row in rows]
            )
        self.written += len(rows)

    def close(self) -> int:
        self.flush()
        return self.written
