"""The slow-changing tables a score run reads whole, column-wise: from their snapshot when
there is one, else from the rows.

A 10,000-KAM run reads 75,000 accounts, 80,000 assignments, 50,000 account plans, 330,000
stakeholders, 150,000 plan objectives and 220,000 plan actions. Through a Python database
driver every value becomes an object (about a second for them all); read back from a
:class:`~kamscore.models.TableSnapshot` — one ``.npz`` payload of numpy arrays per table —
they cost a few hundredths of a second.

As with the facts' snapshots (``kamscore.facts.columns``) the snapshot is a cache, never a
record, and never stale: database triggers (migration 0021) delete a table's snapshot in the
same transaction as any write to the table, and :func:`read_table` falls back to the rows
when there is none. Both ways give the same arrays in the same order (by id), so nothing a
run computes depends on which way was taken.

Who builds them: :func:`refresh_table_snapshots` — called by a score run before it loads its
data (the first run after an edit rebuilds what the edit dropped), by the demo and by
``kamscore period snapshot``. A builder on PostgreSQL locks the tables it rebuilds in
``SHARE ROW EXCLUSIVE`` mode until it commits: a write to them waits (its trigger then drops
the new snapshot), reads go on, and a second builder waits and then finds it built.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.orm import Session

from kamscore.db.column_reads import SQLiteBlobFile, fetch_binary, fetch_rows, rowid_column
from kamscore.facts.stored_arrays import stored_arrays
from kamscore.metrics.context_rows import day_array
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    PlanAction,
    PlanObjective,
    Stakeholder,
    TableSnapshot,
)

#: How each column is kept: ``id`` (int64, 0 for NULL), ``int``, ``bool``, ``float`` (NaN for
#: NULL; booleans as 1.0/0.0), ``text`` (object, None for NULL), ``day`` (datetime64[D]).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "account": (("id", "id"), ("code", "text"), ("name", "text"), ("type", "text"),
                ("segment", "text"), ("region", "text"), ("team_id", "id")),
    "account_plan": (("id", "id"), ("account_id", "id"), ("period_id", "id"),
                     ("owner_id", "id"), ("quality_rating", "float")),
    "assignment": (("id", "id"), ("person_id", "id"), ("account_id", "id"),
                   ("start_date", "day"), ("end_date", "day"), ("share", "float")),
    "stakeholder": (("account_id", "id"), ("role", "text"), ("influence", "int"),
                    ("partnership_level", "int"), ("is_key", "bool")),
    "plan_objective": (("plan_id", "id"), ("code", "text"), ("target", "float"),
                       ("actual", "float"), ("met", "float")),
    "plan_action": (("plan_id", "id"), ("code", "text"), ("due_date", "day"),
                    ("done_date", "day")),
}
_TABLES: dict[str, Table] = {
    "account": Account.__table__,  # type: ignore[dict-item]
    "account_plan": AccountPlan.__table__,  # type: ignore[dict-item]
    "assignment": Assignment.__table__,  # type: ignore[dict-item]
    "stakeholder": Stakeholder.__table__,  # type: ignore[dict-item]
    "plan_objective": PlanObjective.__table__,  # type: ignore[dict-item]
    "plan_action": PlanAction.__table__,  # type: ignore[dict-item]
}

TableColumns = dict[str, np.ndarray]

_TEXTS_ONCE = "kamscore.table_snapshots.texts"  # session.info key of texts_decoded_once's


@contextmanager
def texts_decoded_once(session: Session) -> Iterator[None]:
    """Within the block, each text column of a snapshot is decoded once for every reader in
    ``session``: a second :func:`read_table` of it gets the same array, whose strings are
    the same objects. A score run's context reads the accounts' codes, and the survey
    results provider reads them again: at 100,000 KAMs that made 750,000 more strings, of
    which the results kept 405,000 (22 MB). The block is one read of data that does not
    change in it (the context's load, in the run's transaction); nothing is kept after."""
    if _TEXTS_ONCE in session.info:  # nested: the outer block keeps them
        yield
        return
    session.info[_TEXTS_ONCE] = {}
    try:
        yield
    finally:
        session.info.pop(_TEXTS_ONCE, None)


#: ``(column, keep)``: read the rows where ``keep(the column's values)`` is true.
RowFilter = tuple[str, Callable[[np.ndarray], np.ndarray]]


@dataclass(frozen=True)
class Labelled:
    """A text column as its snapshot holds it: ``positions`` (-1: None) in ``labels``, the
    UTF-8 of a JSON list; :meth:`values` makes the object array (``read_table(...,
    labelled=...)``: for a column that may never be read)."""

    positions: np.ndarray
    labels: bytes

    def __getitem__(self, index: np.ndarray) -> Labelled:
        return Labelled(self.positions[index], self.labels)

    def values(self) -> np.ndarray:
        return _labelled(self.positions, self.labels)


def _labelled(positions: np.ndarray, labels: bytes) -> np.ndarray:
    decoded = json.loads(labels)
    lookup = np.empty(len(decoded) + 1, dtype=object)
    lookup[:-1] = decoded
    lookup[-1] = None  # position -1
    return lookup[positions]


def read_table(session: Session, name: str, columns: Collection[str] | None = None,
               labelled: Collection[str] = (), where: RowFilter | None = None) -> TableColumns:
    """The columns of table ``name`` (one of :data:`COLUMNS`), rows in id order: those in
    ``columns`` only when given (from a snapshot the others are not even decoded: the
    accounts' 750,000 names at 100,000 KAMs are 60 MB of Python strings). From a snapshot
    the text columns in ``labelled`` come as :class:`Labelled` (from the rows: as arrays).

    ``where = (column, keep)``: only the rows where ``keep(that column)`` (a boolean mask)
    is true, and that column comes with the others; from a snapshot each other column is
    cut as it is decoded, texts before their strings are made (the plans' objectives in
    force are a fraction of the table)."""
    if session.get_bind().dialect.name == "sqlite":  # read in place, an array at a time
        table = TableSnapshot.__table__
        rowid = session.connection().execute(
            select(rowid_column(table)).where(table.c.name == name)).scalar()
        if rowid is not None:
            with SQLiteBlobFile(session, table.name, "data", rowid) as payload:
                return decode(name, payload, columns, labelled, where,
                              session.info.get(_TEXTS_ONCE))
    else:
        found = fetch_binary(session,
                             select(TableSnapshot.data).where(TableSnapshot.name == name))
        if found:
            return decode(name, bytes(found[0][0]), columns, labelled, where,
                          session.info.get(_TEXTS_ONCE))
    read = read_rows(session, name)
    if where is not None:
        rows = np.flatnonzero(where[1](read[where[0]]))
        read = {c: v[rows] for c, v in read.items()}
    if columns is None:
        return read
    return {c: v for c, v in read.items() if c in columns or (where and c == where[0])}


def read_rows(session: Session, name: str) -> TableColumns:
    """The columns of table ``name`` read from its rows (what a snapshot holds)."""
    table, spec = _TABLES[name], COLUMNS[name]
    rows = fetch_rows(session, select(*(table.c[c] for c, _ in spec)).order_by(table.c.id))
    # one 2-D object array, then a column at a time: half the time of transposing tuples
    grid = np.empty((len(rows), len(spec)), dtype=object)
    if rows:
        grid[:] = rows
    return {column: _typed(grid[:, i], kind) for i, (column, kind) in enumerate(spec)}


def _typed(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "id":
        return np.where(values == None, 0, values).astype(np.int64)  # noqa: E711
    if kind == "int":
        return values.astype(np.int64)
    if kind == "bool":
        return values.astype(bool)
    if kind == "float":
        return values.astype(float)  # None → NaN, True → 1.0
    if kind == "day":
        return day_array(values.tolist())
    return values.copy()  # text


def encode(name: str, columns: TableColumns) -> bytes:
    """One ``.npz`` payload without pickles: a text column is kept as positions in a JSON
    list of its distinct values (``<column>.labels``, UTF-8), a day as int64 days."""
    arrays: dict[str, np.ndarray] = {}
    for column, kind in COLUMNS[name]:
        values = columns[column]
        if kind == "text":
            labels: dict[str, int] = {}
            arrays[column] = np.array([-1 if v is None else labels.setdefault(v, len(labels))
                                       for v in values.tolist()], dtype=np.int32)
            arrays[f"{column}.labels"] = np.frombuffer(json.dumps(list(labels)).encode(),
                                                       dtype=np.uint8)
        elif kind == "day":
            arrays[column] = values.astype("datetime64[D]").view(np.int64)
        else:
            arrays[column] = values
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(name: str, data: bytes | BinaryIO, columns: Collection[str] | None = None,
           labelled: Collection[str] = (), where: RowFilter | None = None,
           texts: dict[tuple[str, str], np.ndarray] | None = None
           ) -> dict[str, np.ndarray | Labelled]:
    """A payload (bytes, or a seekable file) back into columns (see :func:`read_table`);
    ``texts``: text columns decoded before from the same payload, by (table, column), where
    those decoded whole are added (:func:`texts_decoded_once`)."""
    out: dict[str, np.ndarray | Labelled] = {}
    with stored_arrays(data) as arrays:  # read-only arrays, each read in one piece
        rows = None
        if where is not None:
            first = arrays[where[0]]
            kind = dict(COLUMNS[name])[where[0]]
            if kind == "day":
                first = first.view("datetime64[D]")
            elif kind == "text":  # the filter sees the texts, as the column reads
                first = _labelled(first, arrays[f"{where[0]}.labels"].tobytes())
            keep = where[1](first)
            rows = None if keep.all() else np.flatnonzero(keep)  # all: no copy of each column
        for column, kind in COLUMNS[name]:
            if columns is not None and column not in columns and \
                    (where is None or column != where[0]):
                continue
            values = arrays[column] if rows is None else arrays[column][rows]
            if kind == "text" and column in labelled:
                values = Labelled(values, arrays[f"{column}.labels"].tobytes())
            elif kind == "text" and texts is not None and rows is None:
                if (name, column) not in texts:
                    texts[name, column] = _labelled(values,
                                                    arrays[f"{column}.labels"].tobytes())
                values = texts[name, column]
            elif kind == "text":
                values = _labelled(values, arrays[f"{column}.labels"].tobytes())
            elif kind == "day":
                values = values.view("datetime64[D]")
            out[column] = values
    return out


def has_table_snapshot(session: Session, name: str) -> bool:
    return session.execute(select(TableSnapshot.name)
                           .where(TableSnapshot.name == name)).first() is not None


def _built(session: Session) -> set[str]:
    return set(session.execute(select(TableSnapshot.name)).scalars())


def refresh_table_snapshots(session: Session, *, rebuild: bool = False) -> dict[str, int]:
    """Build the snapshot of every table of :data:`COLUMNS` that has none (``rebuild``: of
    every one); returns ``{table: rows}`` of those built. The caller owns the transaction;
    on PostgreSQL the tables rebuilt stay locked against writes until it ends."""
    missing = [name for name in COLUMNS if rebuild or name not in _built(session)]
    if not missing:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        # self-exclusive and against writers; then look again: a concurrent builder that
        # held the lock has committed its snapshot by now
        session.execute(text(f"LOCK TABLE {', '.join(missing)} IN SHARE ROW EXCLUSIVE MODE"))
        if not rebuild:
            missing = [name for name in missing if name not in _built(session)]
    built = {}
    for name in missing:
        columns = read_rows(session, name)
        rows = len(next(iter(columns.values())))
        session.execute(delete(TableSnapshot).where(TableSnapshot.name == name))
        session.execute(insert(TableSnapshot), [{
            "name": name, "rows": rows, "data": encode(name, columns),
            "built_at": dt.datetime.now(dt.UTC)}])
        built[name] = rows
    return built
