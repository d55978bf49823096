"""Errors of the survey services, with the input field they are about."""

from __future__ import annotations


class SurveyError(ValueError):
    """Bad input or a forbidden step (e.g. opening a closed campaign).

    ``field`` names the input at fault so that the API can say which one (``errors``) and
    the CLI which option; ``problems`` lists every problem when there are several (an invalid
    definition file); ``status`` is the HTTP status it maps to.
    """

    status = 400

    def __init__(
        self, message: str, *, field: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or []


class NotFound(SurveyError):
    status = 404


class Conflict(SurveyError):
    """The step does not fit the current state (already open, already closed...)."""

    status = 409


class InvalidDefinition(SurveyError):
    """The survey definition file named is invalid; ``problems`` lists what is wrong."""

    status = 422
