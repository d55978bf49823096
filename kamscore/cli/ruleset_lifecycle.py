"""``kamscore ruleset import|list|show|approve|publish|comment|diff``: ruleset versions.

These commands join the ``ruleset`` group of ``kamscore.cli.ruleset`` (where ``check``
lives): ``register()`` adds them, called from ``kamscore.cli.init_app``. Each parses its
arguments, calls one service of ``kamscore.scoring.lifecycle`` and prints the outcome; a
refused request exits with status 1 and says why.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask.cli import with_appcontext

from kamscore.cli.ruleset import ruleset_group
from kamscore.content.yaml_source import SourceError, read_source
from kamscore.db.session import get_db
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.diff import diff_rulesets, format_changes
from kamscore.scoring.errors import InvalidInputError, ScoringError


def fail(exc: ScoringError | SourceError) -> click.ClickException:
    """A service error as a CLI error naming the option at fault."""
    if isinstance(exc, SourceError):
        return click.ClickException(str(exc))
    where = f" (--{exc.field.replace('_', '-')})" if exc.field and exc.field not in (
        "source", "version", "ruleset", "run", "kam") else ""
    return click.ClickException(f"{exc.message}{where}")


def default_user() -> str:
    """Who runs the command when ``--user`` is not given: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


_USER = click.option("--user", default=default_user, show_default="the OS user",
                     help="who does this (recorded on the version)")


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_USER
@click.option("--note", help="what changed and why")
def import_command(file: Path, user: str, note: str | None) -> None:
    """Validate FILE and store it as the next draft version of its ruleset."""
    try:
        source = read_source(file)
        with get_db().sessionmaker() as session:
            version = lifecycle.import_ruleset(session, get_plugin_manager(), source,
                                               str(file), user=user, note=note)
            label, status, digest = version.label, version.status, version.content_hash
    except (ScoringError, SourceError) as exc:
        raise fail(exc) from exc
    click.echo(f"imported {label} ({status}) from {file}, sha256 {digest[:12]}")


@click.command("list")
@with_appcontext
@click.argument("name", required=False)
def list_command(name: str | None) -> None:
    """List the stored versions (of ruleset NAME)."""
    with get_db().sessionmaker() as session:
        versions = lifecycle.list_versions(session, name)
        if not versions:
            click.echo("no ruleset versions" + (f" of {name}" if name else ""))
            return
        click.echo(f"{'ruleset':<16} {'ver':>3}  {'status':<9} {'drafted by':<14} "
                   f"{'approved by':<14} {'published':<16} title")
        for v in versions:
            published = f"{v.published_at:%Y-%m-%d %H:%M}" if v.published_at else ""
            click.echo(f"{v.name:<16} {v.version:>3}  {v.status.value:<9} "
                       f"{v.drafted_by:<14} {v.approved_by or '':<14} {published:<16} "
                       f"{v.title or ''}")


@click.command("show")
@with_appcontext
@click.argument("ref")
@click.option("--source", "show_source", is_flag=True, help="print the YAML text too")
def show_command(ref: str, show_source: bool) -> None:
    """Show version REF (NAME for the published one, or NAME:VERSION) with its comments."""
    try:
        with get_db().sessionmaker() as session:
            v = lifecycle.resolve_ref(session, ref)
            click.echo(f"{v.label}: {v.title or ''} [{v.status}]")
            click.echo(f"  file {v.filename}, sha256 {v.content_hash}")
            click.echo(f"  drafted by {v.drafted_by} on {v.drafted_at:%Y-%m-%d %H:%M}"
                       + (f"; note: {v.note}" if v.note else ""))
            if v.approved_by:
                click.echo(f"  approved by {v.approved_by} on {v.approved_at:%Y-%m-%d %H:%M}")
            if v.published_at:
                click.echo(f"  published by {v.published_by} on "
                           f"{v.published_at:%Y-%m-%d %H:%M}")
            for c in v.comments:
                where = f" on {c.key_path}" if c.key_path else ""
                click.echo(f"  comment by {c.author}{where} ({c.created_at:%Y-%m-%d}): "
                           f"{c.body}")
            if show_source:
                click.echo("\n" + v.source)
    except ScoringError as exc:
        raise fail(exc) from exc


@click.command("approve")
@with_appcontext
@click.argument("name")
@click.argument("version", type=int)
@click.option("--user", required=True, help="the approver (not the drafter)")
def approve_command(name: str, version: int, user: str) -> None:
    """Approve draft VERSION of ruleset NAME (four eyes: not by its drafter)."""
    try:
        with get_db().sessionmaker() as session:
            found = lifecycle.approve_version(session, name, version, user=user)
            label = found.label
    except ScoringError as exc:
        raise fail(exc) from exc
    click.echo(f"{label} approved by {user}")


@click.command("publish")
@with_appcontext
@click.argument("name")
@click.argument("version", type=int)
@_USER
def publish_command(name: str, version: int, user: str) -> None:
    """Publish approved VERSION of ruleset NAME (the published one before it retires)."""
    try:
        with get_db().sessionmaker() as session:
            found = lifecycle.publish_version(session, name, version, user=user)
            label = found.label
    except ScoringError as exc:
        raise fail(exc) from exc
    click.echo(f"{label} published; score runs of {name} now use it")


@click.command("comment")
@with_appcontext
@click.argument("name")
@click.argument("version", type=int)
@click.option("--user", required=True, help="who comments")
@click.option("--text", "body", required=True, help="the comment")
@click.option("--key", "key_path", help="the part of the plan it is about, e.g. "
                                        "components.csat.weight")
def comment_command(name: str, version: int, user: str, body: str,
                    key_path: str | None) -> None:
    """Comment on VERSION of ruleset NAME before it is published."""
    try:
        with get_db().sessionmaker() as session:
            lifecycle.add_comment(session, name, version, author=user, body=body,
                                  key_path=key_path)
    except ScoringError as exc:
        raise fail(exc) from exc
    click.echo(f"comment recorded on {name} v{version}")


def _parsed(session, pm, ref: str):  # type: ignore[no-untyped-def]
    """A ruleset from a file path or a stored version reference, with its label."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise InvalidInputError(f"no file {ref}", field="source")
        return lifecycle.parse_source(read_source(path), str(path), pm), str(path)
    version = lifecycle.resolve_ref(session, ref)
    return lifecycle.parse_version(version, pm), version.label


@click.command("diff")
@with_appcontext
@click.argument("a")
@click.argument("b")
def diff_command(a: str, b: str) -> None:
    """Show what changes from A to B in plan terms (weights, tiers, curves, gates...).

    A and B are stored versions (NAME for the published one, NAME:VERSION) or YAML files.
    """
    pm = get_plugin_manager()
    try:
        with get_db().sessionmaker() as session:
            first, label_a = _parsed(session, pm, a)
            second, label_b = _parsed(session, pm, b)
    except (ScoringError, SourceError) as exc:
        raise fail(exc) from exc
    click.echo(format_changes(diff_rulesets(first, second), label_a=label_a, label_b=label_b))


COMMANDS = (import_command, list_command, show_command, approve_command, publish_command,
            comment_command, diff_command)


def register() -> None:
    """Add the lifecycle commands to the shared ``ruleset`` group (idempotent)."""
    for command in COMMANDS:
        ruleset_group.add_command(command)
