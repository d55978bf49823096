"""A first import written straight into ``fact``, without the staging table.

When none of a file's periods has a fact yet, no row of the file can match a stored fact:
every row is new, and what the staging table is for (comparing with what is stored, finding
repeated keys and writes into closed periods) comes down to the unique key of ``fact`` and a
look at each period before its first row is written. The checked rows of each chunk then go
straight into ``fact`` (``COPY`` on PostgreSQL, one ``executemany`` on SQLite, where ``fact``
is written without its snapshot row triggers, as the staged write does), inside a savepoint.

The direct write gives way as soon as a chunk names a period that has facts or is closed, or
a row repeats a key (the unique key refuses it): the savepoint is rolled back, and when rows
had been written the file is read again from its start, so the counts, the errors and the
rows written are those of the way it then goes — on SQLite, when it met a period with
facts, upserted in place (:mod:`kamscore.importing.fact_in_place`); otherwise staged
(:mod:`kamscore.importing.fact_stage`). A re-import or an update gives way on its first
chunk (nothing written, nothing read twice); only a file whose first periods are new and
later ones are not, or one that repeats a key, is read twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, exc, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kamscore.db.bulk_copy import OpenCopy, copy_text_lines
from kamscore.db.sqlite_insert import insert_tuples
from kamscore.importing.changes import Counts
from kamscore.importing.kinds.fact_columns import STAGE_COLUMNS
from kamscore.models import Fact, FactSnapshot, FactSnapshotColumn, Period, PeriodStatus

_WRITTEN = STAGE_COLUMNS[1:]  # every staged column but the line
_SAVEPOINT = "kamscore_fact_first_import"
_fact = Fact.__table__


def delete_snapshots(connection: Connection, periods: Sequence[int]) -> None:
    """Delete the fact snapshots of ``periods`` (what the snapshot triggers do on a write)."""
    connection.execute(delete(FactSnapshotColumn)
                       .where(FactSnapshotColumn.period_id.in_(periods)))
    connection.execute(delete(FactSnapshot).where(FactSnapshot.period_id.in_(periods)))


@contextmanager
def without_row_triggers(connection: Connection) -> Iterator[None]:
    """SQLite: ``fact`` without its snapshot row triggers (``fact_snapshot_stale_*``,
    migration 0005) in the import's own transaction; created again afterwards from their own
    stored SQL (``sqlite_master``). Other triggers of ``fact`` keep firing. The caller
    deletes the snapshots of the periods it writes (:func:`delete_snapshots`)."""
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'fact' "
        "AND name LIKE 'fact\\_snapshot\\_stale\\_%' ESCAPE '\\' ORDER BY name").all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:  # also when the writes are abandoned half-way (the caller then rolls back)
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)


def any_closed(connection: Connection, periods: Iterable[int]) -> bool:
    """Whether a period of ``periods`` is closed."""
    return connection.execute(
        select(Period.id).where(Period.id.in_(list(periods)),
                                Period.status == PeriodStatus.CLOSED).limit(1)
    ).first() is not None


class WriteSavepoint:
    """A savepoint around an import's writes straight into ``fact``; on SQLite ``fact`` is
    without its snapshot row triggers while it is open (:func:`without_row_triggers`)."""

    def __init__(self, connection: Connection, name: str) -> None:
        self.connection = connection
        self.name = name
        self.open = False
        self._triggers: Any = None

    def start(self) -> None:
        """Open it (once: a second call does nothing)."""
        if self.open:
            return
        self.open = True
        self.connection.exec_driver_sql(f"SAVEPOINT {self.name}")
        if self.connection.dialect.name != "postgresql":
            self._triggers = without_row_triggers(self.connection)
            self._triggers.__enter__()

    def keep(self) -> None:
        """Keep what was written: the triggers back, the savepoint released."""
        self._close(f"RELEASE SAVEPOINT {self.name}")

    def undo(self) -> None:
        """Undo what was written (and the triggers' removal)."""
        self._close(f"ROLLBACK TO SAVEPOINT {self.name}", f"RELEASE SAVEPOINT {self.name}")

    def _close(self, *statements: str) -> None:
        if self._triggers is not None:
            triggers, self._triggers = self._triggers, None
            triggers.__exit__(None, None, None)
        for statement in statements:
            self.connection.exec_driver_sql(statement)
        self.open = False


class FirstImport:
    """The rows of a file written straight into ``fact`` while every period they name had no
    fact before the import and is open."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.periods: set[int] = set()
        self.rows = 0
        self._savepoint = WriteSavepoint(self.connection, _SAVEPOINT)
        self._copy = OpenCopy(session, "fact", _WRITTEN)
        self._errors = (exc.IntegrityError, self.connection.dialect.dbapi.IntegrityError)
        #: why :meth:`write` gave way: a period with facts ("stored"), a closed one
        #: ("closed") or a repeated key ("repeated"); "" while it has not
        self.gave_way = ""

    def write(self, rows: list[tuple[Any, ...]], *, keep_open: bool = False) -> bool:
        """Write the checked ``rows`` (staging tuples) into ``fact``; False, writing
        nothing, when they name a period that has facts or is closed, or repeat a key (on
        PostgreSQL a repeated key may show only when the ``COPY`` ends: :meth:`finish`).
        ``keep_open``: PostgreSQL's ``COPY`` stays open for the next chunk — the caller
        promises no query on the connection until the next call (the codes are cached)."""
        if not rows:
            return True
        new = {row[1] for row in rows} - self.periods
        try:
            if new:
                self._copy.end()  # a query cannot run while a COPY is open
                self.gave_way = self._stored_or_closed(new)
                if self.gave_way:
                    return False
                self._savepoint.start()  # before the first write (a re-import gives way)
                if not self.postgres:  # PostgreSQL's statement triggers do it (0018)
                    delete_snapshots(self.connection, sorted(new))
                self.periods |= new
            if self.postgres:
                self._copy.write(copy_text_lines(list(zip(*rows, strict=True))[1:]))
                if not keep_open:  # the checks of the next chunk may query (new codes)
                    self._copy.end()
            else:  # the tuples' line is not written
                insert_tuples(self.connection, _fact, (None, *_WRITTEN), rows)
        except self._errors:  # a repeated key; the savepoint is rolled back by abandon()
            self.gave_way = "repeated"
            return False
        self.rows += len(rows)
        return True

    @property
    def counts(self) -> Counts:
        """What was written: every row created."""
        return Counts(created=self.rows)

    def _stored_or_closed(self, periods: set[int]) -> str:
        """"closed" when a period of ``periods`` is closed, else "stored" when one has a
        fact, else ""."""
        if any_closed(self.connection, periods):
            return "closed"
        stored = self.connection.execute(
            select(_fact.c.period_id).where(_fact.c.period_id.in_(periods)).limit(1)).first()
        return "" if stored is None else "stored"

    def finish(self) -> bool:
        """Keep what was written (the triggers back, the savepoint released); False, keeping
        nothing, when the end of the ``COPY`` finds a repeated key (then :meth:`abandon`)."""
        if not self._savepoint.open:
            return True
        try:
            self._copy.end()
        except self._errors:
            self.gave_way = "repeated"
            return False
        self._savepoint.keep()
        return True

    def abandon(self) -> None:
        """Undo every write of this object (and the triggers' removal)."""
        if not self._savepoint.open:
            return
        self._copy.abandon()  # an open COPY ended by an error: its rows are not stored
        self._savepoint.undo()
        self.rows = 0
