"""Errors raised by the scoring services, each with the HTTP status it maps to.

``field`` names the input at fault (``version``, ``user``, ``period``...), so that the API
can say which field to fix and the CLI which option; ``problems`` lists every problem when
there are several (an invalid ruleset).
"""

from __future__ import annotations

from typing import Any


class ScoringError(Exception):
    """A request the scoring services refuse; nothing has been written."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems: list[str] = []


class NotFoundError(ScoringError):
    status = 404


class ConflictError(ScoringError):
    """The request contradicts the current state (e.g. approving a published version)."""

    status = 409


class PermissionDeniedError(ScoringError):
    """The user may not do this (e.g. approve a draft he wrote himself)."""

    status = 403


class InvalidInputError(ScoringError):
    """The input is malformed (an invalid ruleset, an unknown option value)."""

    status = 422

    def __init__(
        self, message: str, *, field: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.problems = list(problems or [])
        #: the problems with their line, key path and message (an invalid ruleset's source),
        #: for the editor that shows each beside its line
        self.located: list[Any] = []
