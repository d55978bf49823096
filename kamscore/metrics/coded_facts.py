""":class:`FactColumns` whose code columns are kept small and made on each read.

At 100,000 KAMs a score run holds about 11 million facts. As object arrays their ``person``,
``team`` and ``product`` columns cost 8 bytes a fact each (264 MB), though most names have
no person and no team at all. :class:`CodedFactColumns` keeps each of them as int32 ids
into a lookup of codes — or nothing when no fact has one — and ``category`` as nothing when
no fact has one. Reading the attribute gives the same object array as a plain
:class:`FactColumns` would hold (the same code objects, None where there is none), made
then: a metric reads a name's columns for as long as it computes, so only one name's copy
is alive at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kamscore.metrics.fact_table import FactColumns
from kamscore.metrics.positions import positions_of

#: A code column: ``(ids, lookup)`` with ``lookup[ids]`` the codes, or None: all None.
Coded = tuple[np.ndarray, np.ndarray] | None


def coded(ids: np.ndarray, lookup: np.ndarray) -> Coded:
    """``lookup[ids]`` kept as ids (int32 when they fit) and ``lookup``; None when every id
    is 0 and ``lookup[0]`` is None (no fact has a code)."""
    if len(lookup) and lookup[0] is None and not ids.any():
        return None
    if len(lookup) <= np.iinfo(np.int32).max:
        ids = ids.astype(np.int32)
    return ids, lookup


class CodedFactColumns(FactColumns):
    """The facts of one name as :class:`FactColumns` shows them, its code columns held
    as :data:`Coded` (``category``: an object array, or None when every fact has none)."""

    def __init__(self, name: str, account: np.ndarray, value: np.ndarray, *,
                 person: Coded, team: Coded, product: Coded, category: np.ndarray | None,
                 item: np.ndarray | None = None) -> None:
        for attr, held in (("name", name), ("account", account), ("value", value),
                           ("item", item), ("_person", person), ("_team", team),
                           ("_product", product), ("_category", category)):
            object.__setattr__(self, attr, held)

    def _made(self, column: Coded) -> np.ndarray:
        if column is None:
            return np.empty(len(self.value), dtype=object)  # all None
        ids, lookup = column
        return lookup[ids]

    @property  # type: ignore[override]
    def person(self) -> np.ndarray:
        return self._made(self._person)

    @property  # type: ignore[override]
    def team(self) -> np.ndarray:
        return self._made(self._team)

    @property  # type: ignore[override]
    def product(self) -> np.ndarray:
        return self._made(self._product)

    def product_ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`FactColumns.product_ranks`, from the ids: no code column is made and
        no text sorted but the distinct codes (at 100,000 KAMs, 7.5 million sales facts of
        a few hundred products)."""
        if self._product is None:
            return np.empty(0, dtype=object), np.full(len(self.value), -1, dtype=np.int32)
        ids, lookup = self._product
        used = np.flatnonzero(np.bincount(ids, minlength=len(lookup)))
        codes = lookup[used]
        named = codes != None  # noqa: E711
        used, codes = used[named], codes[named]
        order = np.argsort(codes.astype(str), kind="stable")
        rank_of_id = np.full(len(lookup), -1, dtype=np.int32)
        rank_of_id[used[order]] = np.arange(len(order), dtype=np.int32)
        return np.asarray(codes[order], dtype=object), rank_of_id[ids]

    def person_positions(self, index: Mapping[str, int]) -> np.ndarray:
        """As :meth:`FactColumns.person_positions`, from the ids: each person named looked
        up once, and no code column made (at 100,000 KAMs, 750,000 sales targets, nearly
        all about accounts: 0.1 s through the codes)."""
        if self._person is None:
            return np.full(len(self.value), -1, dtype=np.int64)
        ids, lookup = self._person
        used = np.flatnonzero(np.bincount(ids, minlength=len(lookup)))
        position_of_id = np.full(len(lookup), -1, dtype=np.int64)
        position_of_id[used] = positions_of(lookup[used], index)
        return position_of_id[ids]

    @property  # type: ignore[override]
    def category(self) -> np.ndarray:
        if self._category is None:
            return np.empty(len(self.value), dtype=object)
        return self._category

