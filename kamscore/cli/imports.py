"""``kamscore import KIND FILE``: the import of a CSV file or an XLSX workbook, all or nothing;
``kamscore import template KIND``: an empty CSV and XLSX file of a kind to fill in.

Errors are printed one per line as ``FILE:LINE: column: reason`` (the format compilers use, so
editors can jump to them), or ``FILE: sheet NAME, row N, column C (name): reason`` for a
workbook, and the command exits non-zero; nothing is written then. The file is read as a
stream, so a file of millions of rows takes little memory; a progress line shows rows done,
rows per second and the time left.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext

from kamscore.cli.ruleset_lifecycle import default_user
from kamscore.db.session import get_db
from kamscore.importing import (
    ImportRejected,
    ImportReport,
    describe_kinds,
    import_file,
    import_kinds,
)
from kamscore.importing.cell_formats import DATE_FORMATS
from kamscore.importing.changes import Progress
from kamscore.importing.templates import FORMATS, template

#: Files of at least this many bytes get a progress line (a few thousand rows).
PROGRESS_BYTES = 100_000
#: Bytes per data row, to estimate the rows of a file before reading it.
BYTES_PER_ROW = 50
TEMPLATE = "template"


def _kinds_epilog() -> str:
    width = max(map(len, describe_kinds()))
    lines = [f"  {kind:<{width}}  {summary}" for kind, summary in describe_kinds().items()]
    return ("\b\nKinds, in the order a complete organisation is imported:\n" + "\n".join(lines)
            + "\n\n\b\nkamscore import template KIND [--output DIR] writes KIND-template.csv "
            "and KIND-template.xlsx.")


@click.command("import", epilog=_kinds_epilog())
@click.argument("kind", type=click.Choice([*import_kinds(), TEMPLATE]))
@click.argument("file")
@click.option("--dry-run", is_flag=True, help="Validate the whole file and report; write nothing.")
@click.option("--sheet", help="The sheet of an XLSX workbook (default: the first).")
@click.option("--decimal", type=click.Choice([".", ","]),
              help="The decimal mark (default: ',' for a semicolon CSV, '.' otherwise).")
@click.option("--date-format", type=click.Choice(list(DATE_FORMATS)),
              help="How dates are written, if not YYYY-MM-DD (never guessed).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="With 'template': the folder to write the templates to.")
@with_appcontext
def import_command(kind: str, file: str, dry_run: bool, sheet: str | None, decimal: str | None,
                   date_format: str | None, output: Path) -> None:
    """Import FILE (CSV, UTF-8, header row; or an XLSX workbook) as KIND.

    The columns of each kind are in docs/imports.md. Rows are matched by their natural key
    (codes), so importing a file again changes nothing. A file with any bad row is refused
    as a whole, and every bad row is listed.
    """
    if kind == TEMPLATE:
        _write_templates(file, output)
        return
    name = "<stdin>" if file == "-" else file
    try:
        stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        raise click.ClickException(f"{file}: {exc.strerror}") from None
    if file == "-":
        import io

        stream = io.BytesIO(stream.read())  # the reader needs to seek
    try:
        size = os.fstat(stream.fileno()).st_size if file != "-" else len(stream.getvalue())
        with stream, _progress(size, kind) as progress, get_db().session() as session:
            report = import_file(
                session, kind, stream, filename=name, dry_run=dry_run, progress=progress,
                actor=default_user(), sheet=sheet, decimal=decimal, date_format=date_format,
            )
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(error.format(name, rejected.layout), err=True)
        raise click.ClickException(f"{name}: {rejected}") from None
    click.echo(_summary(name, report))


def _write_templates(kind: str, output: Path) -> None:
    if kind not in import_kinds():
        raise click.BadParameter(f"'{kind}': the kinds are {', '.join(import_kinds())}",
                                 param_hint="KIND")
    output.mkdir(parents=True, exist_ok=True)
    for file_format in FORMATS:
        path = output / f"{kind}-template.{file_format}"
        path.write_bytes(template(kind, file_format))
        click.echo(f"wrote {path}")


@contextmanager
def _progress(size: int, kind: str) -> Iterator[Progress | None]:
    if size < PROGRESS_BYTES:
        yield None
        return
    line = ProgressLine(kind, rows_total=size // BYTES_PER_ROW)
    try:
        yield line
    finally:
        line.finish()


class ProgressLine:
    """``importing facts: 120,000 of ~200,000 rows, 41,000 rows/s, 2 s left`` on stderr,
    redrawn at most twice a second. Steps count rows checked and rows written: a row is
    done when both are."""

    def __init__(self, kind: str, rows_total: int) -> None:
        self.kind = kind
        self.rows_total = max(rows_total, 1)
        self.started = time.monotonic()
        self.steps = 0
        self.shown = 0.0

    def __call__(self, steps: int) -> None:
        self.steps += steps
        now = time.monotonic()
        if now - self.shown >= 0.5:
            self.shown = now
            self._show(now)

    def _show(self, now: float) -> None:
        done = self.steps // 2
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        total = max(self.rows_total, done)
        left = (total - done) / rate if rate else 0
        click.echo(f"\rimporting {self.kind}: {done:,} of ~{total:,} rows, {rate:,.0f} rows/s, "
                   f"{left:,.0f} s left   ", err=True, nl=False)

    def finish(self) -> None:
        self._show(time.monotonic())
        click.echo("", err=True)


def _summary(name: str, report: ImportReport) -> str:
    verb = "checked (dry run: nothing written)" if report.dry_run else "imported"
    lines = [f"{name}: {report.rows} row(s) {verb}"]
    for table, counts in report.tables.items():
        lines.append(
            f"  {table}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {counts.deleted} deleted"
        )
    return "\n".join(lines)
