"""What the scoring endpoints share: turning a refused request into the error shape, and
the caller's name for the records a step writes."""

from __future__ import annotations

from typing import NoReturn

from flask_smorest import abort

from kamscore.auth.access import current_user_of_request
from kamscore.db.session import get_session
from kamscore.scoring.errors import InvalidInputError, ScoringError

__all__ = ["refuse", "username"]


def refuse(exc: ScoringError) -> NoReturn:
    """Answer a refused request in the error shape, naming the field at fault."""
    get_session().rollback()
    field = exc.field or "request"
    if isinstance(exc, InvalidInputError) and exc.problems:
        abort(exc.status, message=exc.message.splitlines()[0], errors={field: exc.problems})
    abort(exc.status, message=exc.message, errors={field: [exc.message]})


def username() -> str:
    return current_user_of_request().username
