"""What the scoring endpoints share: who the user is and the pay-reading checks (the rules
themselves are in ``kamscore.auth.pay_access``)."""

from __future__ import annotations

from flask import g
from flask_smorest import abort

from kamscore.auth.pay_access import PAY_READERS, may_read_statement, reads_all_pay
from kamscore.auth.pay_access import whatif_cache as whatif_cache
from kamscore.models import User

__all__ = ["current_user_of_request", "require_own_statement", "require_pay_reader",
           "username", "whatif_cache"]


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
