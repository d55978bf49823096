"""``kamscore user ...``: create users, list them, change their roles, disable them, reset a
password. A password is never a command-line argument (it would stay in the shell history and
in ``ps``): it is read from standard input (``--password-stdin``) or prompted for twice."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from kamscore.auth.roles import ROLE_TITLES, ROLES
from kamscore.auth.users import (
    UserError,
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    set_roles,
)
from kamscore.cli.ruleset_lifecycle import default_user
from kamscore.db.session import get_db

user_group = AppGroup("user", help="Users who sign in: roles, teams, passwords.")

_ROLE = click.option("--role", "roles", multiple=True, required=True,
                     type=click.Choice(ROLES), help="A role (repeat for several).")
_PERSON = click.option("--person", help="The person (code) a 'kam' user is.")
_TEAM = click.option("--team", "teams", multiple=True, help="A team (code) a 'manager' user "
                     "is responsible for (repeat for several).")
_STDIN = click.option("--password-stdin", is_flag=True,
                      help="Read the password from the first line of standard input.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(exc: UserError) -> click.ClickException:
    return click.ClickException(f"{exc.field}: {exc.message}")


@user_group.command("create")
@click.argument("username")
@_ROLE
@_PERSON
@_TEAM
@click.option("--name", default="", help="The user's full name (default: the username).")
@_STDIN
def create_command(username: str, roles: tuple[str, ...], person: str | None,
                   teams: tuple[str, ...], name: str, password_stdin: bool) -> None:
    """Create user USERNAME with one or more roles."""
    password = _password(password_stdin)
    try:
        with get_db().session() as session:
            user = create_user(session, default_user(), username=username, name=name,
                               password=password, roles=roles, person=person, teams=teams,
                               settings=current_app.config)
            click.echo(f"user {user.username} created: {user.roles}")
    except UserError as exc:
        raise _fail(exc) from None


@user_group.command("list")
def list_command() -> None:
    """Every user with roles, person, teams and state."""
    with get_db().session() as session:
        for user in list_users(session):
            state = "disabled" if user.disabled_at else "active"
            person = user.person.code if user.person else "-"
            teams = ",".join(t.code for t in user.teams) or "-"
            click.echo(f"{user.username}\t{user.roles}\t{person}\t{teams}\t{state}")


@user_group.command("roles")
def roles_command() -> None:
    """The roles and what each may do."""
    for role in ROLES:
        click.echo(f"{role:<13} {ROLE_TITLES[role]}")


@user_group.command("set-roles")
@click.argument("username")
@_ROLE
@_PERSON
@_TEAM
def set_roles_command(username: str, roles: tuple[str, ...], person: str | None,
                      teams: tuple[str, ...]) -> None:
    """Replace USERNAME's roles (and person and teams); his sessions end."""
    try:
        with get_db().session() as session:
            user = set_roles(session, default_user(), username, roles=roles, person=person,
                             teams=teams)
            click.echo(f"user {user.username}: {user.roles}; signed out everywhere")
    except UserError as exc:
        raise _fail(exc) from None


@user_group.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable USERNAME: his sessions and API tokens stop working at once."""
    try:
        with get_db().session() as session:
            disable_user(session, default_user(), username)
    except UserError as exc:
        raise _fail(exc) from None
    click.echo(f"user {username} disabled")


@user_group.command("enable")
@click.argument("username")
def enable_command(username: str) -> None:
    """Enable a disabled USERNAME again (he signs in anew)."""
    try:
        with get_db().session() as session:
            enable_user(session, default_user(), username)
    except UserError as exc:
        raise _fail(exc) from None
    click.echo(f"user {username} enabled")


@user_group.command("reset-password")
@click.argument("username")
@_STDIN
def reset_password_command(username: str, password_stdin: bool) -> None:
    """Give USERNAME a new password; his sessions end."""
    password = _password(password_stdin)
    try:
        with get_db().session() as session:
            reset_password(session, default_user(), username, password,
                           settings=current_app.config)
    except UserError as exc:
        raise _fail(exc) from None
    click.echo(f"password of {username} reset; signed out everywhere")
