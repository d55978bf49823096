"""``kamscore import KIND FILE.csv``: the CSV import, all or nothing.

Errors are printed one per line as ``FILE:LINE: column: reason`` (the format compilers use, so
editors can jump to them) and the command exits non-zero; nothing is written then.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import click
from flask.cli import with_appcontext

from kamscore.cli.ruleset_lifecycle import default_user
from kamscore.db.session import get_db
from kamscore.importing import (
    ImportRejected,
    ImportReport,
    describe_kinds,
    import_csv,
    import_kinds,
)
from kamscore.importing.changes import Progress

#: Files with at least this many lines get a progress bar.
PROGRESS_BAR_LINES = 5_000


def _kinds_epilog() -> str:
    width = max(map(len, describe_kinds()))
    lines = [f"  {kind:<{width}}  {summary}" for kind, summary in describe_kinds().items()]
    return "\b\nKinds, in the order a complete organisation is imported:\n" + "\n".join(lines)


@click.command("import", epilog=_kinds_epilog())
@click.argument("kind", type=click.Choice(import_kinds()))
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Validate the whole file and report; write nothing.")
@with_appcontext
def import_command(kind: str, file: BinaryIO, dry_run: bool) -> None:
    """Import FILE (CSV, UTF-8, header row) as KIND.

    The columns of each kind are in docs/imports.md. Rows are matched by their natural key
    (codes), so importing a file again changes nothing. A file with any bad row is refused
    as a whole, and every bad row is listed.
    """
    name = file.name if isinstance(file.name, str) else "<stdin>"
    data = file.read()
    try:
        with _progress(data, kind) as progress, get_db().session() as session:
            report = import_csv(
                session, kind, data, filename=name, dry_run=dry_run, progress=progress,
                actor=default_user(),
            )
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(error.format(name), err=True)
        raise click.ClickException(f"{name}: {rejected}") from None
    click.echo(_summary(name, report))


@contextmanager
def _progress(data: bytes, kind: str) -> Iterator[Progress | None]:
    lines = data.count(b"\n")
    if lines < PROGRESS_BAR_LINES:
        yield None
        return
    # one step per row validated and one per row written
    with click.progressbar(length=2 * lines, label=f"importing {kind}", file=sys.stderr) as bar:
        yield bar.update


def _summary(name: str, report: ImportReport) -> str:
    verb = "checked (dry run: nothing written)" if report.dry_run else "imported"
    lines = [f"{name}: {report.rows} row(s) {verb}"]
    for table, counts in report.tables.items():
        lines.append(
            f"  {table}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {counts.deleted} deleted"
        )
    return "\n".join(lines)
