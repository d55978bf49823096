"""What the scoring endpoints share: the error mapping and the pay-reading checks (the rules
themselves are in ``kamscore.auth.pay_access``)."""

from __future__ import annotations

from typing import NoReturn

from flask import g
from flask_smorest import abort

from kamscore.auth.pay_access import PAY_READERS, may_read_statement, reads_all_pay
from kamscore.auth.pay_access import whatif_cache as whatif_cache
from kamscore.db.session import get_session
from kamscore.models import User
from kamscore.scoring.errors import InvalidInputError, ScoringError

__all__ = ["refuse", "require_own_statement", "require_pay_reader", "username",
           "whatif_cache"]


def refuse(exc: ScoringError) -> NoReturn:
    """Answer a refused request in the error shape, naming the field at fault."""
    get_session().rollback()
    field = exc.field or "request"
    if isinstance(exc, InvalidInputError) and exc.problems:
        abort(exc.status, message=exc.message.splitlines()[0], errors={field: exc.problems})
    abort(exc.status, message=exc.message, errors={field: [exc.message]})


def current_user_of_request() -> User:
    return g.api_user


def username() -> str:
    return current_user_of_request().username


def require_pay_reader() -> None:
    if not reads_all_pay(current_user_of_request()):
        abort(403, message=f"This needs one of the roles: {', '.join(PAY_READERS)}.",
              errors={"user": ["only analysts and approvers see every KAM's pay"]})


def require_own_statement(kam_code: str) -> None:
    """A user without a pay-reading role may read his own statement only."""
    if not may_read_statement(current_user_of_request(), kam_code):
        abort(403, message="A statement is visible to its KAM, analysts and approvers.",
              errors={"kam": [f"you may not read the statement of {kam_code}"]})
