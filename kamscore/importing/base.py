"""The contract of one import kind: a row schema, a natural key, and ``prepare``/``write``."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from marshmallow import Schema
from sqlalchemy.orm import Session

from kamscore.importing.changes import Progress, TableChanges
from kamscore.importing.errors import ErrorList
from kamscore.sentences import N_, Sentence


@dataclass(frozen=True)
class LoadedRow:
    """A row that passed its schema: the line it came from and its typed values."""

    line: int
    data: dict[str, Any]


@dataclass
class ImportContext:
    errors: ErrorList
    present: frozenset[str]  # the columns the file has
    filename: str

    def has(self, column: str) -> bool:
        return column in self.present


class Importer(ABC):
    """One kind of import (people, facts, ...).

    ``prepare`` resolves the natural keys of a file's valid rows in batches, adds an error for
    every row that cannot be applied, and returns the changes per table without writing.
    ``write`` applies them; it is only called when the whole file is free of errors.
    """

    kind: ClassVar[str]
    schema: ClassVar[type[Schema]]
    #: one line on what the kind holds (CLI help, OpenAPI description)
    summary: ClassVar[str]

    @abstractmethod
    def key(self, data: dict[str, Any]) -> Hashable:
        """The natural key of a row within the file (two rows with one key are an error)."""

    @abstractmethod
    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        """Check the rows against the database and compute what to write."""

    def write(self, session: Session, changes: list[TableChanges], progress: Progress) -> None:
        for table_changes in changes:
            table_changes.write(session, progress)

    def describe_key(self, key: Hashable) -> str | Sentence:
        """A row's natural key as a duplicate's error names it (codes, or a sentence)."""
        return " / ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


#: Why a code is refused when nothing of its kind has it (by what the code names).
UNKNOWN_CODE: dict[str, Callable[[str], Sentence]] = {
    "period": lambda code: N_("unknown period '%(code)s'", code=code),
    "account": lambda code: N_("unknown account '%(code)s'", code=code),
    "person": lambda code: N_("unknown person '%(code)s'", code=code),
    "team": lambda code: N_("unknown team '%(code)s'", code=code),
    "product": lambda code: N_("unknown product '%(code)s'", code=code),
}


def unknown(
    errors: ErrorList, rows: Iterable[LoadedRow], column: str, what: str, known: dict[str, int]
) -> None:
    """An error for every row whose ``column`` names a ``what`` (a key of
    :data:`UNKNOWN_CODE`) that ``known`` lacks."""
    for row in rows:
        code = row.data.get(column)
        if code is not None and code not in known:
            errors.add(row.line, column, UNKNOWN_CODE[what](code))


def refuse_closed(errors: ErrorList, changes: TableChanges, closed_lines: dict[int, str],
                  frozen: Callable[[str], Sentence]) -> None:
    """An error for every insert or update from a row in a closed period: ``frozen(code)``
    says why (``period 2025-Q4 is closed: its facts are frozen``).

    ``closed_lines`` maps the lines of rows about a closed period to that period's code. Rows
    equal to what is stored are not writes, so re-importing an old file still succeeds.
    """
    for line, _values in (*changes.inserts, *changes.updates):
        if line in closed_lines:
            errors.add(line, "period", frozen(closed_lines[line]))


def spans_overlap(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    """Whether two inclusive date spans share a day (``None`` = open-ended)."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)
