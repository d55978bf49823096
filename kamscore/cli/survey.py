"""``kamscore survey ...``: check and list survey definitions."""

from __future__ import annotations

from pathlib import Path

import click

from kamscore.content.bundled import bundled_files
from kamscore.content.yaml_source import SourceError
from kamscore.surveys.definition import load_definition_file


@click.group("survey")
def survey_group() -> None:
    """Survey definitions (YAML files in surveys/)."""


@survey_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def check_command(files: tuple[str, ...]) -> None:
    """Validate survey definition FILES; every problem is listed with file, line and key."""
    problems: list[str] = []
    for file in files:
        try:
            definition = load_definition_file(file)
        except SourceError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        questions = sum(1 for _ in definition.questions())
        click.echo(f"{file}: ok — {definition.key} ({definition.kind}, "
                   f"{len(definition.sections)} pages, {questions} questions, "
                   f"languages {', '.join(definition.languages)})")
    if problems:
        raise click.ClickException(
            f"{len(problems)} problem(s):\n" + "\n".join(problems)
        )


@survey_group.command("list")
def list_command() -> None:
    """List the survey definitions shipped in surveys/."""
    for path in bundled_files("surveys", "*.yaml"):
        try:
            definition = load_definition_file(path)
        except SourceError as exc:
            click.echo(f"{Path(path).name}: INVALID ({len(exc.problems)} problems)")
            continue
        click.echo(f"{definition.key:<28} {definition.kind:<13} "
                   f"{'anonymous' if definition.anonymous else 'named':<10} "
                   f"{definition.title.get('en')}")
