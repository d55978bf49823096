"""A period's facts as a metric reads them: :class:`FactTable` (the facts grouped by name,
with whole-population sums per account) of :class:`FactColumns` (one name's facts, a numpy
array per column). Part of :class:`~kamscore.metrics.context.MetricContext`."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from kamscore.metrics.needs import UndeclaredFactError
from kamscore.metrics.positions import positions_of


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, made read-only (a cached result handed to every metric that asks)."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class FactColumns:
    """The facts of one name, column-wise. ``account`` indexes ``ctx.accounts`` (-1: none);
    ``person``, ``team`` and ``product`` are codes or None; ``value`` is NaN for
    categorical facts, whose label is in ``category``; ``item`` names the transaction
    (order, deal) a fact is about — None where it is the period's figure, and ``item`` is
    None altogether when no fact of the name has one."""

    name: str
    account: np.ndarray
    person: np.ndarray
    team: np.ndarray
    product: np.ndarray
    value: np.ndarray
    category: np.ndarray
    item: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.value)

    def product_ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct product codes sorted (an object array), and each fact's position in
        them (-1: no product)."""
        product = self.product
        present = product != None  # noqa: E711
        codes, inverse = np.unique(product[present].astype(str), return_inverse=True)
        ranks = np.full(len(product), -1, dtype=np.int32)
        ranks[present] = inverse.reshape(-1)
        return codes.astype(object), ranks

    def person_positions(self, index: Mapping[str, int]) -> np.ndarray:
        """Each fact's person as a position through ``index`` (code → position; -1: no
        person, or one ``index`` does not hold)."""
        return positions_of(self.person, index)


@dataclass(frozen=True, eq=False)
class FactTable:
    """The facts of one period, grouped by name, with whole-population accessors.

    ``scope`` is the set of names that may be read (``None``: every name of the period).
    A context loaded for given :class:`~kamscore.metrics.needs.FactNeeds` holds only those
    names, and each metric sees only the names it declares; reading any other name raises
    :class:`~kamscore.metrics.needs.UndeclaredFactError` rather than finding no rows.
    """

    by_name: Mapping[str, FactColumns]
    n_accounts: int
    scope: frozenset[str] | None = None
    previous: bool = False  # the table of ``ctx.previous_facts`` (for error messages)

    @classmethod
    def from_columns(cls, *, names: np.ndarray, account: np.ndarray, person: np.ndarray,
                     team: np.ndarray, product: np.ndarray, value: np.ndarray,
                     category: np.ndarray, n_accounts: int,
                     item: np.ndarray | None = None) -> FactTable:
        """Group aligned fact columns by name (``account`` as indices, -1 for none)."""
        ids: dict[str, int] = {}
        code = np.fromiter((ids.setdefault(n, len(ids)) for n in names), dtype=np.int64,
                           count=len(names))
        order = np.argsort(code, kind="stable")
        bounds = np.flatnonzero(np.diff(code[order])) + 1
        by_name = {}
        for rows in np.split(order, bounds) if len(order) else []:
            name = names[rows[0]]
            items = None
            if item is not None and any(x is not None for x in item[rows]):
                items = item[rows]
            by_name[name] = FactColumns(name, account[rows], person[rows], team[rows],
                                        product[rows], value[rows], category[rows], items)
        return cls(by_name=by_name, n_accounts=n_accounts)

    def names(self) -> list[str]:
        return sorted(n for n in self.by_name if self.scope is None or n in self.scope)

    def restricted(self, names: frozenset[str] | None) -> FactTable:
        """The same facts, of which only ``names`` may be read (``None``: no narrower).

        Names outside the table's own scope stay unreadable: the loader loads the union of
        what every metric of a run declares, so that happens only to a caller that loaded
        a context for other needs."""
        if names is None:
            return self
        return dataclasses.replace(self, scope=names if self.scope is None
                                   else names & self.scope)

    def select(self, name: str) -> FactColumns:
        """The facts called ``name`` (no rows when there are none)."""
        if self.scope is not None and name not in self.scope:
            raise UndeclaredFactError(name, self.scope, previous=self.previous)
        found = self.by_name.get(name)
        if found is not None:
            return found
        empty_obj = np.empty(0, dtype=object)
        return FactColumns(name, np.empty(0, dtype=np.int64), empty_obj, empty_obj, empty_obj,
                           np.empty(0), empty_obj)

    def account_totals(self, name: str, products: Collection[str] | None = None) -> np.ndarray:
        """Per account (aligned to ``ctx.accounts``): the sum of the numeric facts ``name``
        about it (over its products, or only ``products``); NaN where there is none."""
        total, count = self._account_sums(name, products)
        return np.where(count > 0, total, np.nan)

    def account_means(self, name: str, products: Collection[str] | None = None) -> np.ndarray:
        """Per account: the plain mean of the numeric facts ``name`` about it (one per
        account, or one per account and product); NaN where there is none."""
        total, count = self._account_sums(name, products)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def _account_sums(self, name: str,
                      products: Collection[str] | None) -> tuple[np.ndarray, np.ndarray]:
        """Per account, the sum and the count of the numeric facts ``name`` (of ``products``),
        read-only. Kept from the second read of a name and products on, for every metric that
        reads them again (the fact tables metrics see share their columns): at 100,000 KAMs
        each pair is 12 MB, and keeping the nine a standard run reads once each held 108 MB
        at the run's peak; a bincount over two million facts costs a few milliseconds."""
        cols = self.select(name)
        sums = cols.__dict__.setdefault("_account_sums", {})  # a cache on a frozen dataclass
        key = (None if products is None else frozenset(products), self.n_accounts)
        found = sums.get(key)
        if found is None:
            found = self._sums_of(cols, products)
            sums[key] = found if key in sums else None  # None: read once so far
        return found

    def _sums_of(self, cols: FactColumns,
                 products: Collection[str] | None) -> tuple[np.ndarray, np.ndarray]:
        mask = (cols.account >= 0) & ~np.isnan(cols.value)
        if products is not None:
            mask &= np.isin(cols.product, np.asarray(list(products), dtype=object))
        if mask.all():  # the usual case: no copy of millions of facts' columns
            acc, values = cols.account, cols.value
        else:
            acc, values = cols.account[mask], cols.value[mask]
        total = np.bincount(acc, weights=values, minlength=self.n_accounts)
        return read_only(total), read_only(np.bincount(acc, minlength=self.n_accounts))

    def team_totals(self, name: str) -> dict[str, float]:
        """Team code → sum of the numeric facts ``name`` about the team (team facts only)."""
        cols = self.select(name)
        out: dict[str, float] = {}
        for team, value in zip(cols.team, cols.value, strict=True):
            if team is not None and not np.isnan(value):
                out[team] = out.get(team, 0.0) + float(value)
        return out

    def person_totals(self, name: str, index: Mapping[str, int], size: int) -> np.ndarray:
        """Per person of a population (``index``: code → position): the sum of the numeric
        facts ``name`` about that person; NaN where there is none."""
        cols = self.select(name)
        pos = cols.person_positions(index)
        mask = (pos >= 0) & ~np.isnan(cols.value)
        total = np.bincount(pos[mask], weights=cols.value[mask], minlength=size)
        seen = np.bincount(pos[mask], minlength=size) > 0
        return np.where(seen, total, np.nan)
