"""Units of metric values, and the rules that catch a number written in the wrong one.

A metric declares its ``unit`` (a plain string). The engine groups units into *dimensions*;
numbers of different dimensions must not be compared, added or put on the same curve. The
rules, concretely (docs/rulesets.md, "Units"):

1. ``ratio``, ``share`` and ``fraction`` are the *ratio* dimension: 1.0 means 100 %. A value
   may be written as a plain number (``0.6``) or a percentage (``60%`` = 0.6). ``share`` and
   ``fraction`` are bounded to 0..1 (a CSAT top-two-box share, a coverage): a threshold above
   1 on them is an error ("60 looks like a percentage: write 0.6 or 60%").
2. ``percent`` values are on a 0..100 scale (62.5 means 62.5 %): a ``%`` literal is refused on
   them (write 62.5, not 62.5%), and values outside 0..100 are errors.
3. ``points`` (and ``score``, ``index``, ``nps``) are scale points; ``5 pts`` is a points
   literal. A ``%`` literal on a points metric is a unit mismatch, so is ``5 pts`` on a ratio.
4. Any other unit (``count``, ``days``, ``EUR``...) is a dimension of its own: only plain
   numbers and values of the same unit go with it.
5. A plain number (no ``%``, no ``pts``) has no unit and goes with anything — except where a
   bounded unit rules it out (rules 1 and 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from kamscore.sentences import N_, Sentence

RATIO = "ratio"
POINTS = "points"


@dataclass(frozen=True)
class UnitInfo:
    unit: str
    dimension: str
    lower: float | None = None
    upper: float | None = None
    accepts_percent_literal: bool = False

    def describe(self) -> str:
        if self.lower is not None and self.upper is not None:
            return f"{self.unit} ({self.lower:g} to {self.upper:g})"
        return self.unit


_KNOWN = {
    "ratio": UnitInfo("ratio", RATIO, accepts_percent_literal=True),
    "share": UnitInfo("share", RATIO, 0.0, 1.0, accepts_percent_literal=True),
    "fraction": UnitInfo("fraction", RATIO, 0.0, 1.0, accepts_percent_literal=True),
    "percent": UnitInfo("percent", "percent", 0.0, 100.0),
    "points": UnitInfo("points", POINTS),
    "score": UnitInfo("score", POINTS),
    "index": UnitInfo("index", POINTS),
    "nps": UnitInfo("nps", POINTS, -100.0, 100.0),
}


def unit_info(unit: str | None) -> UnitInfo | None:
    """What the engine knows of ``unit``; None for a unit-less number."""
    if unit is None:
        return None
    return _KNOWN.get(unit, UnitInfo(unit, unit))


def dimension(unit: str | None) -> str | None:
    info = unit_info(unit)
    return info.dimension if info else None


def compatible(a: str | None, b: str | None) -> bool:
    """Whether values of units ``a`` and ``b`` may be compared or added."""
    return a is None or b is None or dimension(a) == dimension(b)


def literal_problem(metric_unit: str | None, value: float, literal_unit: str | None,
                    written: str) -> Sentence | None:
    """Why a number ``written`` (``value`` after reading ``%``) does not fit a metric whose
    unit is ``metric_unit``; None when it fits."""
    info = unit_info(metric_unit)
    if info is None:
        return None
    if literal_unit == RATIO and not info.accepts_percent_literal:
        return N_("unit mismatch: %(written)s is a percentage but the metric's unit is "
                  "%(unit)s; write a plain number in %(unit)s", written=written, unit=info.unit)
    if literal_unit is not None and not compatible(metric_unit, literal_unit):
        return N_("unit mismatch: %(written)s is in %(literal)s but the metric's unit is "
                  "%(unit)s", written=written, literal=literal_unit, unit=info.unit)
    if info.lower is not None and info.upper is not None and not (
        info.lower <= value <= info.upper
    ):
        hint: Sentence | str = ""
        if info.accepts_percent_literal and 1 < value <= 100:
            hint = N_(": %(written)s looks like a percentage, write %(share)s or %(percent)s%%",
                      written=written, share=f"{value / 100:g}", percent=f"{value:g}")
        return N_("%(written)s is outside the range of the metric's unit %(range)s%(hint)s",
                  written=written, range=info.describe(), hint=hint)
    return None
