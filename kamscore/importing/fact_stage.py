"""Facts staged in a temporary table, then compared with what is stored and written in a
handful of set-based statements.

The checked rows of each chunk are written to the staging table in bulk (``COPY`` on
PostgreSQL, kept open from chunk to chunk once the codes are cached; executemany on SQLite),
so a file of millions of rows is never held in memory.
Once the whole file is staged, SQL finds the keys given twice, the writes into closed
periods and the counts; an import that writes then inserts the new facts and updates the
changed ones with one ``INSERT ... SELECT`` and one ``UPDATE ... FROM``.

Nothing is kept per row in Python, and no statement makes SQLite hold the file's rows in a
temporary table (SQLite keeps those in memory here, ``temp_store=MEMORY``): on SQLite the
staging table is stored in the order of the facts' unique key (``WITHOUT ROWID``), so the
repeated keys are found by a ``GROUP BY`` that walks it in order; and as SQLite first copies
the whole result of an ``INSERT ... SELECT`` or ``UPDATE ... FROM`` into a temporary table
when the target has row triggers (``fact`` has, migration 0005), it writes a range of
:data:`WRITE_ROWS` staged keys per statement. PostgreSQL writes each in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from kamscore.db.bulk_copy import OpenCopy, copy_text_lines
from kamscore.db.sqlite_insert import insert_tuples
from kamscore.importing.changes import Counts
from kamscore.importing.errors import ErrorList
from kamscore.importing.fact_direct import delete_snapshots, without_row_triggers
from kamscore.importing.kinds.fact_columns import STAGE_COLUMNS, fact_key
from kamscore.models import Fact, Period, PeriodStatus
from kamscore.sentences import N_

STAGE_TABLE = "import_fact_stage"

#: Staged rows written per statement on SQLite (its temporary copy of them is in memory).
WRITE_ROWS = 50_000


def _stage_table(temporary: bool) -> Table:
    """The staging table: TEMPORARY on PostgreSQL (private to the session, in temp buffers
    and files); on SQLite an ordinary table in the database file, created and dropped in the
    import's own transaction, because kamscore's SQLite connections keep temporary tables in
    memory (``temp_store=MEMORY``), which a file of millions of rows must not. There it is
    clustered on the facts' key (line last: a key may repeat), which costs the bulk insert
    little (the rows of a file arrive in a few runs of ascending keys) and lets every later
    statement walk the rows in the order of ``fact``'s unique index."""
    clustered = [] if temporary else [
        PrimaryKeyConstraint("period_id", "name", "subject_key", "line")]
    return Table(
        STAGE_TABLE, MetaData(),
        Column("line", Integer), Column("period_id", Integer), Column("name", String),
        Column("subject_key", String), Column("account_id", Integer),
        Column("person_id", Integer), Column("team_id", Integer), Column("product_id", Integer),
        Column("item", String), Column("value", Float), Column("category", String),
        Column("unit", String), Column("source", String), *clustered,
        prefixes=["TEMPORARY"] if temporary else [], sqlite_with_rowid=temporary,
    )


_WRITTEN = STAGE_COLUMNS[1:]  # every staged column but the line
_KEY = ("period_id", "name", "subject_key")
_fact = Fact.__table__


class FactStage:
    """The staging table of one import, in the session's transaction."""

    def __init__(self, session: Session, compared: Sequence[str]) -> None:
        self.session = session
        self.compared = tuple(compared)  # value, category, unit (, source)
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.table = _stage_table(temporary=self.postgres)
        self.written_periods: list[int] = []
        self._copy = OpenCopy(session, STAGE_TABLE, STAGE_COLUMNS) if self.postgres else None
        connection = session.connection()
        self.table.drop(connection, checkfirst=True)
        self.table.create(connection)

    def add(self, rows: list[tuple[Any, ...]], *, keep_open: bool = False) -> None:
        """Stage the checked ``rows``. On PostgreSQL they go through ``COPY``, formatted a
        column at a time (``copy_text_lines``: about half the time of psycopg's
        ``write_row`` per row); ``keep_open``: the ``COPY`` stays open for the next chunk (the
        caller promises no query on the connection until :meth:`add` or :meth:`end_adding`:
        the codes are cached), so the server stores a chunk while the next one is checked."""
        if not rows:
            return
        if self._copy is not None:
            self._copy.write(copy_text_lines(list(zip(*rows, strict=True))))
            if not keep_open:
                self._copy.end()
        else:
            insert_tuples(self.session.connection(), self.table, STAGE_COLUMNS, rows)

    def end_adding(self) -> None:
        """End PostgreSQL's open ``COPY``, if any (before any other statement)."""
        if self._copy is not None:
            self._copy.end()

    def analyse(self) -> None:
        """Give the planner the staged rows' statistics (temporary tables get none by
        themselves on PostgreSQL: it would guess, and join a million rows in nested loops).
        Only the key's columns, from a sample of 3,000 rows (statistics target 10): the
        joins and the ``GROUP BY`` need the number of rows and of keys, no more. 0.1 s less
        than a full ``ANALYZE`` of 200,000 staged facts."""
        if self.postgres:
            connection = self.session.connection()
            connection.exec_driver_sql(f"ALTER TABLE {STAGE_TABLE} " + ", ".join(
                f"ALTER COLUMN {column} SET STATISTICS 10" for column in _KEY))
            connection.exec_driver_sql(f"ANALYZE {STAGE_TABLE} ({', '.join(_KEY)})")

    def drop(self) -> None:
        """Drop the staging table; on SQLite it is emptied first (a ``DELETE`` of every row,
        which SQLite truncates): dropping it full raised the peak memory by about its size
        (29 MB at 500,000 rows), emptying it first by nothing."""
        if self._copy is not None and self._copy.is_open:  # an error while reading the file
            self._copy.abandon()
            return  # the COPY's error aborted the transaction: the caller rolls back
        connection = self.session.connection()
        if not self.postgres:
            connection.execute(self.table.delete())
        self.table.drop(connection, checkfirst=True)

    def _match(self) -> Any:
        stage = self.table
        return and_(_fact.c.period_id == stage.c.period_id, _fact.c.name == stage.c.name,
                    _fact.c.subject_key == stage.c.subject_key)

    def _differs(self) -> Any:
        stage = self.table
        return or_(*(_fact.c[c].is_distinct_from(stage.c[c]) for c in self.compared))

    def duplicates(self, errors: ErrorList, period_codes: dict[int, str]) -> None:
        """An error for every row whose key an earlier line has: the keys given more than
        once from a ``GROUP BY`` (on SQLite in the staging table's order, no sort), then the
        lines of those keys only."""
        stage = self.table
        key = [stage.c[c] for c in _KEY]
        repeated = select(*key).group_by(*key).having(func.count() > 1).subquery()
        query = (select(stage.c.line, *key)
                 .join(repeated, and_(*(stage.c[c] == repeated.c[c] for c in _KEY)))
                 .order_by(*key, stage.c.line))
        first: tuple[Any, ...] | None = None
        first_line = 0
        for line, period_id, name, subject in self.session.execute(query):
            if (period_id, name, subject) != first:
                first, first_line = (period_id, name, subject), line
                continue
            errors.add(line, "", N_("%(key)s is already on line %(line)s",
                                    key=fact_key(name, subject, period_codes[period_id]),
                                    line=first_line))

    def closed(self, errors: ErrorList) -> None:
        """An error for every row that would create or change a fact of a closed period."""
        stage = self.table
        query = (
            select(stage.c.line, Period.code)
            .join(Period, and_(Period.id == stage.c.period_id,
                               Period.status == PeriodStatus.CLOSED))
            .outerjoin(_fact, self._match())
            .where(or_(_fact.c.id.is_(None), self._differs()))
        )
        for line, code in self.session.execute(query):
            errors.add(line, "period", N_("period %(period)s is closed: its facts are frozen",
                                          period=code))

    def counts(self) -> Counts:
        """The rows to create, update and leave, counted period by period (on SQLite the
        staging table's order: no sort); the periods with a write are kept for :meth:`write`."""
        stage = self.table
        new = _fact.c.id.is_(None)
        query = (
            select(stage.c.period_id, func.count(),
                   func.coalesce(func.sum(case((new, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((and_(~new, self._differs()), 1), else_=0)), 0))
            .select_from(stage).outerjoin(_fact, self._match()).group_by(stage.c.period_id)
        )
        counts = Counts()
        for period_id, total, created, updated in self.session.execute(query):
            counts.created += created
            counts.updated += updated
            counts.unchanged += total - created - updated
            if created or updated:
                self.written_periods.append(period_id)
        return counts

    def write(self, counts: Counts) -> Iterator[int]:
        """Insert the new facts, then update the changed ones (each statement only when
        ``counts`` says it has rows: re-importing an unchanged file writes nothing); yields
        the rows of each (from ``counts``: drivers do not all report INSERT ... SELECT's)."""
        if not (counts.created or counts.updated):
            return
        ranges = self._ranges()
        with self._without_row_triggers():
            yield from self._write(counts, ranges)

    def _write(self, counts: Counts, ranges: list[Any]) -> Iterator[int]:
        stage = self.table
        if counts.created:
            for within in ranges:
                new_rows = select(*(stage.c[c] for c in _WRITTEN)).where(within)
                if counts.updated or counts.unchanged:  # else every staged row is new
                    new_rows = new_rows.where(
                        ~exists(select(literal_column("1")).where(self._match())))
                self.session.execute(insert(_fact).from_select(list(_WRITTEN), new_rows))
            yield counts.created
        if counts.updated:
            for within in ranges:
                self.session.execute(
                    update(_fact).values({c: stage.c[c] for c in self.compared})
                    .where(self._match(), self._differs(), within))
            yield counts.updated

    @contextmanager
    def _without_row_triggers(self) -> Iterator[None]:
        """On SQLite, write ``fact`` without its row triggers (migration 0005), inside the
        import's transaction: the snapshots of the periods written are deleted first — what
        the triggers would do on the first row — then those triggers (and no other trigger
        of ``fact``, such as one made by hand) are dropped and, after the
        writes, created again from their own stored SQL (``sqlite_master``). SQLite's DDL is
        transactional and the import holds the write lock (``BEGIN IMMEDIATE``): no other
        connection sees ``fact`` without them, a rollback restores them, and no snapshot of a
        written period survives. With a trigger on the target, each row of an
        ``INSERT ... SELECT`` opens a statement journal and the whole result is first copied
        into a temporary table; without, 200,000 facts are written in about half the time.
        On PostgreSQL the triggers are per statement (migration 0018): nothing to do."""
        if self.postgres:
            yield
            return
        connection = self.session.connection()
        delete_snapshots(connection, self.written_periods)
        with without_row_triggers(connection):
            yield

    def _ranges(self) -> list[Any]:
        """Conditions that split the staged rows into ranges of keys: :data:`WRITE_ROWS` rows
        each on SQLite (each boundary found by an ``OFFSET`` in the staging table's key
        order: the rows are stepped over in SQLite, not fetched), one range on PostgreSQL."""
        if self.postgres:
            return [true()]
        stage = self.table
        key = tuple_(*(stage.c[c] for c in _KEY))
        bounds: list[tuple[Any, ...]] = []
        while True:
            query = select(*(stage.c[c] for c in _KEY)).order_by(*(stage.c[c] for c in _KEY))
            if bounds:
                query = query.where(key >= tuple_(*bounds[-1]))
            found = self.session.execute(query.offset(WRITE_ROWS).limit(1)).first()
            if found is None or (bounds and tuple(found) == bounds[-1]):
                break
            bounds.append(tuple(found))
        edges: list[Any] = [None, *bounds, None]
        return [and_(true(), *([key >= tuple_(*low)] if low else []),
                     *([key < tuple_(*high)] if high else []))
                for low, high in pairwise(edges)]
