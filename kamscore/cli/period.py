"""``kamscore period list|close|snapshot``: periods, freezing one once payouts are final, and
the column-wise snapshots of their facts."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from kamscore.cli.ruleset_lifecycle import default_user, fail
from kamscore.db.session import get_db
from kamscore.facts.columns import refresh_snapshots
from kamscore.facts.table_snapshots import refresh_table_snapshots
from kamscore.models import Period
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.periods import close_period
from kamscore.scoring.run_store import current_runs


@click.group("period", cls=AppGroup)
def period_group() -> None:
    """Periods: list them, close (freeze) one, snapshot their facts."""


@period_group.command("list")
def list_command() -> None:
    """List periods with their status and current score runs."""
    with get_db().sessionmaker() as session:
        periods = session.scalars(select(Period).order_by(Period.start_date, Period.kind)).all()
        if not periods:
            click.echo("no periods")
            return
        for p in periods:
            runs = ", ".join(f"{r.ruleset_name} run {r.id}" for r in current_runs(session, p.id))
            closed = f" on {p.closed_at:%Y-%m-%d}" if p.closed_at else ""
            click.echo(f"{p.code:<8} {p.kind.value:<8} {p.start_date} .. {p.end_date}  "
                       f"{p.status.value}{closed}" + (f"  current: {runs}" if runs else ""))


@period_group.command("close")
@click.argument("code")
def close_command(code: str) -> None:
    """Close period CODE: its payouts are final, its runs can only be corrected."""
    try:
        with get_db().sessionmaker() as session:
            period = close_period(session, code, user=default_user())
            runs = [f"{r.ruleset_name}: run {r.id}" for r in current_runs(session, period.id)]
    except ScoringError as exc:
        raise fail(exc) from exc
    click.echo(f"period {code} closed" + (f"; final runs: {', '.join(runs)}" if runs else
                                          "; it has no score run"))


@period_group.command("snapshot")
@click.option("--rebuild", is_flag=True,
              help="Rebuild every period's snapshot, not only the missing ones.")
def snapshot_command(rebuild: bool) -> None:
    """Keep each period's facts column-wise too, for fast score runs (and the stakeholders,
    plan objectives and actions).

    Imports do this themselves (score runs for the tables); run it once after upgrading a
    database that has facts.
    """
    with get_db().sessionmaker() as session:
        built = refresh_snapshots(session, rebuild=rebuild)
        tables = refresh_table_snapshots(session, rebuild=rebuild)
        session.commit()
    if not built:
        click.echo("every period has its snapshot")
    for code, count in built.items():
        click.echo(f"{code}: snapshot of {count:,} facts")
    for name, count in tables.items():
        click.echo(f"{name}: snapshot of {count:,} rows")
