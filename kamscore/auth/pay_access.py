"""Who may see pay, and the process-wide what-if cache — shared by the API and the pages.

Pay is confidential. Analysts and approvers (and admins, who hold every role) see every
run and statement; any other signed-in user sees only the statements of the person his
account is linked to.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from kamscore.scoring.inputs_cache import InputsCache

#: Roles that see every KAM's pay.
PAY_READERS = ("analyst", "approver")
CACHE_KEY = "kamscore.whatif_cache"


def reads_all_pay(user: Any) -> bool:
    return any(user.has_role(role) for role in PAY_READERS)


def may_read_statement(user: Any, kam_code: str) -> bool:
    """A pay reader reads every statement; anyone else only the one of his own person."""
    if reads_all_pay(user):
        return True
    person = getattr(user, "person", None)
    return person is not None and person.code == kam_code


def whatif_cache() -> InputsCache:
    """The app's cache of period inputs for what-if (created on first use; entries of open
    periods live ``WHATIF_CACHE_SECONDS``)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        ttl = float(current_app.config.get("WHATIF_CACHE_SECONDS", 300))
        cache = current_app.extensions.setdefault(CACHE_KEY, InputsCache(ttl=ttl))
    return cache
