"""What the context derives about each KAM from his assignments: his primary segment (the
account with the most assigned days) and his focus product (the largest credited
``net_sales``). Pure numpy over the whole population (``kamscore.metrics.assemble``)."""

from __future__ import annotations

import numpy as np

from kamscore.metrics.context import Accounts, Assignments
from kamscore.metrics.fact_table import FactTable

#: The fact whose largest credited total picks a KAM's focus product.
FOCUS_FACT = "net_sales"


def _nones(size: int) -> np.ndarray:
    return np.full(size, None, dtype=object)


def _first_per_kam(size: int, kams: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For rows sorted by ``order`` (KAM first), the row index of each KAM's first row."""
    first = np.full(size, -1, dtype=np.int64)
    sorted_kams = kams[order]
    is_first = np.ones(len(order), dtype=bool)
    is_first[1:] = sorted_kams[1:] != sorted_kams[:-1]
    first[sorted_kams[is_first]] = order[is_first]
    return first


def primary_segments(size: int, a: Assignments, accounts: Accounts) -> np.ndarray:
    """Segment of the account with the most assigned days (ties: larger share, then code)."""
    if not len(a):
        return _nones(size)
    first = primary_assignments(size, a)
    out = np.full(size, None, dtype=object)
    has = first >= 0
    out[has] = np.asarray(accounts.segments, dtype=object)[a.account[first[has]]]
    return out


def primary_assignments(size: int, a: Assignments) -> np.ndarray:
    """Per KAM, the row of his assignment with the most days (ties: the larger weight, then
    the account first in code order, then the first row); -1 for a KAM without any.

    Assignments sorted by KAM then account (as ``assemble._assignments`` gives them) take
    three passes over the rows, each KAM's best found by ``reduceat``; others a sort on the
    four keys (``lexsort``), which at 100,000 KAMs cost 0.19 s and grew 15 times from
    10,000. A NaN weight (none is made) takes the sort too, where NaN ranks last."""
    kam, days, weight = a.kam, a.days, a.weight
    first = np.full(size, -1, dtype=np.int64)
    if not len(kam):
        return first
    ordered = bool(np.all(kam[1:] >= kam[:-1]) and np.all(
        (a.account[1:] >= a.account[:-1]) | (kam[1:] != kam[:-1])))
    if not ordered or np.isnan(weight).any():
        return _first_per_kam(size, kam, np.lexsort((a.account, -weight, -days, kam)))
    starts = np.flatnonzero(np.concatenate(([True], kam[1:] != kam[:-1])))
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(kam))))
    best = days == np.maximum.reduceat(days, starts)[group]
    weighed = np.where(best, weight, -np.inf)
    best &= weighed == np.maximum.reduceat(weighed, starts)[group]
    rows = np.flatnonzero(best)  # by KAM, then account: each KAM's first is his primary
    first[kam[starts]] = rows[np.concatenate(([True], group[rows][1:] != group[rows][:-1]))]
    return first


#: KAMs whose assignments are paired with their accounts' sales at a time (focus products).
_FOCUS_KAMS = 10_000


def focus_products(size: int, a: Assignments, facts: FactTable) -> np.ndarray:
    """Product with the largest credited ``net_sales`` over each KAM's accounts (ties: code)."""
    sales = facts.select(FOCUS_FACT)
    products, ranks = sales.product_ranks()
    keep = (sales.account >= 0) & ~np.isnan(sales.value) & (ranks >= 0)
    if not len(a) or not keep.any():
        return _nones(size)
    if keep.all():  # no copies of 7.5 million facts' columns at 100,000 KAMs
        product_idx, fact_account, fact_value = ranks, sales.account, sales.value
    else:
        product_idx = ranks[keep]
        fact_account, fact_value = sales.account[keep], sales.value[keep]
    del keep, ranks
    # the facts by account (a snapshot's are in subject order: by account already)
    by_account = (None if np.all(fact_account[1:] >= fact_account[:-1])
                  else np.argsort(fact_account, kind="stable"))
    counts = np.bincount(fact_account, minlength=facts.n_accounts)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    cells = size * len(products)
    credited, present = np.zeros(cells), np.zeros(cells, dtype=bool)
    # Pair every assignment with every net_sales fact of its account, the assignments of some
    # KAMs at a time (at 100,000 KAMs all pairs at once are 7.8 million: half a GB of index
    # arrays). A KAM's pairs all fall in one part, summed in the same order as all at once.
    by_kam = bool(np.all(a.kam[1:] >= a.kam[:-1]))  # as _assignments sorts them
    bounds = (np.searchsorted(a.kam, np.arange(0, size + _FOCUS_KAMS, _FOCUS_KAMS))
              if by_kam else np.array([0, len(a)]))
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if start == stop:
            continue
        part = slice(start, stop)
        account, kam, weight = a.account[part], a.kam[part], a.weight[part]
        per_assignment = counts[account]
        pair_assignment = np.repeat(np.arange(len(account)), per_assignment)
        within = np.arange(per_assignment.sum()) - np.repeat(
            np.cumsum(per_assignment) - per_assignment, per_assignment)
        pair_fact = offsets[account[pair_assignment]] + within
        if by_account is not None:
            pair_fact = by_account[pair_fact]
        # credited sales per (KAM, product)
        key = kam[pair_assignment] * len(products) + product_idx[pair_fact]
        credited += np.bincount(key, weights=weight[pair_assignment] * fact_value[pair_fact],
                                minlength=cells)
        present[key] = True
    credited = np.where(present, credited, -np.inf).reshape(size, len(products))
    best = np.argmax(credited, axis=1)  # first maximum: products are sorted by code
    has = present.reshape(size, len(products)).any(axis=1)
    out = np.full(size, None, dtype=object)
    out[has] = np.asarray(products, dtype=object)[best[has]]
    return out
