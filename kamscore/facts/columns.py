"""A period's facts read column-wise: from its snapshot when it has one, else from the rows.

A score run of 10,000 KAMs reads about a million facts. Through a Python database driver
that costs about a microsecond per value, a few seconds in all; read back from a
:class:`~kamscore.models.FactSnapshot` — one ``.npz`` payload of numpy arrays per fact name,
written once after the facts were imported — it costs a few hundredths of a second.

The snapshot is a cache, never a record, and never stale: database triggers (migration
0005) delete a period's snapshot in the same transaction as any write to its facts, and the
readers here fall back to the rows when there is none. Both ways give the same arrays in the
same order (by subject key, as the unique index on period, name and subject key gives them),
so a score run's hashes do not depend on which way was taken.

Who builds snapshots: :func:`refresh_snapshots`, called by a score run before it loads its
data (the first run after an import rebuilds what the import dropped), by an import job
once its import has committed, by the demo and by ``kamscore period snapshot``. An import
itself only drops them: building a period's snapshot reads all of its facts, which is no
part of writing a file's. A builder locks the fact table
against writers until it commits (:func:`lock_facts_against_writes`), so a snapshot never
misses a fact written while it was being built: such a write waits, and its trigger then
drops the new snapshot.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from sqlalchemy import Select, delete, func, insert, null, select, text, update
from sqlalchemy.orm import Session

from kamscore.db.column_reads import SQLiteBlobFile, fetch_binary, rowid_column, stream_rows
from kamscore.facts.stored_arrays import stored_arrays
from kamscore.models import Fact, FactSnapshot, FactSnapshotColumn, Period

_ID_COLUMNS = ("account", "person", "team", "product")


@dataclass(frozen=True)
class RawFactColumns:
    """The facts of one name in a period, in the order of their subject keys: ``account``,
    ``person``, ``team`` and ``product`` ids (integers, 0 for none; from a snapshot int32
    where they fit), ``value`` (NaN for none),
    ``category`` (object, None for none), ``item`` (object: the transaction, None for
    none). A name none of whose facts has a category (every number) or an item has None for
    that column, not an array of None: at 100,000 KAMs a quarter's 7.5 million sales facts
    made 60 MB of such an array, and a loader scanned it to find nothing."""

    account: np.ndarray
    person: np.ndarray
    team: np.ndarray
    product: np.ndarray
    value: np.ndarray
    category: np.ndarray | None  # None: no fact of the name has a category
    item: np.ndarray | None = None  # None: no fact of the name has an item

    def __len__(self) -> int:
        return len(self.value)


def lock_facts_against_writes(session: Session) -> None:
    """Wait for transactions writing facts, or building snapshots, to end and keep new ones
    waiting until this one ends (PostgreSQL ``SHARE ROW EXCLUSIVE`` lock: reads go on, a
    second builder waits; SQLite transactions start with ``BEGIN IMMEDIATE``, one writer at
    a time, so it has nothing to do)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE fact IN SHARE ROW EXCLUSIVE MODE"))


def has_snapshot(session: Session, period_id: int) -> bool:
    """Whether ``period_id`` has a snapshot now (always asks the database)."""
    return session.execute(select(FactSnapshot.period_id)
                           .where(FactSnapshot.period_id == period_id)).first() is not None


def _snapshot_columns(session: Session, period_ids: Collection[int],
                      names: Collection[str] | None, *, data: bool) -> list[tuple]:
    """(period id, name or None, data or None) for each period of ``period_ids`` that has a
    snapshot and each of its columns called ``names`` (None: all): one statement, so that a
    snapshot dropped meanwhile is seen whole or not at all (PostgreSQL reads each statement
    as of its start)."""
    query = _snapshot_query(session, period_ids, names, data=data)
    if data:  # tens of megabytes: as bytes, not hex text (kamscore.db.column_reads)
        return list(fetch_binary(session, query))
    return list(session.connection().execute(query).all())


def _snapshot_query(session: Session, period_ids: Collection[int],
                    names: Collection[str] | None, *, data: bool) -> Select:
    s, c = FactSnapshot.__table__, FactSnapshotColumn.__table__
    on = c.c.period_id == s.c.period_id
    if names is not None:
        on = on & c.c.name.in_(list(names))
    return (select(s.c.period_id, c.c.name, c.c.data if data else null())
            .select_from(s.outerjoin(c, on)).where(s.c.period_id.in_(list(period_ids))))


def fact_names(session: Session, period_ids: Collection[int]) -> set[tuple[int, str]]:
    """The (period id, fact name) pairs that have facts, for ``period_ids``."""
    rows = _snapshot_columns(session, period_ids, None, data=False)
    snapped = {pid for pid, _, _ in rows}
    found = {(pid, name) for pid, name, _ in rows if name is not None}
    rest = [pid for pid in period_ids if pid not in snapped]
    if rest:
        found |= set(session.execute(select(Fact.period_id, Fact.name).distinct()
                                     .where(Fact.period_id.in_(rest))).all())
    return {(int(pid), str(name)) for pid, name in found}


def read_fact_columns(session: Session, period_id: int,
                      names: Iterable[str]) -> dict[str, RawFactColumns]:
    """The facts of ``period_id`` called ``names``; a name without facts is left out."""
    return dict(iter_fact_columns(session, period_id, names))


def iter_fact_columns(session: Session, period_id: int,
                      names: Iterable[str]) -> Iterator[tuple[str, RawFactColumns]]:
    """:func:`read_fact_columns` one name at a time, in name order: a caller that maps each
    name's columns as they come never holds the period's payloads, nor its decoded arrays,
    all at once (at 100,000 KAMs about 500 MB of each)."""
    wanted = sorted(set(names))
    if not wanted:
        return
    snapshot = _snapshot_blobs(session, period_id, wanted)
    if snapshot is None:
        yield from _period_parts(session, period_id, wanted)
        return
    for name, blob in snapshot:
        if isinstance(blob, bytes):
            yield name, decode(blob)
            continue
        with SQLiteBlobFile(session, FactSnapshotColumn.__tablename__, "data", blob) as payload:
            found = decode(payload)
        yield name, found


def _snapshot_blobs(session: Session, period_id: int,
                    names: list[str]) -> Iterator[tuple[str, bytes | int]] | None:
    """The payloads of ``period_id``'s snapshot columns called ``names``, by name, fetched
    by one statement (:func:`_snapshot_columns`); None when the period has no snapshot.
    On SQLite each payload's rowid instead, to be read in place (``SQLiteBlobFile``: the
    transaction began with ``BEGIN IMMEDIATE``, so no writer changes them meanwhile)."""
    if session.get_bind().dialect.name == "postgresql":
        rows = _snapshot_columns(session, [period_id], names, data=True)
        if not rows:
            return None
        rows.sort(key=lambda row: row[1] or "", reverse=True)

        def popped() -> Iterator[tuple[str, bytes]]:
            while rows:
                _, name, blob = rows.pop()
                if name is not None:
                    yield name, bytes(blob)
        return popped()
    column = FactSnapshotColumn.__table__
    rows = session.connection().execute(
        _snapshot_query(session, [period_id], names, data=False)
        .add_columns(rowid_column(column)).order_by(column.c.name)).all()
    if not rows:
        return None
    return ((name, rowid) for _, name, _, rowid in rows if name is not None)


def _period_rows(session: Session, period_id: int,
                 names: Collection[str] | None = None) -> dict[str, RawFactColumns]:
    """The facts of ``period_id`` (called ``names``, or all) from the rows, by name."""
    return dict(_period_parts(session, period_id, names))


#: Rows fetched and turned into typed arrays at a time while a period's facts are read.
READ_BATCH = 50_000


def _period_parts(session: Session, period_id: int,
                  names: Collection[str] | None = None) -> Iterator[tuple[str, RawFactColumns]]:
    """The facts of ``period_id`` (called ``names``, or all), one name at a time, in one
    query (the only place that reads them): a period of thousands of names costs one
    statement, not one per name. The rows are streamed (a server-side cursor on PostgreSQL)
    and typed a batch at a time, so memory holds one name's arrays, never the period's rows
    as Python tuples (millions of them for a period of a big import)."""
    t = Fact.__table__
    query = select(
        t.c.name, *(func.coalesce(t.c[f"{c}_id"], 0) for c in _ID_COLUMNS), t.c.value,
        t.c.category, t.c.item,
    ).where(t.c.period_id == period_id).order_by(t.c.name, t.c.subject_key)
    if names is not None:
        query = query.where(t.c.name.in_(list(names)))
    current: str | None = None
    parts: list[RawFactColumns] = []
    for rows in stream_rows(session, query, READ_BATCH):
        # one 2-D object array, then a column at a time: half the time of transposing tuples
        table = np.array(rows, dtype=object).reshape(len(rows), 8)
        del rows
        names_ = table[:, 0]
        starts = np.flatnonzero(np.r_[True, names_[1:] != names_[:-1]])
        for a, b in zip(starts, np.r_[starts[1:], len(names_)], strict=True):
            name = str(names_[a])
            if name != current:
                if parts:
                    yield str(current), _joined(parts)
                current, parts = name, []
            parts.append(_columns(table[a:b, 1:]))
    if parts:
        yield str(current), _joined(parts)


def _joined(parts: list[RawFactColumns]) -> RawFactColumns:
    if len(parts) == 1:
        return parts[0]
    return RawFactColumns(*(np.concatenate([getattr(p, c) for p in parts])
                            for c in (*_ID_COLUMNS, "value")),
                          category=_joined_texts([(len(p), p.category) for p in parts]),
                          item=_joined_texts([(len(p), p.item) for p in parts]))


def _joined_texts(parts: list[tuple[int, np.ndarray | None]]) -> np.ndarray | None:
    """Text columns of consecutive parts joined (None: no part has one)."""
    if all(texts is None for _, texts in parts):
        return None
    return np.concatenate([np.full(size, None, dtype=object) if texts is None else texts
                           for size, texts in parts])


def _columns(table: np.ndarray) -> RawFactColumns:
    return RawFactColumns(*(table[:, i].astype(np.int64) for i in range(4)),
                          value=table[:, 4].astype(float),  # None → NaN
                          category=_texts(table[:, 5]), item=_texts(table[:, 6]))


def _texts(column: np.ndarray) -> np.ndarray | None:
    """A text column of rows, or None when every row has none."""
    return column.copy() if any(x is not None for x in column) else None


def encode(columns: RawFactColumns) -> bytes:
    """One ``.npz`` payload, without pickles: a category is a position in ``labels``, the
    UTF-8 of a JSON list of the distinct labels (exact for any text, NUL included)."""
    labels: dict[str, int] = {}
    positions = (np.full(len(columns), -1, dtype=np.int32) if columns.category is None
                 else np.array([-1 if c is None else labels.setdefault(c, len(labels))
                                for c in columns.category], dtype=np.int32))
    extra = {}
    if columns.item is not None:  # the transactions, stored like the categories
        items: dict[str, int] = {}
        extra["item"] = np.array([-1 if c is None else items.setdefault(c, len(items))
                                  for c in columns.item], dtype=np.int32)
        extra["item_labels"] = np.frombuffer(json.dumps(list(items)).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **_id_arrays(columns),
             value=columns.value.astype(float), category=positions,
             labels=np.frombuffer(json.dumps(list(labels)).encode(), dtype=np.uint8), **extra)
    return buffer.getvalue()


def _id_arrays(columns: RawFactColumns) -> dict[str, np.ndarray]:
    """The id columns a payload keeps: int32 where the ids fit, int64 otherwise. At 100,000
    KAMs a quarter's sales are 7.5 million facts: 28 bytes a fact instead of 44, in the
    database and in memory while a run decodes them. (Every column stays, zeros included:
    code from before reads these payloads, as a rolled-back release would.)"""
    out = {}
    for name in _ID_COLUMNS:
        ids = np.asarray(getattr(columns, name))
        small = not len(ids) or (ids.min() >= 0 and ids.max() <= np.iinfo(np.int32).max)
        out[name] = ids.astype(np.int32 if small else np.int64)
    return out


def _labelled(arrays: Mapping[str, np.ndarray], positions_key: str,
              labels_key: str) -> np.ndarray | None:
    """The texts at the payload's positions in its labels (-1: None); None when there are
    no labels (every position is -1: the positions are not even read)."""
    labels = json.loads(arrays[labels_key].tobytes())
    if not labels:
        return None
    positions = arrays[positions_key]
    lookup = np.empty(len(labels) + 1, dtype=object)
    lookup[:-1] = labels
    lookup[-1] = None  # position -1
    return lookup[positions]


def decode(data: bytes | BinaryIO) -> RawFactColumns:
    """A payload (bytes, or a seekable file read an array at a time) back into columns."""
    with stored_arrays(data) as arrays:  # read-only arrays, each read in one piece
        item = _labelled(arrays, "item", "item_labels") if "item" in arrays.files else None
        return RawFactColumns(*(arrays[c] for c in _ID_COLUMNS), value=arrays["value"],
                              category=_labelled(arrays, "category", "labels"), item=item)


def build_snapshot(session: Session, period_id: int) -> int:
    """(Re)write the snapshot of ``period_id`` from its rows; returns its number of facts.

    The caller owns the transaction (and should hold :func:`lock_facts_against_writes`)."""
    session.flush()
    session.execute(delete(FactSnapshotColumn).where(FactSnapshotColumn.period_id == period_id))
    session.execute(delete(FactSnapshot).where(FactSnapshot.period_id == period_id))
    session.execute(insert(FactSnapshot), [{
        "period_id": period_id, "fact_count": 0, "built_at": dt.datetime.now(dt.UTC)}])
    total = 0
    for name, part in _period_parts(session, period_id):  # one name's arrays at a time
        session.execute(insert(FactSnapshotColumn), [{
            "period_id": period_id, "name": name, "rows": len(part), "data": encode(part)}])
        total += len(part)
    session.execute(update(FactSnapshot).where(FactSnapshot.period_id == period_id)
                    .values(fact_count=total))
    return total


def refresh_snapshots(session: Session, *, rebuild: bool = False) -> dict[str, int]:
    """Build the snapshot of every period that has none (``rebuild``: of every period);
    returns ``{period code: facts}`` of those built. Takes :func:`lock_facts_against_writes`
    when there is something to build (and then looks again: a builder that held the lock
    has committed its snapshots by now); when every period has its snapshot, it is one
    small query and no lock."""
    query = select(Period.id, Period.code).order_by(Period.start_date, Period.id)
    if not rebuild:
        query = query.where(Period.id.not_in(select(FactSnapshot.period_id)))
        if not session.execute(query.limit(1)).first():
            return {}
    lock_facts_against_writes(session)
    return {code: build_snapshot(session, pid) for pid, code in session.execute(query).all()}
