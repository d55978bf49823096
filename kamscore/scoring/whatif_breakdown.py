"""What-if's aggregations of two evaluations of the same people: numpy, no loops per KAM.

- ``histogram``: payouts of the eligible KAMs of the baseline and of the draft counted on the
  same bins (round edges from 0 to the largest payout), to draw them overlaid;
- ``cost_by``: the cost (sum of payouts) of each group of KAMs — team, segment, lifecycle
  phase, variant — under both, with the change; each group by its id and a label for the
  reader (a team's name, a variant's title; segments and phases are their own labels);
- ``crossings``: how many KAMs a cap cuts (the plan's cap or amount cap, or a component's)
  and how many are under a threshold (a paying component with data that pays nothing for
  their value), under each, and how many cross either line in each direction.

Arrays are in population order and the same people in both (what-if evaluates both plans on
one population); payouts are floats in the currency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kamscore.engine import Evaluation
from kamscore.engine.results import Treatment
from kamscore.scoring.group_labels import NO_TEAM, variant_titles

NONE = "(none)"


def nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) with at most ``bins`` bins
    covering ``span``."""
    if span <= 0:
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def histogram(baseline: np.ndarray, draft: np.ndarray, *, bins: int = 10
              ) -> list[dict[str, float | int]]:
    """Counts of ``baseline`` and ``draft`` values in bins ``[low, high)`` (the last bin
    includes its upper edge) from 0 to the largest value, of a round width."""
    top = max(float(baseline.max(initial=0.0)), float(draft.max(initial=0.0)))
    step = nice_step(top, bins)
    count = max(1, math.ceil(top / step - 1e-9)) if top > 0 else 1
    if count * step <= top:  # the largest value sits on the last edge: one more bin
        count += 1
    edges = np.arange(count + 1) * step
    base_counts = np.histogram(baseline, bins=edges)[0]
    draft_counts = np.histogram(draft, bins=edges)[0]
    return [{"low": float(edges[i]), "high": float(edges[i + 1]),
             "baseline": int(base_counts[i]), "draft": int(draft_counts[i])}
            for i in range(count)]


#: the grouping of the last few label arrays (the cached context's teams, segments, phases
#: are the same arrays from one what-if to the next): id → (the array, names, inverse)
_GROUPINGS: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def grouping(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct labels of ``groups`` (None as ``(none)``) and each KAM's index."""
    known = _GROUPINGS.get(id(groups))
    if known is not None and known[0] is groups:
        return known[1], known[2]
    labels = np.asarray([NONE if g is None else str(g) for g in groups.tolist()], dtype=object)
    names, inverse = np.unique(labels, return_inverse=True)
    if len(_GROUPINGS) >= 16:
        _GROUPINGS.pop(next(iter(_GROUPINGS)))
    _GROUPINGS[id(groups)] = (groups, names, inverse)
    return names, inverse


def cost_by(groups: np.ndarray, baseline: np.ndarray, draft: np.ndarray,
            labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Cost per group (``groups``: one id per KAM, None for unknown), largest draft cost
    first (ties by id); each group's ``label`` is its name in ``labels`` (else its id)."""
    names, inverse = grouping(groups)
    kams = np.bincount(inverse, minlength=len(names))
    base_cost = np.bincount(inverse, weights=baseline, minlength=len(names))
    draft_cost = np.bincount(inverse, weights=draft, minlength=len(names))
    order = np.lexsort((names, -draft_cost))
    labels = labels or {}
    return [{"group": str(names[i]), "label": labels.get(str(names[i]), str(names[i])),
             "kams": int(kams[i]),
             "baseline": round(float(base_cost[i]), 6), "draft": round(float(draft_cost[i]), 6),
             "change": round(float(draft_cost[i] - base_cost[i]), 6)} for i in order]


def capped(ev: Evaluation) -> np.ndarray:
    """KAMs (eligible, not held) whose payout a cap cut: the plan's, its amount cap or a
    component's."""
    cut = ev.plan_capped | ev.amount_capped
    for result in ev.components:
        cut = cut | result.capped
    return cut & ev.eligible & ~ev.held


def under_threshold(ev: Evaluation) -> np.ndarray:
    """KAMs (eligible, not held) with a paying component that has data and pays nothing
    for its value (below the curve's threshold or the first paying tier)."""
    under = np.zeros(ev.size, dtype=bool)
    for result in ev.components:
        scored = result.treatment == Treatment.SCORED
        under = under | (scored & (result.raw_factor == 0) & (result.weight > 0))
    return under & ev.eligible & ~ev.held


def crossings(base: Evaluation, draft: Evaluation) -> dict[str, dict[str, int]]:
    """How many KAMs are capped and under a threshold under each plan, and how many the
    draft moves across either line."""
    out = {}
    for name, test in (("capped", capped), ("under_threshold", under_threshold)):
        before, after = test(base), test(draft)
        out[name] = {"baseline": int(before.sum()), "draft": int(after.sum()),
                     "newly": int((after & ~before).sum()),
                     "no_longer": int((before & ~after).sum())}
    return out


def variant_ids(ev: Evaluation) -> np.ndarray:
    """The id of the variant each KAM is scored under (``default``: the plan as written)."""
    ids = np.asarray(ev.ruleset.variant_ids, dtype=object)
    return ids[ev.variant.astype(np.intp)]


def breakdown(ctx_kams: Any, base: Evaluation, draft: Evaluation, *, bins: int = 10,
              team_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The histogram, the cost by team (labelled with ``team_names``: code → name), segment,
    lifecycle phase and (draft) variant (labelled with its title), and the crossings (see
    the module)."""
    base_pay, draft_pay = base.payout, draft.payout
    return {
        "histogram": histogram(base_pay[base.eligible], draft_pay[draft.eligible], bins=bins),
        "by": {
            "team": cost_by(ctx_kams.teams, base_pay, draft_pay,
                            {NONE: NO_TEAM, **(team_names or {})}),
            "segment": cost_by(ctx_kams.segments, base_pay, draft_pay),
            "lifecycle_phase": cost_by(ctx_kams.phases, base_pay, draft_pay),
            "variant": cost_by(variant_ids(draft), base_pay, draft_pay,
                               variant_titles(draft.ruleset)),
        },
        "crossings": crossings(base, draft),
    }
