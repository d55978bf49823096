"""The navigation bar's entries: a small list that every capability can extend.

A capability that adds pages calls ``add_nav_item(app, "scoring.runs", "Score runs",
role="analyst")`` in its ``init_app``; ``base.html`` shows the entries the current user may
see, in the order they were added. Entries live in ``app.extensions["kamscore.nav"]`` (a
list of ``NavItem``), so the order in which ``init_app`` functions run does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

NAV_KEY = "kamscore.nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    #: who sees it: None → everyone signed in; a role name → users holding that role;
    #: "public" → everyone, signed in or not
    role: str | None = None
    #: further endpoints for which this entry is marked as the current page
    also: tuple[str, ...] = ()

    def visible_to(self, user: Any) -> bool:
        if self.role == "public":
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return self.role is None or user.has_role(self.role)

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or endpoint in self.also


def add_nav_item(app: Flask, endpoint: str, label: str, *, role: str | None = None,
                 also: tuple[str, ...] = ()) -> NavItem:
    """Add an entry to the navigation bar (see the module docstring)."""
    item = NavItem(endpoint, label, role, also)
    entries: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    if any(e.endpoint == endpoint for e in entries):
        raise ValueError(f"navigation already has an entry for {endpoint!r}")
    entries.append(item)
    return item


def nav_entries(app: Flask) -> list[NavItem]:
    return list(app.extensions.get(NAV_KEY, []))
