"""``kamscore ruleset ...``: incentive plans (rulesets).

This module owns the ``ruleset`` command group. ``check`` (validation of YAML files) lives
here; the scoring capability adds its own subcommands (import, list, approve, publish, diff,
...) to the same group with ``@ruleset_group.command(...)`` in its own module, and registers
that module's import in ``kamscore.cli.init_app`` — there is one ``ruleset`` group, not two.
The group is an ``AppGroup``, so every subcommand runs inside the app context.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from kamscore.content.yaml_source import SourceError, read_source
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import check_ruleset


def current_catalogue():  # type: ignore[no-untyped-def]
    """The metric catalogue and formula functions of the running app's plugins."""
    from kamscore.plugin_host.manager import get_plugin_manager

    return catalogue_of(get_plugin_manager())


@click.group("ruleset", cls=AppGroup)
def ruleset_group() -> None:
    """Incentive plans: check, and (with the scoring commands) import, approve, publish."""


@ruleset_group.command("check")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]) -> None:
    """Validate ruleset FILES against the installed metric plugins.

    Prints every problem as FILE:LINE: key.path: message and exits with status 1 if any
    file has a problem.
    """
    metrics, functions = current_catalogue()
    failed = 0
    for path in files:
        try:
            problems = check_ruleset(read_source(path), str(path), metrics, functions)
        except SourceError as exc:
            problems = exc.problems
        for problem in problems:
            click.echo(str(problem))
        if problems:
            failed += 1
            click.echo(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}",
                       err=True)
        else:
            click.echo(f"{path}: ok")
    if failed:
        raise SystemExit(1)
