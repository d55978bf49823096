"""The numbers and tables a component's scoring is written in: weights, factors, commission
rates, metric values, curves, tier tables and lookups, each checked as it is read (values in
the metric's unit, factors not negative, breakpoints and tiers ordered and contiguous, the
curve running the way the metric's direction says is better).
"""

from __future__ import annotations

import math
from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.engine import units
from kamscore.engine.building import BuildContext
from kamscore.engine.model import Curve, CurvePoint, Lookup, Tier, TierMode, TierTable
from kamscore.engine.reader import ABSENT, describe, parse_quantity, what_of
from kamscore.sentences import N_, Sentence

#: A factor above this (1000 %) is almost certainly a percentage written as a plain number.
MAX_FACTOR = 10.0


def read_weight(ctx: BuildContext, path: KeyPath, raw: Any) -> float | None:
    """A weight in percent: ``40`` or ``40%`` -> 0.4 (a fraction of the plan)."""
    if raw is ABSENT:
        return None
    quantity = parse_quantity(raw)
    if quantity is None or quantity.unit == "points":
        ctx.reader.problem(path, N_("expected a weight in percent (like 40 or 40%%), found "
                                    "%(found)s", found=describe(raw)))
        return None
    weight = quantity.value if quantity.unit == "ratio" else quantity.value / 100.0
    if not 0 <= weight <= 1:
        ctx.reader.problem(path, N_("a weight must be between 0 and 100 %%, found %(found)s",
                                    found=quantity.written))
        return None
    return weight


A_FACTOR = N_("a factor")


def factor(ctx: BuildContext, path: KeyPath, raw: Any,
           what: str | Sentence = A_FACTOR) -> float | None:
    """A factor (1.0 or 100% pays the target), 0 to 10; a plain number above 10 is taken
    for a percentage written without ``%``."""
    quantity = parse_quantity(raw)
    if quantity is not None and quantity.unit is None and MAX_FACTOR < quantity.value <= 1000:
        ctx.reader.problem(path, N_("%(what)s of %(written)s would pay %(percent)s %% of "
                                    "target; write %(written)s%% (= %(share)s) for "
                                    "%(written)s %%", what=what_of(what),
                                    written=quantity.written,
                                    percent=f"{quantity.value * 100:g}",
                                    share=f"{quantity.value / 100:g}"))
        return None
    return ctx.reader.number(path, raw, what=what, minimum=0.0, maximum=MAX_FACTOR)


def commission_rate(ctx: BuildContext, path: KeyPath, raw: Any) -> float | None:
    """A commission rate: a share of the amount, 0 to 100 % (``3%`` or ``0.03``)."""
    quantity = parse_quantity(raw)
    if quantity is not None and quantity.unit is None and 1 < quantity.value <= 100:
        ctx.reader.problem(path, N_("a commission rate of %(written)s would pay %(percent)s "
                                    "%% of the amount; write %(written)s%% (= %(share)s) for "
                                    "%(written)s %%", written=quantity.written,
                                    percent=f"{quantity.value * 100:g}",
                                    share=f"{quantity.value / 100:g}"))
        return None
    return ctx.reader.number(path, raw, what=N_("a commission rate (a share of the amount)"),
                             minimum=0.0, maximum=1.0)


def metric_value(ctx: BuildContext, path: KeyPath, raw: Any, unit: str | None) -> float | None:
    """A number in the metric's unit (``0.8``, ``80%``), checked against the unit rules."""
    quantity = ctx.reader.quantity(path, raw, what=N_("a metric value"))
    if quantity is None:
        return None
    problem = units.literal_problem(unit, quantity.value, quantity.unit, quantity.written)
    if problem:
        ctx.reader.problem(path, problem)
        return None
    return quantity.value


def read_curve(ctx: BuildContext, path: KeyPath, raw: Any, unit: str | None,
           direction: str) -> Curve | None:
    data = ctx.reader.mapping(path, raw, required=("points",), optional=("below",),
                              what=N_("a curve (a mapping with points)"))
    if data is None:
        return None
    items = ctx.reader.sequence((*path, "points"), data.get("points"), what=N_("a list of points"))
    if items is None:
        return None
    points: list[CurvePoint] = []
    ok = True
    for index, item in enumerate(items):
        here = (*path, "points", index)
        point = ctx.reader.mapping(here, item, required=("at", "pays"), optional=("label",),
                                   what=N_("a point (at, pays, label)"))
        if point is None:
            ok = False
            continue
        at = metric_value(ctx, (*here, "at"), point.get("at"), unit) if "at" in point else None
        pays = factor(ctx, (*here, "pays"), point.get("pays")) if "pays" in point else None
        label = point.get("label")
        if label is not None and not isinstance(label, str):
            ctx.reader.problem((*here, "label"), N_("expected a text, found %(found)s",
                                                    found=describe(label)))
            ok = False
        if at is None or pays is None:
            ok = False
            continue
        if points and at <= points[-1].value:
            ctx.reader.problem((*here, "at"),
                               N_("breakpoints must be in increasing order of value: %(at)s is "
                                  "not above the previous point's %(previous)s", at=f"{at:g}",
                                  previous=f"{points[-1].value:g}"))
            ok = False
        if label is not None and any(p.label == label for p in points):
            ctx.reader.problem((*here, "label"), N_("duplicate label %(label)s",
                                                    label=repr(label)))
            ok = False
        points.append(CurvePoint(at, pays, label))
    if ok and len(points) < 2:
        ctx.reader.problem((*path, "points"), N_("a curve needs at least two points (for a "
                                                 "single step use tiers)"))
        ok = False
    below = 0.0
    if "below" in data:
        read = factor(ctx, (*path, "below"), data["below"], N_("the factor below the first point"))
        ok = ok and read is not None
        below = read if read is not None else below
    if ok:
        ok = _check_direction(ctx, path, "points", "pays", [p.factor for p in points],
                              direction, below_given="below" in data, below=below)
    return Curve(tuple(points), below) if ok else None


def _check_direction(ctx: BuildContext, path: KeyPath, rows: str, key: str,
                     factors: list[float], direction: str, *, below_given: bool,
                     below: float) -> bool:
    """A curve or table must pay more for a better value (the metric's direction)."""
    higher = direction != "lower"
    for index in range(1, len(factors)):
        worse = factors[index] < factors[index - 1] if higher else (
            factors[index] > factors[index - 1])
        if worse:
            values = {"pays": f"{factors[index]:g}", "after": f"{factors[index - 1]:g}"}
            ctx.reader.problem((*path, rows, index, key), N_(
                "pays %(pays)s after %(after)s: for this metric a higher value is better, so "
                "the factor must not fall as the value rises", **values) if higher else N_(
                "pays %(pays)s after %(after)s: for this metric a lower value is better, so "
                "the factor must not rise as the value rises", **values))
            return False
    if higher and below > factors[0]:
        ctx.reader.problem((*path, "below"), N_("pays %(below)s below the first point but "
                                                "%(first)s at it; a higher value is better",
                                                below=f"{below:g}", first=f"{factors[0]:g}"))
        return False
    if not higher and not below_given:
        ctx.reader.problem(path, N_("for a metric where lower is better, state `below` (the "
                                    "factor paid for values under the first point, the best "
                                    "ones)"))
        return False
    return True


def read_tiers(ctx: BuildContext, path: KeyPath, raw: Any, unit: str | None,
           direction: str) -> TierTable | None:
    data = ctx.reader.mapping(path, raw, required=("mode", "rows"), optional=("below",),
                              what=N_("a tier table (mode, rows)"))
    if data is None:
        return None
    mode = ctx.reader.choice((*path, "mode"), data.get("mode"), [m.value for m in TierMode])
    if mode is None:
        return None
    return read_tier_rows(ctx, path, data, mode, unit, direction,
                          "rate" if mode == TierMode.MARGINAL else "pays")


def read_tier_rows(ctx: BuildContext, path: KeyPath, data: dict[str, Any], mode: str,
                   unit: str | None, direction: str, amount_key: str, *,
                   commission: bool = False) -> TierTable | None:
    """The ``rows`` of a tier table (or a commission's), checked: ordered, touching."""
    items = ctx.reader.sequence((*path, "rows"), data.get("rows"), what=N_("a list of tiers"))
    if items is None:
        return None
    rows: list[tuple[float, float | None, float, str | None]] = []
    ok = True
    for index, item in enumerate(items):
        here = (*path, "rows", index)
        row = ctx.reader.mapping(here, item, required=("from", amount_key),
                                 optional=("to", "label"),
                                 what=N_("a tier (from, to, %(key)s, label)",
                                         key=amount_key))
        if row is None:
            ok = False
            continue
        lower = metric_value(ctx, (*here, "from"), row["from"], unit) if "from" in row else None
        upper = metric_value(ctx, (*here, "to"), row["to"], unit) if "to" in row else None
        if amount_key not in row:
            amount = None
        elif commission:
            amount = commission_rate(ctx, (*here, amount_key), row[amount_key])
        else:
            amount = factor(ctx, (*here, amount_key), row[amount_key],
                            N_("a rate per unit") if amount_key == "rate" else A_FACTOR)
        label = row.get("label")
        if lower is None or amount is None or ("to" in row and upper is None):
            ok = False
            continue
        if upper is not None and upper <= lower:
            ctx.reader.problem((*here, "to"), N_("the tier ends (%(upper)s) before it starts "
                                                 "(%(lower)s)", upper=f"{upper:g}",
                                                 lower=f"{lower:g}"))
            ok = False
        rows.append((lower, upper, amount, label if isinstance(label, str) else None))
    if not ok:
        return None
    tiers: list[Tier] = []
    for index, (lower, upper, amount, label) in enumerate(rows):
        here = (*path, "rows", index)
        if index + 1 < len(rows):
            following = rows[index + 1][0]
            if following <= lower:
                ctx.reader.problem((*path, "rows", index + 1, "from"),
                                   N_("tiers must be in increasing order: from %(following)s "
                                      "is not above the previous tier's from %(lower)s",
                                      following=f"{following:g}", lower=f"{lower:g}"))
                return None
            if upper is not None and upper > following:
                ctx.reader.problem((*here, "to"), N_("tiers overlap: this tier runs to "
                                                     "%(upper)s but the next one starts at "
                                                     "%(following)s", upper=f"{upper:g}",
                                                     following=f"{following:g}"))
                return None
            if upper is not None and upper < following:
                ctx.reader.problem((*here, "to"), N_("gap between tiers: this tier ends at "
                                                     "%(upper)s but the next one starts at "
                                                     "%(following)s", upper=f"{upper:g}",
                                                     following=f"{following:g}"))
                return None
            upper = following
        elif upper is not None:
            ctx.reader.problem((*here, "to"), N_("the last tier is open-ended: leave out `to` "
                                                 "(a value at or above it would be in no "
                                                 "tier)"))
            return None
        tiers.append(Tier(lower, math.inf if upper is None else upper, amount, label))
    below = 0.0
    if "below" in data:
        read = factor(ctx, (*path, "below"), data["below"], N_("the factor below the first tier"))
        if read is None:
            return None
        below = read
    if mode != TierMode.MARGINAL and not _check_direction(
        ctx, path, "rows", "pays", [t.rate for t in tiers], direction,
        below_given="below" in data, below=below,
    ):
        return None
    return TierTable(TierMode(mode), tuple(tiers), below)


def read_lookup(ctx: BuildContext, path: KeyPath, raw: Any) -> Lookup | None:
    data = ctx.reader.mapping(path, raw, required=("table",), optional=("default",),
                              what=N_("a lookup (table, default)"))
    if data is None:
        return None
    table = data.get("table")
    if not isinstance(table, dict) or not table:
        ctx.reader.problem((*path, "table"), N_("expected a mapping of metric values to "
                                                "factors, found %(found)s",
                                                found=describe(table)))
        return None
    entries: list[tuple[float | str, float]] = []
    ok = True
    for key, value in table.items():
        here = (*path, "table", key if isinstance(key, str | int) else str(key))
        quantity = parse_quantity(key)
        if quantity is None:
            ctx.reader.problem(here, N_("lookup keys are the metric's values (numbers), found "
                                        "%(found)s", found=describe(key)))
            ok = False
            continue
        points = factor(ctx, here, value)
        if points is None:
            ok = False
            continue
        entries.append((quantity.value, points))
    default = None
    if "default" in data:
        default = factor(ctx, (*path, "default"), data["default"])
        ok = ok and default is not None
    return Lookup(tuple(entries), default) if ok else None
