"""``kamscore db ...``: schema migrations."""

from __future__ import annotations

import click
from flask import current_app

from kamscore.db import migrate
from kamscore.db.session import get_db


@click.group("db")
def db_group() -> None:
    """Database schema: upgrade, downgrade, status."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def upgrade_command(revision: str) -> None:
    """Bring the schema up to the code's migrations."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.schema_status(get_db().engine).current}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Step the schema back to REVISION (e.g. -1, or base)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.schema_status(get_db().engine).current}")


@db_group.command("status")
def status_command() -> None:
    """Show the schema revision and whether it is current."""
    status = migrate.schema_status(get_db().engine)
    click.echo(f"current: {status.current}\nhead:    {status.head}")
    if not status.up_to_date:
        raise click.ClickException(status.message())
