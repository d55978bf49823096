"""Rounding money once, exactly, with the ruleset's declared rule.

Binary floats cannot hold most decimal amounts: 2.675 is stored as 2.67499999999999982236431.
Rounding that float "half even to cents" naively gives 2.67, while an analyst (and Python's
``Decimal("2.675")``) expects 2.68. So amounts are rounded in two steps, both on integers:

1. the float amount is taken to whole millionths of the currency unit (``np.rint(x * 1e6)``),
   which removes the binary noise (any amount below 9 billion is exact at that grain);
2. those integer millionths are rounded to a multiple of the step (0.01, 0.05, 1, ...) with
   the declared mode, using integer division and remainder only.

The result is an ``int64`` array of *minor units* (10**-decimals of the currency, e.g. cents),
so sums and comparisons downstream are exact, and ``to_decimal`` gives ``Decimal`` values.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from kamscore.engine.model import Rounding, RoundingMode

MICRO = 1_000_000
#: One cent: amounts in the pay services are quantized to it (``value.quantize(CENT)``).
CENT = Decimal("0.01")


def step_in_micro(step: Decimal) -> int:
    """The step in millionths; the loader refuses steps that are not a whole number of them."""
    micro = step * MICRO
    if micro != micro.to_integral_value() or micro <= 0:
        raise ValueError(f"rounding step {step} must be a positive multiple of 0.000001")
    return int(micro)


def round_to_minor(amounts: np.ndarray, rounding: Rounding) -> np.ndarray:
    """``amounts`` rounded to the step, as int64 minor units (see the module doc)."""
    micro = np.rint(np.asarray(amounts, dtype=float) * MICRO).astype(np.int64)
    sign = np.where(micro < 0, -1, 1).astype(np.int64)
    magnitude = np.abs(micro)
    step = step_in_micro(rounding.step)
    quotient, remainder = np.divmod(magnitude, step)
    twice = 2 * remainder
    if rounding.mode is RoundingMode.HALF_EVEN:
        up = (twice > step) | ((twice == step) & (quotient % 2 == 1))
    elif rounding.mode is RoundingMode.HALF_UP:
        up = twice >= step
    elif rounding.mode is RoundingMode.UP:
        up = remainder > 0
    else:
        up = np.zeros(magnitude.shape, dtype=bool)
    rounded_micro = (quotient + up.astype(np.int64)) * step * sign
    return rounded_micro // (MICRO // 10 ** rounding.decimals)


def to_decimal(minor: int, rounding: Rounding) -> Decimal:
    """One amount in minor units as a Decimal with the step's number of decimals."""
    return Decimal(int(minor)).scaleb(-rounding.decimals)


def split_minor(total: np.ndarray, shares: list[np.ndarray]) -> list[np.ndarray]:
    """Split rounded totals (minor units) into parts proportional to ``shares`` so that the
    parts add up to the total exactly (cumulative rounding: each part is within one minor
    unit of its exact share). Where every share is 0 the parts are 0."""
    stacked = np.vstack([np.asarray(s, dtype=float) for s in shares])
    whole = stacked.sum(axis=0)
    safe = np.where(whole > 0, whole, 1.0)
    cumulative = np.cumsum(stacked, axis=0) / safe * total
    rounded = np.rint(cumulative).astype(np.int64)
    rounded[-1] = np.where(whole > 0, total, 0)
    parts = np.diff(rounded, axis=0, prepend=0)
    return [parts[i] for i in range(len(shares))]
