"""Bulk inserts into SQLite through the driver's ``executemany``, without binding the NULLs
it need not bind.

Python's ``sqlite3`` binds ``None`` slowly: for any value that is not exactly an int, a
float, a str or bytes it first looks for an adapter (a tuple built, a registry lookup and two
attribute lookups), and ``None`` is such a value. One ``executemany`` of 200,000 rows of 8
values took 0.58 s when they were ``None``, 0.13 s when they were ints (0.28 µs more a value;
this machine, Python 3.11). A facts file with no person, team, item or category binds four
``None`` a row, which cost more than all the rest of the binding: 200,000 rows went into a
bare 12-column table in 0.49 s with them and 0.22 s without. So a column that is ``None``
in every row of the batch is left out of the ``INSERT``, and takes its default, NULL,
without a bind. Only a nullable column with no default is ever left out, so the rows stored
are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_tuples(connection: Connection, table: Table, columns: Sequence[str | None],
                  rows: Sequence[Sequence[Any]], *, on_conflict: str = "") -> int:
    """``INSERT INTO table`` the ``rows`` (one ``executemany``); returns the rows inserted or
    changed (SQLite's count of changes, summed over the rows). ``columns`` names each
    value of a row, in order; a value named ``None`` is not written (a line number the rows
    carry along). A column that is ``None`` in every row and may be left out (nullable, no
    default) is not bound. ``on_conflict``: an upsert clause put after the values
    (``ON CONFLICT (...) DO ...``). SQLite only (any driver whose ``executemany`` takes
    tuples with ``?`` marks); the caller commits."""
    if not rows:
        return 0
    first = rows[0]
    kept = [i for i, name in enumerate(columns)
            if name is not None and not (first[i] is None and _null_by_default(table, name)
                                         and _all_none(rows, i))]
    if not kept:  # every value NULL: one column still has to be named
        kept = [next(i for i, name in enumerate(columns) if name is not None)]
    if len(kept) == len(first):
        values: Sequence[Sequence[Any]] = rows
    elif len(kept) == 1:
        values = [(value,) for value in map(itemgetter(kept[0]), rows)]
    else:
        values = list(map(itemgetter(*kept), rows))
    names = ", ".join(str(columns[i]) for i in kept)
    marks = ", ".join("?" * len(kept))
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}) {on_conflict}".rstrip()
    return int(connection.exec_driver_sql(sql, values).rowcount)


def _null_by_default(table: Table, name: str) -> bool:
    """Whether leaving ``name`` out of an INSERT stores NULL in it."""
    column = table.c[name]
    return (column.nullable is True and column.default is None
            and column.server_default is None and not column.primary_key)


def _all_none(rows: Sequence[Sequence[Any]], index: int) -> bool:
    """Whether the value at ``index`` is ``None`` in every row (two passes at C speed)."""
    return list(map(itemgetter(index), rows)).count(None) == len(rows)
