"""What would move a component's factor: the value needed for the next tier or the cap.

Pure: reads a component's scoring (its curve or tier table, cap and floor) and a KAM's
current metric value, and says which value of the metric pays more, and how much more. The
factor at any value is computed by the engine's own transform (``transforms.factor``), so
the answer can never disagree with a run; only the *search* for the next breakpoint is here:

- a **curve**: the next point above the value whose (capped) factor is higher — the
  threshold, the target, the cap point or any named point;
- a **tier table**: the lower bound of the next tier that pays more;
- a scoring **cap** below a point's factor is reached before the point: the value where the
  factor first reaches the cap is found by bisection between the value and the point (exact
  to ``1e-9`` of the metric's range);
- a value at or above the last paying breakpoint: ``at_cap`` (nothing more to earn);
- a decreasing table (lower is better) is searched downwards;
- lookups and formulas: no breakpoints (``None``); no data: ``NextStep`` with ``value`` None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kamscore.engine.model import Curve, Scoring, TierTable
from kamscore.engine.transforms import factor as transform_factor

EPSILON = 1e-12
BISECTIONS = 200


@dataclass(frozen=True)
class NextStep:
    """Where a component stands and the nearest value that pays more."""

    value: float | None  # the current metric value (None: no data)
    factor: float | None  # the factor it earns now (after cap and floor)
    target_value: float | None  # the value needed for the next step (None: none)
    target_factor: float | None  # the factor at that value
    label: str  # "target", "tier 3", "cap", ...; "" when there is no step
    at_cap: bool = False  # the highest factor is earned already

    @property
    def gap(self) -> float | None:
        """How far the value is from the step (positive: more is needed)."""
        if self.value is None or self.target_value is None:
            return None
        return self.target_value - self.value

    @property
    def factor_gain(self) -> float | None:
        if self.factor is None or self.target_factor is None:
            return None
        return self.target_factor - self.factor


def factor_at(scoring: Scoring, value: float) -> float:
    """The factor ``scoring`` pays for ``value``, with its floor and cap."""
    assert scoring.transform is not None
    raw = float(transform_factor(scoring.transform, np.array([value], dtype=float), {})[0])
    raw = max(raw, scoring.floor)
    return min(raw, scoring.cap) if scoring.cap is not None else raw


def _breakpoints(transform: Curve | TierTable) -> list[tuple[float, str]]:
    if isinstance(transform, Curve):
        last = len(transform.points) - 1
        return [(p.value, p.label or ("cap" if i == last else f"point {i + 1}"))
                for i, p in enumerate(transform.points)]
    return [(t.lower, t.label or f"tier {i + 1}") for i, t in enumerate(transform.tiers)]


def _where_cap_is_reached(scoring: Scoring, start: float, end: float, cap: float) -> float:
    """The value between ``start`` (below the cap) and ``end`` (at it) where the factor first
    reaches ``cap``: bisection on the engine's own factor."""
    low, high = start, end
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if factor_at(scoring, middle) >= cap - EPSILON:
            high = middle
        else:
            low = middle
    return high


def next_step(scoring: Scoring, value: float | None) -> NextStep | None:
    """The next step of ``scoring`` from ``value`` (see the module docstring); None when the
    component has no curve or tier table."""
    transform = scoring.transform
    if not isinstance(transform, Curve | TierTable) or scoring.weight == 0:
        return None
    if value is None or not math.isfinite(value):
        return NextStep(None, None, None, None, "")
    now = factor_at(scoring, value)
    points = _breakpoints(transform)
    upwards = [(x, label) for x, label in points if x > value]
    downwards = [(x, label) for x, label in reversed(points) if x < value]
    for candidates in (upwards, downwards):
        for x, label in candidates:
            there = factor_at(scoring, x)
            if there <= now + EPSILON:
                continue
            if scoring.cap is not None and there >= scoring.cap - EPSILON:
                reached = _where_cap_is_reached(scoring, value, x, scoring.cap)
                if not math.isclose(reached, x, rel_tol=1e-9, abs_tol=1e-9):
                    return NextStep(value, now, reached, scoring.cap, "cap")
            return NextStep(value, now, x, there, label)
    return NextStep(value, now, None, None, "", at_cap=True)
