"""``import_csv``: one CSV file of one kind into the database, all or nothing.

Every row is validated (its schema, then its references against the database and the rest of
the file); if any row is bad the file is rejected with every problem listed and nothing is
written. Otherwise the rows are upserted by natural key, so importing the same file again
changes nothing. The caller owns the transaction: it commits after a successful import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import BinaryIO

from marshmallow import ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.facts.columns import refresh_snapshots
from kamscore.importing.base import ImportContext, LoadedRow
from kamscore.importing.changes import Counts, Progress, no_progress
from kamscore.importing.csvfile import parse_csv, read_bytes
from kamscore.importing.errors import ErrorList, ImportRejected
from kamscore.importing.kinds import IMPORTERS
from kamscore.models import Fact

#: Report progress every this many validated rows.
PROGRESS_EVERY = 1_000

#: PostgreSQL advisory lock key that serialises imports (SQLite's BEGIN IMMEDIATE already does).
IMPORT_LOCK_KEY = 0x6B616D73  # "kams"


class UnknownKind(ValueError):
    """The kind of import named does not exist."""


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), per table."""

    kind: str
    filename: str
    rows: int
    dry_run: bool
    tables: dict[str, Counts] = field(default_factory=dict)

    @property
    def totals(self) -> Counts:
        total = Counts()
        for counts in self.tables.values():
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
            total.deleted += counts.deleted
        return total

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "tables": {name: counts.as_dict() for name, counts in self.tables.items()},
            "totals": self.totals.as_dict(),
        }


def import_kinds() -> list[str]:
    """The kinds, in the order a complete organisation is imported."""
    return list(IMPORTERS)


def describe_kinds() -> dict[str, str]:
    """``{kind: one-line summary}``, in import order."""
    return {kind: importer.summary for kind, importer in IMPORTERS.items()}


def check_kind(kind: str) -> None:
    """Raise UnknownKind, naming the kinds, unless ``kind`` is one."""
    if kind not in IMPORTERS:
        raise UnknownKind(f"unknown import kind '{kind}'; the kinds are: {', '.join(IMPORTERS)}")


def import_csv(
    session: Session,
    kind: str,
    source: bytes | BinaryIO,
    *,
    filename: str = "upload.csv",
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Validate and import ``source`` (CSV bytes) as ``kind``; raise ImportRejected if bad.

    ``progress`` is called with a number of steps done: one per row validated and one per row
    written, so a file of N rows takes about 2N steps. ``dry_run`` validates everything and
    reports the counts without writing. An import that writes is in the audit log under
    ``actor`` (the CLI's operator when None) with the file's SHA-256 and the counts.
    """
    check_kind(kind)
    importer = IMPORTERS[kind]()
    step = progress or no_progress
    errors = ErrorList()
    fields = importer.schema().fields
    required = [name for name, f in fields.items() if f.required]
    data = read_bytes(source)
    csv_file = parse_csv(data, known=list(fields), required=required, errors=errors)
    if csv_file is None:
        raise ImportRejected(kind, errors)

    rows = _load_rows(importer, csv_file.rows, errors, step)
    _serialise_imports(session)
    context = ImportContext(errors=errors, present=frozenset(csv_file.columns), filename=filename)
    changes = importer.prepare(session, rows, context)
    if errors:
        raise ImportRejected(kind, errors)

    report = ImportReport(kind, filename, len(csv_file.rows), dry_run)
    for table_changes in changes:
        counts = report.tables.setdefault(table_changes.model.__tablename__, Counts())
        for name, value in table_changes.counts.as_dict().items():
            setattr(counts, name, getattr(counts, name) + value)
    if not dry_run:
        step(sum(c.unchanged for c in changes))
        importer.write(session, changes, step)
        session.flush()
        if any(c.model is Fact for c in changes):
            refresh_snapshots(session)  # the periods whose facts changed lost theirs (triggers)
        record(session, actor, "import", "import", kind, filename=filename,
               sha256=hashlib.sha256(data).hexdigest(), rows=len(csv_file.rows),
               tables={name: counts.as_dict() for name, counts in report.tables.items()})
    return report


def _load_rows(importer, csv_rows, errors: ErrorList, step: Progress) -> list[LoadedRow]:  # type: ignore[no-untyped-def]
    """Each row through the kind's schema; duplicates of a natural key are errors."""
    schema = importer.schema()
    rows: list[LoadedRow] = []
    first_line: dict[Hashable, int] = {}
    for index, csv_row in enumerate(csv_rows, 1):
        if index % PROGRESS_EVERY == 0:
            step(PROGRESS_EVERY)
        try:
            data = schema.load(csv_row.values)
        except ValidationError as exc:
            _add_messages(errors, csv_row.line, exc.messages)
            continue
        key = importer.key(data)
        if key in first_line:
            errors.add(
                csv_row.line,
                "",
                f"{importer.describe_key(key)} is already on line {first_line[key]}",
            )
            continue
        first_line[key] = csv_row.line
        rows.append(LoadedRow(csv_row.line, data))
    step(len(csv_rows) % PROGRESS_EVERY)
    return rows


def _add_messages(errors: ErrorList, line: int, messages: object, column: str = "") -> None:
    if isinstance(messages, dict):
        for name, inner in messages.items():
            _add_messages(errors, line, inner, "" if name == "_schema" else str(name))
    elif isinstance(messages, list):
        for message in messages:
            _add_messages(errors, line, message, column)
    else:
        errors.add(line, column, str(messages))


def _serialise_imports(session: Session) -> None:
    """Let one import at a time run on PostgreSQL, as SQLite's write lock does.

    Two imports computing their inserts at once would both insert the same new natural key;
    the lock is held until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
