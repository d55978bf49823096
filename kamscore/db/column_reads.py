"""Reading large query results column-wise into numpy, for the bulk loaders.

The metric context loader (``kamscore.scoring.context_loader``), the default survey results provider
(``kamscore.facts.survey_results_from_facts``) and the fact reads (``kamscore.facts.columns``) read
hundreds of thousands of rows per period.
They fetch them from the DBAPI cursor directly — for plain numbers and strings SQLAlchemy's
row processing adds nothing but time — and map ids to codes or positions with lookup arrays
instead of joins.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Select, Table, literal_column, select
from sqlalchemy.orm import Session


def fetch_rows(session: Session, statement: Select) -> list[tuple]:
    """Run a Core ``statement`` and return its rows straight from the DBAPI cursor.

    Values come as the DBAPI gives them: dates are ``date`` objects on PostgreSQL and ISO text
    on SQLite (``kamscore.metrics.assemble.day_array`` reads both).
    """
    result = session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def stream_rows(session: Session, statement: Select, batch: int) -> Iterator[list[tuple]]:
    """Run a Core ``statement`` and yield its rows ``batch`` at a time, straight from the
    DBAPI: through a server-side cursor on PostgreSQL (a plain cursor receives the whole
    result into the client's memory first), a plain cursor on SQLite (it steps the
    statement as rows are fetched). For results too big to hold as Python tuples at once.

    Values are bound as they are (ints, strings): no SQLAlchemy type processing.
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
    dbapi = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = dbapi.cursor(name="kamscore_stream_rows")  # type: ignore[union-attr]
        params: Any = compiled.params
    else:
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()
def fetch_binary(session: Session, statement: Select) -> list[tuple]:
    """:func:`fetch_rows` for large ``bytea``/BLOB values (snapshots' payloads).

    PostgreSQL with psycopg: the statement runs in the session's transaction on a *binary*
    cursor — in psycopg's default text format a ``bytea`` crosses the wire as hex and is
    decoded back, several times slower than the bytes themselves (0.8 s instead of 0.2 s
    for a quarter's 60 MB of fact snapshots). Elsewhere: :func:`fetch_rows`. (SQLAlchemy's
    engine events and echo do not see a statement run this way.)
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return fetch_rows(session, statement)
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def fetch_columns(session: Session, statement: Select, width: int) -> list[tuple]:
    """Run a Core ``statement`` and return its ``width`` columns, each as a tuple."""
    rows = fetch_rows(session, statement)
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def object_array(values: Iterable[object]) -> np.ndarray:
    """``values`` as a one-dimensional object array (strings stay Python strings)."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    items = values if isinstance(values, Sequence) else list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def shared_texts(values: Iterable[object]) -> np.ndarray:
    """Like :func:`object_array`, with equal values stored as one object: for a column of few
    distinct texts (roles, grades, currencies, functions). The driver makes a new string for
    every value it reads, about 55 bytes each: 100,000 people's roles, grades and currencies
    were 17 MB of copies of a handful of words."""
    first: dict[object, object] = {}
    return object_array([first.setdefault(v, v) for v in values])


def id_lookup(ids: Sequence[int], values: np.ndarray, missing: object,
              size: int | None = None) -> np.ndarray:
    """An array ``lut`` with ``lut[id] = values[i]`` for ``ids[i]`` and ``missing`` elsewhere,
    ``lut[0]`` included (ids start at 1; NULL ids are read as 0); ``size`` entries (at least
    the largest id + 1), so that ids of rows left out of ``ids`` read ``missing`` too."""
    at = np.asarray(ids, dtype=np.int64)
    lut = np.empty(max(size or 0, int(at.max()) + 1 if len(at) else 1), dtype=values.dtype)
    lut[:] = missing
    if len(at):
        lut[at] = values
    return lut


def code_lookup(session: Session, table: Table) -> np.ndarray:
    """``lut[id]`` = the ``code`` of ``table``'s row with that id; None for 0 and gaps."""
    ids, codes = fetch_columns(session, select(table.c.id, table.c.code), 2)
    return id_lookup(ids, object_array(codes), None)


def nullable_ids(column: Sequence[int | None]) -> np.ndarray:
    """A column of ids (None for NULL) as int64 with 0 for NULL."""
    arr = np.array(column, dtype=float)
    return np.where(np.isnan(arr), 0, arr).astype(np.int64)


class SQLiteBlobFile(io.RawIOBase):
    """One SQLite BLOB read in place as a seekable file (``sqlite3.Blob``, incremental I/O):
    neither SQLite nor Python ever holds the whole value. Fetched as a column value, a 200
    MB snapshot payload costs 400 MB at once (SQLite's copy and the ``bytes``); read through
    this, ``np.load`` holds one array at a time."""

    def __init__(self, session: Session, table: str, column: str, rowid: int) -> None:
        super().__init__()
        driver = session.connection().connection.driver_connection
        self._blob = driver.blobopen(table, column, rowid, readonly=True)  # type: ignore[union-attr]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._blob.read(-1 if size is None else size)

    def readinto(self, buffer: Any) -> int:
        data = self._blob.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._blob.seek(offset, whence)
        return self._blob.tell()

    def tell(self) -> int:
        return self._blob.tell()

    def close(self) -> None:
        if not self.closed:
            self._blob.close()
        super().close()


def rowid_column(table: Table) -> Any:
    """SQLite's ``rowid`` of ``table``, to select (for :class:`SQLiteBlobFile`) in a
    statement that names ``table`` otherwise too (a ``where`` or ``select_from``)."""
    return literal_column(f"{table.name}.rowid")
