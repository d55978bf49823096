"""Facts staged in a temporary table, then compared with what is stored and written in a
handful of set-based statements.

The checked rows of each chunk are written to the staging table in bulk (``COPY`` on
PostgreSQL, executemany on SQLite), so a file of millions of rows is never held in memory.
Once the whole file is staged, SQL finds the keys given twice, the writes into closed
periods and the counts; an import that writes then inserts the new facts and updates the
changed ones with one ``INSERT ... SELECT`` and one ``UPDATE ... FROM``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
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
    update,
)
from sqlalchemy.orm import Session

from kamscore.db.bulk_copy import copy_rows
from kamscore.importing.changes import Counts
from kamscore.importing.errors import ErrorList
from kamscore.importing.kinds.fact_columns import STAGE_COLUMNS
from kamscore.models import Fact, Period, PeriodStatus

STAGE_TABLE = "import_fact_stage"


def _stage_table(temporary: bool) -> Table:
    """The staging table: TEMPORARY on PostgreSQL (private to the session, in temp buffers
    and files); on SQLite an ordinary table in the database file, created and dropped in the
    import's own transaction, because kamscore's SQLite connections keep temporary tables in
    memory (``temp_store=MEMORY``), which a file of millions of rows must not."""
    return Table(
        STAGE_TABLE, MetaData(),
        Column("line", Integer), Column("period_id", Integer), Column("name", String),
        Column("subject_key", String), Column("account_id", Integer),
        Column("person_id", Integer), Column("team_id", Integer), Column("product_id", Integer),
        Column("item", String), Column("value", Float), Column("category", String),
        Column("unit", String), Column("source", String),
        prefixes=["TEMPORARY"] if temporary else [],
    )


_WRITTEN = STAGE_COLUMNS[1:]  # every staged column but the line
_fact = Fact.__table__


class FactStage:
    """The staging table of one import, in the session's transaction."""

    def __init__(self, session: Session, compared: Sequence[str]) -> None:
        self.session = session
        self.compared = tuple(compared)  # value, category, unit (, source)
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.table = _stage_table(temporary=self.postgres)
        connection = session.connection()
        self.table.drop(connection, checkfirst=True)
        self.table.create(connection)

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            copy_rows(self.session, STAGE_TABLE, STAGE_COLUMNS, rows)
        else:
            marks = ", ".join("?" * len(STAGE_COLUMNS))
            self.session.connection().exec_driver_sql(
                f"INSERT INTO {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) VALUES ({marks})", rows)

    def analyse(self) -> None:
        """Give the planner the staged rows' statistics (temporary tables get none by
        themselves on PostgreSQL: it would guess, and join a million rows in nested loops)."""
        if self.postgres:
            self.session.connection().exec_driver_sql(f"ANALYZE {STAGE_TABLE}")

    def drop(self) -> None:
        stage = self.table
        stage.drop(self.session.connection(), checkfirst=True)

    def _match(self) -> Any:
        stage = self.table
        return and_(_fact.c.period_id == stage.c.period_id, _fact.c.name == stage.c.name,
                    _fact.c.subject_key == stage.c.subject_key)

    def _differs(self) -> Any:
        stage = self.table
        return or_(*(_fact.c[c].is_distinct_from(stage.c[c]) for c in self.compared))

    def duplicates(self, errors: ErrorList, period_codes: dict[int, str]) -> None:
        """An error for every row whose key an earlier line has."""
        stage = self.table
        first = func.min(stage.c.line).over(
            partition_by=(stage.c.period_id, stage.c.name, stage.c.subject_key))
        ranked = select(stage.c.line, stage.c.period_id, stage.c.name, stage.c.subject_key,
                        first.label("first")).subquery()
        query = select(ranked).where(ranked.c.line != ranked.c.first)
        for line, period_id, name, subject, first_line in self.session.execute(query):
            errors.add(line, "", f"fact {name} of {subject} in {period_codes[period_id]} is "
                       f"already on line {first_line}")

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
            errors.add(line, "period", f"period {code} is closed: its facts are frozen")

    def counts(self) -> Counts:
        stage = self.table
        new = _fact.c.id.is_(None)
        query = (
            select(func.count(),
                   func.coalesce(func.sum(case((new, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((and_(~new, self._differs()), 1), else_=0)), 0))
            .select_from(stage).outerjoin(_fact, self._match())
        )
        total, created, updated = self.session.execute(query).one()
        return Counts(created=created, updated=updated, unchanged=total - created - updated)

    def write(self, counts: Counts) -> Iterator[int]:
        """Insert the new facts, then update the changed ones (each statement only when
        ``counts`` says it has rows: re-importing an unchanged file writes nothing); yields
        the rows of each (from ``counts``: drivers do not all report INSERT ... SELECT's)."""
        stage = self.table
        if counts.created:
            new_rows = select(*(stage.c[c] for c in _WRITTEN)).where(
                ~exists(select(literal_column("1")).where(self._match())))
            self.session.execute(insert(_fact).from_select(list(_WRITTEN), new_rows))
            yield counts.created
        if counts.updated:
            self.session.execute(
                update(_fact).values({c: stage.c[c] for c in self.compared})
                .where(self._match(), self._differs()))
            yield counts.updated
