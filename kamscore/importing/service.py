"""``import_file``: one file (CSV or XLSX) of one kind into the database, all or nothing.

Every row is validated (its cells, then its references against the database and the rest of
the file); if any row is bad the file is rejected with every problem listed and nothing is
written. Otherwise the rows are upserted by natural key, so importing the same file again
changes nothing. The caller owns the transaction: it commits after a successful import.
An import that changes facts drops the fact snapshots of their periods and builds none
(:mod:`kamscore.facts.columns`: the import job builds them after its commit, else the next
score run or ``kamscore period snapshot``).
Facts take the column-wise path (:mod:`kamscore.importing.fact_import`); the other kinds,
whose files are small, go row by row through their schemas.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.importing.base import ImportContext
from kamscore.importing.cell_formats import CellFormat
from kamscore.importing.changes import Counts, Progress, no_progress
from kamscore.importing.errors import ErrorList, ImportRejected, SheetLayout
from kamscore.importing.fact_import import import_facts
from kamscore.importing.kinds import IMPORTERS
from kamscore.importing.row_import import load_rows, prepare_and_count
from kamscore.importing.sources import file_sha256, open_table
from kamscore.importing.table import RawTable, check_header, fit_rows
from kamscore.importing.xlsxfile import column_letter
from kamscore.models import Fact
from kamscore.sentences import N_

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
    sha256: str = ""

    @property
    def changed_facts(self) -> bool:
        """Whether the import wrote facts (and so dropped the snapshots of their periods)."""
        counts = self.tables.get(Fact.__tablename__)
        return not self.dry_run and counts is not None and bool(
            counts.created + counts.updated + counts.deleted)

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
            "sha256": self.sha256,
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


def import_file(
    session: Session,
    kind: str,
    source: bytes | BinaryIO,
    *,
    filename: str = "upload.csv",
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
    sheet: str | None = None,
    decimal: str | None = None,
    date_format: str | None = None,
    expected_sha256: str | None = None,
) -> ImportReport:
    """Validate and import ``source`` (CSV or XLSX) as ``kind``; raise ImportRejected if bad.

    ``progress`` is called with a number of steps done: one per row validated and one per row
    written, so a file of N rows takes about 2N steps. ``dry_run`` validates everything and
    reports the counts without writing. ``sheet`` picks a workbook's sheet (default: the
    first); ``decimal`` (``.`` or ``,``) overrides the decimal mark the file's format implies
    (a comma for semicolon CSV); ``date_format`` names how dates other than YYYY-MM-DD are
    written. ``expected_sha256`` refuses a file that is not the one checked before. An
    import that writes is in the audit log under ``actor`` (the CLI's operator when None)
    with the file's SHA-256 and the counts.
    """
    check_kind(kind)
    importer = IMPORTERS[kind]()
    step = progress or no_progress
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    sha256 = file_sha256(stream)
    errors = ErrorList()
    if expected_sha256 is not None and expected_sha256 != sha256:
        errors.add(1, "", N_("the file changed since its dry run: check it again before "
                             "applying"))
        raise ImportRejected(kind, errors)
    table = open_table(stream, filename, sheet, errors)
    if table is None:
        raise ImportRejected(kind, errors)
    schema_fields = importer.schema().fields
    required = [name for name, f in schema_fields.items() if f.required]
    columns = check_header(table, list(schema_fields), required, errors)
    layout = _layout(table)
    if columns is None:
        raise ImportRejected(kind, errors, layout)
    cell_format = CellFormat(decimal or table.decimal, date_format)
    tables = [table]

    def open_chunks() -> Iterator[tuple[list[int], list[list[str]]]]:
        """The file's rows from the start (read again when a first import of facts gives way
        to the staged path after writing: ``kamscore.importing.fact_direct``)."""
        again = tables.pop() if tables else open_table(stream, filename, sheet, errors)
        if again is None:  # the file cannot be read again (it changed under us)
            raise ImportRejected(kind, errors)
        return (fit_rows(again, chunk, len(columns), errors) for chunk in again.chunks)

    _serialise_imports(session)
    report = ImportReport(kind, filename, 0, dry_run, sha256=sha256)
    if kind == "facts":
        report.rows, counts = import_facts(
            session, open_chunks, columns, filename=filename, decimal=cell_format.decimal,
            dry_run=dry_run, errors=errors, step=step)
        report.tables[Fact.__tablename__] = counts
        if errors:
            raise ImportRejected(kind, errors, layout)
    else:
        rows, report.rows = load_rows(importer, open_chunks(), columns, cell_format, errors, step)
        context = ImportContext(errors=errors, present=frozenset(columns), filename=filename)
        changes, report.tables = prepare_and_count(importer, session, rows, context)
        if errors:
            raise ImportRejected(kind, errors, layout)
        if not dry_run:
            step(sum(c.unchanged for c in changes))
            importer.write(session, changes, step)
    if not dry_run:
        session.flush()
        # the periods whose facts changed lost their snapshots (triggers): the import job
        # rebuilds them once this commits, else the next score run (kamscore.facts.columns)
        record(session, actor, "import", "import", kind, filename=filename,
               sha256=sha256, rows=report.rows,
               tables={name: counts.as_dict() for name, counts in report.tables.items()})
    return report


#: The import before it took workbooks: the same function.
import_csv = import_file


def _layout(table: RawTable) -> SheetLayout | None:
    if table.sheet is None:
        return None
    names = [cell.strip().lower() for cell in table.header]
    return SheetLayout(table.sheet, {name: column_letter(i) for i, name in enumerate(names)
                                     if name})


def _serialise_imports(session: Session) -> None:
    """Let one import at a time run on PostgreSQL, as SQLite's write lock does.

    Two imports computing their inserts at once would both insert the same new natural key;
    the lock is held until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
