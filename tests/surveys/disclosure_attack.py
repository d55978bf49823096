"""A brute-force attacker on reported groups, shared by the anonymity tests.

He knows every reported group's sums (every statistic we report is a function of them) and
may add and subtract reports at will: what he can compute is the linear span of the reported
groups' indicator vectors over respondents. He wins if some set of 1..minimum-1 respondents
(not the exempt self-rating, shown apart on purpose) lies in that span.
"""

from __future__ import annotations

import itertools

import numpy as np

from kamscore.surveys.disclosure import Group, Verdict


def isolatable_small_sets(groups: list[Group], verdict, minimum: int) -> list[tuple]:
    """Every set of 1..minimum-1 respondents that the shown groups let one compute."""
    by_key = {g.key: g for g in groups}
    own = {
        g.key: g.n - sum(c.n for c in groups if c.parent == g.key) for g in groups
    }  # respondents of g that are in none of its sub-groups
    cells = [k for k in by_key if own[k] > 0 and not by_key[k].exempt]

    def inside(cell, key) -> bool:  # is the cell's group within ``key``?
        while cell is not None:
            if cell == key:
                return True
            cell = by_key[cell].parent
        return False

    rows = [
        [1.0 if inside(c, g.key) else 0.0 for c in cells]
        for g in groups
        if verdict[g.key] is Verdict.SHOWN and not g.exempt
    ]
    if not rows or not cells:
        return []
    span = np.array(rows)
    rank = np.linalg.matrix_rank(span)
    found = []
    for size in range(1, len(cells) + 1):
        for subset in itertools.combinations(range(len(cells)), size):
            n = sum(own[cells[i]] for i in subset)
            if not 0 < n < minimum:
                continue
            target = np.zeros(len(cells))
            target[list(subset)] = 1
            if np.linalg.matrix_rank(np.vstack([span, target])) == rank:
                found.append(tuple(cells[i] for i in subset))
    return found
