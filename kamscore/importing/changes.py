"""Turning validated rows into inserts, updates and deletes, and writing them in bulk.

An import compares each row with what is stored under the same natural key: new keys are
inserted, keys whose values differ are updated, equal ones are counted as unchanged. Only the
columns the file has are compared and written, so a file without, say, a ``base_salary``
column leaves stored salaries alone. Writes are a handful of executemany statements per table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from kamscore.importing.lookup import chunks

#: Rows per executemany: big enough to be fast, small enough to report progress.
WRITE_BATCH = 5_000

Progress = Callable[[int], None]


def no_progress(_steps: int) -> None:
    return None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }


@dataclass
class TableChanges:
    """What an import does to one table. Inserted and updated rows keep their file line."""

    model: Any
    inserts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)  # ids
    unchanged: int = 0

    @property
    def counts(self) -> Counts:
        return Counts(len(self.inserts), len(self.updates), self.unchanged, len(self.deletes))

    def write(self, session: Session, progress: Progress = no_progress) -> None:
        """Apply the changes: deletes, then inserts, then updates, in batches."""
        table = self.model.__table__
        for ids in chunks(self.deletes):
            session.execute(delete(table).where(table.c.id.in_(ids)))
        for part in chunks(self.inserts, WRITE_BATCH):
            session.execute(insert(table), [values for _, values in part])
            progress(len(part))
        for part in chunks(self.updates, WRITE_BATCH):
            session.execute(update(self.model), [values for _, values in part])
            progress(len(part))


def load_existing(
    session: Session,
    model: Any,
    key_columns: Sequence[str],
    value_columns: Collection[str],
    *,
    where: Any = None,
    among: tuple[Any, Collection[Any]] | None = None,
) -> dict[Hashable, dict[str, Any]]:
    """Stored rows by natural key: ``{key: {"id": .., column: value, ..}}``.

    Either ``where`` (one condition) or ``among=(column, values)`` (``column IN values``, run in
    chunks) selects the rows.
    """
    names = ["id", *key_columns, *[c for c in value_columns if c not in key_columns]]
    base = select(*(getattr(model, name) for name in names))
    if among is not None:
        column, values = among
        statements = [base.where(column.in_(part)) for part in chunks(sorted(set(values)))]
    else:
        statements = [base.where(where) if where is not None else base]
    found: dict[Hashable, dict[str, Any]] = {}
    for stmt in statements:
        for row in session.execute(stmt):
            record = dict(zip(names, row, strict=True))
            found[tuple(record[c] for c in key_columns)] = record
    return found


def diff(
    model: Any,
    existing: Mapping[Hashable, Mapping[str, Any]],
    incoming: Mapping[Hashable, tuple[int, dict[str, Any]]],
    compared: Collection[str],
) -> TableChanges:
    """Compare ``incoming`` (``{key: (line, full row values)}``) with ``existing``.

    An update carries the row's id and every compared column, so that all the updates of a
    table share one statement.
    """
    changes = TableChanges(model)
    for key, (line, values) in incoming.items():
        stored = existing.get(key)
        if stored is None:
            changes.inserts.append((line, values))
        elif any(stored[c] != values[c] for c in compared):
            changes.updates.append((line, {"id": stored["id"], **{c: values[c] for c in compared}}))
        else:
            changes.unchanged += 1
    return changes
