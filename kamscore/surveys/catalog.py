"""Which survey definitions exist, and the immutable snapshots campaigns are built on.

A survey is named by its ``key`` (``customer_satisfaction``) or given as a path. Keys are
looked up in the bundled ``surveys/`` folder and in any extra folders (setting
``SURVEYS_DIR``). A campaign stores a ``SurveyVersion`` — the file's text as it was — so
that editing the file later changes no running or closed campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.content.bundled import bundled_dir
from kamscore.content.yaml_source import SourceError, read_source
from kamscore.models import SurveyKind, SurveyVersion
from kamscore.surveys.definition import SurveyDefinition, parse_definition
from kamscore.surveys.errors import InvalidDefinition, SurveyError


def search_dirs(extra: str | Path | None = None) -> list[Path]:
    """The folders survey keys are looked up in: the extra folder first, then the bundled."""
    dirs = [Path(extra)] if extra else []
    return [*dirs, bundled_dir("surveys")]


def find_definition(survey: str, dirs: Iterable[Path]) -> Path:
    """The file of survey ``survey`` (a key, or a path to a YAML file)."""
    candidate = Path(survey)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    for folder in dirs:
        for suffix in (".yaml", ".yml"):
            path = Path(folder) / f"{survey}{suffix}"
            if path.is_file():
                return path
    raise SurveyError(f"no survey definition {survey!r} in {', '.join(map(str, dirs))}",
                      field="survey")


def snapshot(session: Session, path: Path) -> tuple[SurveyVersion, SurveyDefinition]:
    """The stored version of the file at ``path`` (created on first use), validated.

    An invalid file raises ``InvalidDefinition`` about the field ``survey``, with every problem.
    """
    try:
        text = read_source(path)
        definition = parse_definition(text, str(path))
    except SourceError as exc:
        raise InvalidDefinition(f"the survey definition {path.name} is invalid", field="survey",
                                problems=[str(p) for p in exc.problems]) from exc
    version = session.scalars(
        select(SurveyVersion).where(SurveyVersion.survey_key == definition.key,
                                    SurveyVersion.checksum == definition.checksum)
    ).one_or_none()
    if version is None:
        version = SurveyVersion(
            survey_key=definition.key, checksum=definition.checksum,
            kind=SurveyKind(definition.kind), title=definition.in_general(definition.title)[:200],
            anonymous=definition.anonymous, filename=path.name, source=text,
        )
        session.add(version)
        session.flush()
    return version, definition


def definition_of(version: SurveyVersion) -> SurveyDefinition:
    """The parsed definition of a stored version (parsed once per process and text).

    A stored text was valid when its campaign was made, and is read as it was: one stored
    before YAML aliases were refused may use them (their expansion is bounded all the same).
    """
    return parse_definition(version.source, version.filename, aliases=True)
