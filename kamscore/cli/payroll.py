"""``kamscore payroll export RUN --format csv|xlsx --output FILE``: the payroll file of a
signed-off run, as the run page and ``GET /api/v1/runs/<id>/payroll.csv|.xlsx`` give it.

Refused, saying why, before the sign-off (an open period, a correction not signed off, a run
corrected since). Each export is recorded in the audit log (``export.pay``, kind
``payroll``) as done by ``--user`` — once the file is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from kamscore.cli.ruleset_lifecycle import default_user, fail
from kamscore.db.session import get_db
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.payroll import FORMATS, export_payroll


@click.group("payroll", cls=AppGroup)
def payroll_group() -> None:
    """Payroll: the file of a signed-off score run."""


def _format_of(file_format: str | None, output: str) -> str:
    if file_format:
        return file_format
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise click.UsageError("say which format with --format csv or --format xlsx (it is "
                           f"not clear from the file name {output!r})")


def _write(output: str, data: bytes, file_format: str) -> None:
    if output == "-":
        if file_format == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("an XLSX workbook is not written to a terminal: give "
                                   "--output FILE")
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
        return
    path = Path(output)
    if path.is_dir():
        raise click.UsageError(f"--output {output} is a directory: give a file name, e.g. "
                               f"{path / ('payroll.' + file_format)}")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc


@payroll_group.command("export")
@click.argument("run", type=click.IntRange(min=1), metavar="RUN")
@click.option("--format", "file_format", type=click.Choice(FORMATS),
              help="csv or xlsx (default: from the --output file name)")
@click.option("--output", "-o", required=True, metavar="FILE",
              help="the file to write ('-': standard output)")
@click.option("--user", default=default_user, show_default="the OS user",
              help="who exports (recorded in the audit log)")
def export_command(run: int, file_format: str | None, output: str, user: str) -> None:
    """Write the payroll file of score run RUN (its period closed: signed off)."""
    chosen = _format_of(file_format, output)
    with get_db().sessionmaker() as session:
        try:
            sheet, data = export_payroll(session, run, user=user, file_format=chosen,
                                         pm=get_plugin_manager())
        except ScoringError as exc:
            session.rollback()
            raise fail(exc) from exc
        _write(output, data, chosen)  # the export is recorded once the file is written
        session.commit()
    if output != "-":
        click.echo(f"run {sheet.run_id} ({sheet.ruleset} v{sheet.ruleset_version}, "
                   f"{sheet.period}): {len(sheet.rows)} KAMs, total {sheet.total:,.2f} "
                   f"{sheet.currency}, signed off by {sheet.signed_off_by} "
                   f"{sheet.signed_off_at:%Y-%m-%d %H:%M} UTC → {output}")
