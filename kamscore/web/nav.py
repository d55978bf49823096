"""The navigation bar's entries: a small list that every capability can extend.

A capability that adds pages calls ``add_nav_item(app, "whatif_pages.whatif", "What-if")``
in its ``init_app``; ``base.html`` shows the entries the current user may open, in the order
they were added. Who may open a page is decided once, by the view's access policy
(``@requires(...)`` / ``@public(...)``, ``kamscore.auth.access``): an entry is shown to
everyone for a public page, and to users whose roles grant the page's permission otherwise.
Entries live in ``app.extensions["kamscore.nav"]`` (a list of ``NavItem``), so the order in
which ``init_app`` functions run does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from kamscore.auth.access import policy_of
from kamscore.auth.roles import reaches

NAV_KEY = "kamscore.nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    #: further endpoints for which this entry is marked as the current page
    also: tuple[str, ...] = ()

    def visible_to(self, user: Any, app: Flask) -> bool:
        policy = policy_of(app.view_functions[self.endpoint])
        if policy is None:
            return False
        if policy.permission is None:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        settings: Mapping[str, Any] = app.config
        return bool(reaches(user.role_names, policy.permission, settings))

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or endpoint in self.also


def add_nav_item(app: Flask, endpoint: str, label: str, *,
                 also: tuple[str, ...] = ()) -> NavItem:
    """Add an entry to the navigation bar (see the module docstring)."""
    item = NavItem(endpoint, label, also)
    entries: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    if any(e.endpoint == endpoint for e in entries):
        raise ValueError(f"navigation already has an entry for {endpoint!r}")
    entries.append(item)
    return item


def nav_entries(app: Flask) -> list[NavItem]:
    return list(app.extensions.get(NAV_KEY, []))
