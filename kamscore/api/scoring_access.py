"""What the scoring endpoints share: error mapping and who may read whose pay.

Pay is confidential. Analysts, approvers and admins read every run and statement; any other
signed-in user (a KAM, a manager) reads only the statements of the person his account is
linked to.
"""

from __future__ import annotations

from typing import NoReturn

from flask import current_app, g
from flask_smorest import abort

from ..db import get_session
from ..models import User
from ..scoring.errors import InvalidInputError, ScoringError
from ..scoring.inputs_cache import InputsCache

#: Roles that see every KAM's pay.
PAY_READERS = ("analyst", "approver")
CACHE_KEY = "kamscore.whatif_cache"


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


def reads_all_pay(user: User) -> bool:
    return any(user.has_role(role) for role in PAY_READERS)


def require_pay_reader() -> None:
    if not reads_all_pay(current_user_of_request()):
        abort(403, message=f"This needs one of the roles: {', '.join(PAY_READERS)}.",
              errors={"user": ["only analysts and approvers see every KAM's pay"]})


def require_own_statement(kam_code: str) -> None:
    """A user without a pay-reading role may read his own statement only."""
    user = current_user_of_request()
    if reads_all_pay(user):
        return
    if user.person is None or user.person.code != kam_code:
        abort(403, message="A statement is visible to its KAM, analysts and approvers.",
              errors={"kam": [f"you may not read the statement of {kam_code}"]})


def whatif_cache() -> InputsCache:
    """The app's cache of period inputs for what-if (created on first use)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        ttl = float(current_app.config.get("WHATIF_CACHE_SECONDS", 300))
        cache = current_app.extensions.setdefault(CACHE_KEY, InputsCache(ttl=ttl))
    return cache
