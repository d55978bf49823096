"""Context tables kept compact, made whole when read: the parts of a metric context that
few or no metrics read, which at 100,000 KAMs are millions of rows.

Each class is the plain table of :mod:`kamscore.metrics.context` (a subclass: ``isinstance``
holds, every attribute reads as before); what differs is what it holds between reads. A
metric that reads such a column gets a fresh array, made then, and lets it go when done.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kamscore.metrics.context import Accounts, Actions, Objectives, Stakeholders


class LazyNamedAccounts(Accounts):
    """:class:`Accounts` whose ``names`` are made by ``names_made()`` on each read: no metric
    reads them, and at 100,000 KAMs the 750,000 names are 60 MB of strings."""

    def __init__(self, *, codes: np.ndarray, names_made: Callable[[], np.ndarray],
                 types: np.ndarray, segments: np.ndarray, regions: np.ndarray,
                 teams: np.ndarray) -> None:
        for attr, held in (("codes", codes), ("types", types), ("segments", segments),
                           ("regions", regions), ("teams", teams), ("_names_made", names_made)):
            object.__setattr__(self, attr, held)

    @property  # type: ignore[override]
    def names(self) -> np.ndarray:
        return self._names_made()


class LazyCodedObjectives(Objectives):
    """:class:`Objectives` whose ``code`` column is made by ``code_made()`` on each read: no
    built-in metric reads it (at 100,000 KAMs, 1.5 million objectives)."""

    def __init__(self, *, plan: np.ndarray, code_made: Callable[[], np.ndarray],
                 target: np.ndarray, actual: np.ndarray, met: np.ndarray) -> None:
        for attr, held in (("plan", plan), ("target", target), ("actual", actual),
                           ("met", met), ("_code_made", code_made)):
            object.__setattr__(self, attr, held)

    @property  # type: ignore[override]
    def code(self) -> np.ndarray:
        return self._code_made()


class LazyCodedActions(Actions):
    """:class:`Actions` whose ``code`` column is made by ``code_made()`` on each read (at
    100,000 KAMs, 2.2 million actions)."""

    def __init__(self, *, plan: np.ndarray, code_made: Callable[[], np.ndarray],
                 due: np.ndarray, done: np.ndarray) -> None:
        for attr, held in (("plan", plan), ("due", due), ("done", done),
                           ("_code_made", code_made)):
            object.__setattr__(self, attr, held)

    @property  # type: ignore[override]
    def code(self) -> np.ndarray:
        return self._code_made()


class CompactStakeholders(Stakeholders):
    """:class:`Stakeholders` whose ``role`` is made by ``role_made()`` on each read and whose
    ``influence`` / ``partnership_level`` are held in the smallest integer type that holds
    them (read as int64). The built-in metrics read only ``account`` and ``is_key``: at
    100,000 KAMs 3.3 million stakeholders, 78 MB of plain columns, 7 MB this way."""

    def __init__(self, *, account: np.ndarray, role_made: Callable[[], np.ndarray],
                 influence: np.ndarray, partnership_level: np.ndarray,
                 is_key: np.ndarray) -> None:
        for attr, held in (("account", account), ("is_key", is_key), ("_role_made", role_made),
                           ("_influence", _small(influence)),
                           ("_partnership_level", _small(partnership_level))):
            object.__setattr__(self, attr, held)

    @property  # type: ignore[override]
    def role(self) -> np.ndarray:
        return self._role_made()

    @property  # type: ignore[override]
    def influence(self) -> np.ndarray:
        return self._influence.astype(np.int64)

    @property  # type: ignore[override]
    def partnership_level(self) -> np.ndarray:
        return self._partnership_level.astype(np.int64)


def _small(values: np.ndarray) -> np.ndarray:
    """``values`` (integers) in the smallest signed type that holds every one of them."""
    values = np.asarray(values)
    if not len(values):
        return values.astype(np.int8)
    low, high = int(values.min()), int(values.max())
    for kind in (np.int8, np.int16, np.int32):
        info = np.iinfo(kind)
        if info.min <= low and high <= info.max:
            return values.astype(kind)
    return values.astype(np.int64)
