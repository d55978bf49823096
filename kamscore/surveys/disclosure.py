"""Which groups of answers may be reported: minimum group sizes and complementary suppression.

Pure (no database). The rules, and why they are enough, are in docs/surveys.md ("Minimum
group sizes and suppression"); in short:

The reports about one subject (an account, or a KAM in a 360°) form a **tree** of groups of
respondents: the subject's top group ("all" for customers, "others" for a 360°) and under it
the rater groups (manager, peer, cross-functional; or the stakeholders' roles). Every figure
reported for a group (n, mean, sd, histogram, CSAT, NPS, alpha) is a function of sums over
its respondents, so what someone can work out from several reports is the sums over any set
of respondents that is a *combination* of reported groups. For a tree (any two groups are
nested or disjoint) the sets that can be worked out are exactly the unions of **residues**: a
reported group minus the largest reported groups inside it. So:

1. a group is reported only if it has at least ``minimum`` respondents (primary rule);
2. every reported group's residue must hold 0 or at least ``minimum`` respondents: if it
   holds 1..minimum-1 (e.g. "others" = 7 with peer 3 and cross-functional 3 reported: the
   one manager is the residue), one more group inside it is withheld (complementary
   suppression) — the one that matters least (lowest ``priority``, then the smallest) — so
   that the residue grows to ≥ minimum; only if none can be withheld is the group itself
   withheld;
3. ``exempt`` groups (the KAM's own self-rating, shown apart by design) are always reported
   when they have answers and are never withheld.

``disclose`` applies these rules bottom-up in one pass; ``tests/surveys/test_disclosure.py``
checks, against a brute-force attacker that solves the linear system of all reported sums,
that no set of 1..minimum-1 respondents can ever be isolated.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np


class Verdict(enum.StrEnum):
    SHOWN = "shown"
    EMPTY = "empty"  # nobody answered: nothing to show, nothing to hide
    TOO_SMALL = "too_small"  # fewer than the minimum number of respondents
    WITHHELD = "withheld"  # enough respondents, hidden so that a smaller group stays hidden


@dataclass(frozen=True)
class Group:
    """One reportable group: ``n`` respondents, inside ``parent`` (None for a top group).

    ``n`` counts every respondent of the group, including those of the groups inside it.
    """

    key: Hashable
    n: int
    parent: Hashable | None = None
    exempt: bool = False
    priority: int = 0  # higher = more worth keeping when one must be withheld


def disclose(
    groups: Iterable[Group], minimum: int, *, withheld: Collection[Hashable] = ()
) -> dict[Hashable, Verdict]:
    """Decide which groups may be shown; ``withheld`` groups start hidden (not exempt ones).

    ``withheld`` lets a second pass (one question's answer counts) start from the decisions
    of a first pass (the response counts), so that it only ever hides more.
    """
    if minimum < 1:
        raise ValueError("the minimum group size must be at least 1")
    nodes = {g.key: g for g in groups}
    children: dict[Hashable, list[Hashable]] = {key: [] for key in nodes}
    for g in nodes.values():
        if g.parent is not None:
            if g.parent not in nodes:
                raise ValueError(f"group {g.key!r} is inside unknown group {g.parent!r}")
            children[g.parent].append(g.key)

    verdict: dict[Hashable, Verdict] = {}
    for g in nodes.values():
        if g.n <= 0:
            verdict[g.key] = Verdict.EMPTY
        elif g.exempt:
            verdict[g.key] = Verdict.SHOWN
        elif g.key in withheld:
            verdict[g.key] = Verdict.WITHHELD
        elif g.n < minimum:
            verdict[g.key] = Verdict.TOO_SMALL
        else:
            verdict[g.key] = Verdict.SHOWN

    def shown(key: Hashable) -> bool:
        return verdict[key] is Verdict.SHOWN

    def maximal_shown_inside(key: Hashable) -> list[Hashable]:
        found: list[Hashable] = []
        stack = list(children[key])
        while stack:
            child = stack.pop()
            if shown(child):
                found.append(child)
            else:
                stack.extend(children[child])
        return found

    def residue(key: Hashable) -> int:
        return nodes[key].n - sum(nodes[c].n for c in maximal_shown_inside(key))

    for key in sorted(nodes, key=lambda k: -_depth(nodes, k)):
        if not shown(key) or nodes[key].exempt:
            continue
        left = residue(key)
        if 0 < left < minimum:
            candidates = [
                c for c in maximal_shown_inside(key)
                if not nodes[c].exempt and residue(c) >= minimum
            ]
            group = nodes[key]
            best = min(
                candidates, key=lambda c: (nodes[c].priority, nodes[c].n, str(c)), default=None
            )
            if best is not None and nodes[best].priority <= group.priority:
                verdict[best] = Verdict.WITHHELD
            else:
                verdict[key] = Verdict.WITHHELD
    return verdict


def _depth(nodes: Mapping[Hashable, Group], key: Hashable) -> int:
    depth = 0
    parent = nodes[key].parent
    while parent is not None:
        depth += 1
        parent = nodes[parent].parent
    return depth


#: ``flat_tree_verdicts`` codes, in ``VERDICT_CODES`` order.
SHOWN, EMPTY, TOO_SMALL, WITHHELD = range(4)
VERDICT_CODES = (Verdict.SHOWN, Verdict.EMPTY, Verdict.TOO_SMALL, Verdict.WITHHELD)


def flat_tree_verdicts(counts: np.ndarray, minimum: int, *, exempt_last: bool,
                       hidden: np.ndarray | None = None) -> np.ndarray:
    """``disclose`` for many subjects at once, each a tree of one level: a top group (column
    0, priority above the others) with the groups inside it (the next columns, in the order
    of their keys) and, with ``exempt_last``, an exempt group apart (the last column).

    ``counts``: subjects x groups (0 for a group a subject does not have); ``hidden``: the
    groups that start withheld. Returns the verdicts as codes (``VERDICT_CODES``). In such a
    tree only the top group can have a small residue, and then the smallest shown group
    inside it (the first by key among equals) is withheld — what ``disclose`` decides.
    """
    if minimum < 1:
        raise ValueError("the minimum group size must be at least 1")
    verdict = np.full(counts.shape, SHOWN, dtype=np.int8)
    verdict[counts < minimum] = TOO_SMALL
    if hidden is not None:
        verdict[hidden] = WITHHELD
    if exempt_last:
        verdict[:, -1] = SHOWN
    verdict[counts <= 0] = EMPTY
    inner = slice(1, counts.shape[1] - 1 if exempt_last else counts.shape[1])
    sizes, shown = counts[:, inner], verdict[:, inner] == SHOWN
    left = counts[:, 0] - np.where(shown, sizes, 0).sum(axis=1)
    small = (verdict[:, 0] == SHOWN) & (left > 0) & (left < minimum)
    if small.any():
        best = np.argmin(np.where(shown, sizes, np.iinfo(np.int64).max), axis=1)
        inside = small & shown.any(axis=1)
        verdict[np.flatnonzero(inside), 1 + best[inside]] = WITHHELD
        verdict[small & ~inside, 0] = WITHHELD
    return verdict
