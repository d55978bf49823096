"""PostgreSQL's ``COPY ... FROM STDIN`` for bulk writes, through psycopg 3 in the session's
own transaction: several times faster than batched INSERTs for hundreds of thousands of
rows. Used by the demo's fact stream (``kamscore.demo.bulk``) and by score runs storing
their lines (``kamscore.scoring.run_store``); ``copy_columns`` writes whole columns already
formatted (the survey aggregates, ``kamscore.surveys.aggregate_store``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from typing import Any

import numpy as np
from sqlalchemy.orm import Session


def copy_rows(session: Session, table: str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` with ``rows`` (values in ``columns`` order, as
    psycopg takes them). PostgreSQL only; the caller commits."""
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)


class OpenCopy:
    """A ``COPY table (columns) FROM STDIN`` that a caller keeps open across several writes —
    the server stores what was written while the caller prepares the next part (two
    processors) — opened at the first :meth:`write`. No other statement can run on the
    connection while it is open: :meth:`end` it first. PostgreSQL only."""

    def __init__(self, session: Session, table: str, columns: Sequence[str]) -> None:
        self.session = session
        self.statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._copy: Any = None
        self._cursor: Any = None
        self._writer: Any = None

    @property
    def is_open(self) -> bool:
        return self._copy is not None

    def write(self, text: str) -> None:
        """Write ``text`` (lines in COPY's text format: :func:`copy_text_lines`)."""
        if self._copy is None:
            self._cursor = self.session.connection().connection.driver_connection.cursor()
            self._copy = self._cursor.copy(self.statement)
            self._writer = self._copy.__enter__()
        self._writer.write(text)

    def end(self) -> None:
        """End the ``COPY``, if open: the server checks its rows (a constraint it breaks
        raises here, as the driver's ``IntegrityError``)."""
        if self._copy is not None:
            copy, self._copy = self._copy, None
            try:
                copy.__exit__(None, None, None)
            finally:
                self._cursor.close()

    def abandon(self) -> None:
        """End the ``COPY``, if open, by an error: none of its rows is stored, and the
        transaction (or the savepoint it runs in) must be rolled back."""
        if self._copy is not None:
            copy, self._copy = self._copy, None
            with suppress(Exception):  # psycopg reports the COPY it was told to cancel
                copy.__exit__(RuntimeError, RuntimeError("abandoned"), None)
            self._cursor.close()


#: Rows formatted and written at a time by ``copy_columns`` (a few megabytes of text each).
COPY_CHUNK = 20_000
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def copy_columns(session: Session, table: str, columns: Mapping[str, Sequence[Any]]) -> None:
    """``COPY table FROM STDIN`` of whole columns (name → values, all of one length), in
    chunks of rows: each chunk's columns are turned into COPY's text format a column at a
    time — strings escaped in one pass over the joined column, numbers by ``repr``, ``None``
    as ``\\N``, dates and times in ISO 8601 — and written as joined lines, with no per-row
    call into the driver. A chunk is formatted while the server stores the one before
    (the two run side by side on two processors). Values: ``str``, ``int``, ``float``,
    ``bool``, ``datetime``/``date`` or ``None``. PostgreSQL only; the caller commits."""
    names = list(columns)
    values = [v if isinstance(v, list) else list(v) for v in columns.values()]
    size = len(values[0]) if values else 0
    if any(len(v) != size for v in values):
        raise ValueError("copy_columns needs columns of one length")
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        f"COPY {table} ({', '.join(names)}) FROM STDIN"
    ) as copy:
        for start in range(0, size, COPY_CHUNK):
            texts = [_copy_texts(v[start:start + COPY_CHUNK]) for v in values]
            copy.write("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n")


def copy_text_lines(values: Sequence[list[Any]]) -> str:
    """Rows given as columns (lists of one length) in COPY's text format, a line each, as
    :func:`copy_columns` writes them: for a caller that keeps its own ``COPY`` open."""
    texts = [_copy_texts(v) for v in values]
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _copy_texts(values: list[Any]) -> list[str]:
    """One column in COPY's text format, each distinct value formatted once."""
    if None in values:
        column = np.empty(len(values), dtype=object)
        column[:] = values
        present = np.not_equal(column, None)
        given = column[present].tolist()
    else:
        given = values
    kinds = set(map(type, given))
    if not given:
        return ["\\N"] * len(values)
    if kinds == {str}:
        joined = "\x00".join(given)  # NUL cannot be in a PostgreSQL text value
        if joined.count("\x00") != len(given) - 1:
            raise ValueError("PostgreSQL text cannot hold the character NUL")
        for old, new in _ESCAPES:
            if old in joined:
                joined = joined.replace(old, new)
        made: Sequence[str] = joined.split("\x00")
    elif kinds <= {float, int} and bool not in kinds and float in kinds:
        numbers = np.array(given, dtype=float)
        bits, inverse = np.unique(numbers.view(np.int64), return_inverse=True)  # -0.0 apart
        texts = np.array(list(map(float.__repr__, bits.view(float).tolist())), dtype=object)
        made = texts[inverse.reshape(-1)]
    elif kinds == {int} or kinds == {bool} or all(issubclass(k, dt.date) for k in kinds):
        memo = {v: _copy_text(v) for v in set(given)}
        made = [memo[v] for v in given]
    else:
        raise TypeError(f"copy_columns cannot write values of types {sorted(map(str, kinds))}")
    if given is values:
        return list(made)
    out = np.full(len(values), "\\N", dtype=object)
    out[present] = made
    return out.tolist()


def _copy_text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return int.__repr__(value)
    return value.isoformat()
