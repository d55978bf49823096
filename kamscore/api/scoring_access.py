"""What the scoring endpoints share: the caller's name for the records a step writes (who
drafted, approved, ran). Who may call them is each operation's ``@requires``."""

from __future__ import annotations

from kamscore.auth.access import current_user_of_request

__all__ = ["username"]


def username() -> str:
    return current_user_of_request().username
