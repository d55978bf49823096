"""``kamscore api-token ...``: bearer tokens for scripts that use the JSON API."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from kamscore.auth.tokens import TokenError, issue_token, list_tokens, revoke_token
from kamscore.cli.ruleset_lifecycle import default_user
from kamscore.db.session import get_db
from kamscore.models.types import utcnow


@click.group("api-token")
def token_group() -> None:
    """Issue, list and revoke API tokens (Authorization: Bearer <token>)."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'nightly ERP import'.")
@click.option("--expires-days", type=click.IntRange(min=1), help="Expire after this many days.")
@with_appcontext
def create_command(username: str, name: str, expires_days: int | None) -> None:
    """Issue a token acting as USERNAME; it is printed once and cannot be shown again."""
    expires = utcnow() + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with get_db().session() as session:
            record, token = issue_token(session, username, name, expires_at=expires,
                                        actor=default_user())
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)
    until = f", expires {record.expires_at:%Y-%m-%d}" if record.expires_at else ""
    click.echo(f"token {record.id} ({record.prefix}…) for {username}{until}", err=True)


@token_group.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@with_appcontext
def list_command(username: str | None) -> None:
    """List tokens (never the tokens themselves: only their first characters)."""
    with get_db().session() as session:
        for t in list_tokens(session, username):
            state = "revoked" if t.revoked_at else "active"
            if t.revoked_at is None and t.expires_at and t.expires_at <= utcnow():
                state = "expired"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            click.echo(f"{t.id}\t{t.prefix}…\t{t.user.username}\t{state}\tused {used}\t{t.name}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `list`); scripts using it get 401 from then on."""
    try:
        with get_db().session() as session:
            revoke_token(session, token_id, actor=default_user())
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {token_id} revoked")
