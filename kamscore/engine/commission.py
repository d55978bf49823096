"""Commission components for the whole population: rate x amount, in the plan's currency.

``score_commission`` is the commission counterpart of ``component_step.score_component``:

1. the commission from the table (``rated``): ``flat`` pays the whole amount at the rate of
   the tier reached, ``marginal`` each slice at its own tier's rate; the tiers are measured
   on the amount, or on the attainment of another component (the slice between attainments
   a and b is the amount between a x quota and b x quota, with quota = amount / attainment);
   ``rating: period`` rates the period total once, ``rating: transaction`` rates each item on
   its own and sums per KAM (``np.bincount``, no per-KAM loop);
2. no amount (or no attainment) → the component's missing-data treatment (exclude and zero
   both pay 0 — a commission has no weight to spread — hold holds the KAM);
3. x its modifiers;
4. its accelerator gates: where one fails, the part above what the base rate pays is
   multiplied by the gate's ``otherwise``;
5. x ``otherwise`` of each of its (whole) gates that failed.

Never prorated by eligible days: the amount already holds only what was credited to the KAM
(assignments count their own days).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kamscore.engine.inputs import Items, MetricValues
from kamscore.engine.model import Basis, Commission, Missing, RatingUnit, TierMode
from kamscore.engine.results import ComponentResult, Treatment
from kamscore.engine.transforms import NO_SEGMENT

_CODES = {Missing.EXCLUDE: Treatment.EXCLUDED, Missing.ZERO: Treatment.ZERO,
          Missing.HOLD: Treatment.HELD, Missing.AT_TARGET: Treatment.ZERO}


def _bounds(spec: Commission) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lowers = np.array([t.lower for t in spec.tiers])
    uppers = np.array([t.upper for t in spec.tiers])
    rates = np.array([t.rate for t in spec.tiers])
    return lowers, uppers, rates


def tier_of(spec: Commission, x: np.ndarray) -> np.ndarray:
    """Index of the tier ``x`` is in (-1 below the first); a boundary belongs to the
    higher tier."""
    lowers, _, _ = _bounds(spec)
    return np.searchsorted(lowers, x, side="right") - 1


def _on_table(spec: Commission, x: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """flat: the rate of the tier reached; marginal: Σ rate x the slice of ``x`` in each
    tier. NaN stays NaN."""
    lowers, uppers, _ = _bounds(spec)
    if spec.mode is TierMode.FLAT:
        index = tier_of(spec, x)
        paid = np.concatenate((rates, [0.0]))  # index -1 (below) reads the 0 at the end
        return paid[index] + x * 0.0
    total = np.zeros(x.shape)
    for lower, upper, rate in zip(lowers, uppers, rates, strict=True):
        total = total + rate * np.clip(x - lower, 0.0, upper - lower)
    return total


def rated(spec: Commission, amount: np.ndarray, attainment: np.ndarray | None,
          rates: np.ndarray) -> np.ndarray:
    """The commission on ``amount`` (per KAM, or per item) with the tiers' ``rates``."""
    table = _on_table(spec, amount if spec.basis is Basis.AMOUNT else attainment, rates)
    if spec.basis is Basis.AMOUNT:
        return amount * table if spec.mode is TierMode.FLAT else table
    assert attainment is not None
    if spec.mode is TierMode.FLAT:
        return amount * table
    with np.errstate(divide="ignore", invalid="ignore"):
        paid = amount / attainment * table
    no_data = np.isnan(attainment) | np.isnan(amount)
    return np.where(no_data, np.nan, np.where(attainment > 0, paid, 0.0))


def commission_of(spec: Commission, given: MetricValues, attainment: np.ndarray | None,
                  size: int, *, base: bool = False) -> np.ndarray:
    """Per KAM: the commission (NaN where the amount, or the attainment, has no data);
    ``base``: with every rate at most the base rate (what an accelerator gate leaves)."""
    _, _, rates = _bounds(spec)
    if base:
        rates = np.minimum(rates, spec.base_rate)
    amount = given.value
    if spec.rating is RatingUnit.PERIOD:
        return rated(spec, amount, attainment, rates)
    items = given.items
    assert items is not None
    each = rated(spec, items.value, None, rates)
    total = np.bincount(items.owner, weights=np.nan_to_num(each), minlength=size)
    return np.where(np.isnan(amount), np.nan, total)


def segment_of(spec: Commission, given: MetricValues, attainment: np.ndarray | None
               ) -> np.ndarray:
    """The tier reached (period rating), ``len(tiers)`` for "each transaction rated on its
    own", ``NO_SEGMENT`` without data."""
    measured = given.value if spec.basis is Basis.AMOUNT else attainment
    assert measured is not None
    if spec.rating is RatingUnit.TRANSACTION:
        found = np.full(len(measured), len(spec.tiers))
    else:
        found = tier_of(spec, measured)
    return np.where(np.isnan(measured) | np.isnan(given.value), NO_SEGMENT,
                    found).astype(np.int16)


def score_commission(component_id: str, specs: list[Commission], missing: list[Missing],
                     variant: np.ndarray, given: MetricValues,
                     attainments: Mapping[str, np.ndarray], multiplier: np.ndarray | None,
                     accelerator: np.ndarray | None, gate_factor: np.ndarray | None
                     ) -> tuple[ComponentResult, np.ndarray | None]:
    """One commission component over the population (``specs``/``missing`` by variant);
    returns its result and where it holds the KAM (None: nowhere)."""
    size = len(variant)
    full = np.full(size, np.nan)
    kept = np.full(size, np.nan)
    tier = np.full(size, NO_SEGMENT, dtype=np.int16)
    for spec in dict.fromkeys(specs):
        uses = np.array([s == spec for s in specs])[variant]
        attainment = attainments.get(spec.attainment) if spec.attainment else None
        full = np.where(uses, commission_of(spec, given, attainment, size), full)
        if accelerator is not None:
            kept = np.where(uses, commission_of(spec, given, attainment, size, base=True),
                            kept)
        tier = np.where(uses, segment_of(spec, given, attainment), tier).astype(np.int16)
    no_data = np.isnan(full)
    codes = np.asarray([_CODES[m] for m in missing], dtype=np.int8)[variant]
    treatment = np.where(no_data, codes, Treatment.SCORED).astype(np.int8)
    paid: Any = np.where(no_data, 0.0, full)
    if multiplier is not None:
        paid = paid * multiplier
    if accelerator is not None:
        base_paid = np.where(no_data, 0.0, kept) * (1.0 if multiplier is None else multiplier)
        paid = base_paid + accelerator * (paid - base_paid)
    if gate_factor is not None:
        paid = paid * gate_factor
    with np.errstate(divide="ignore", invalid="ignore"):  # the effective rate paid
        rate = np.where((given.value != 0) & ~no_data, paid / given.value, np.nan)
    zero = np.zeros(size)
    no = np.zeros(size, dtype=bool)
    result = ComponentResult(
        id=component_id, value=given.value,
        n=given.n if given.n is not None else np.full(size, np.nan), treatment=treatment,
        raw_factor=rate, multiplier=np.ones(size) if multiplier is None else multiplier,
        gate_factor=np.ones(size) if gate_factor is None else gate_factor, factor=zero,
        capped=no, floored=no, weight=zero, weighted=zero, transforms=tuple(specs),
        variant=variant, commission=paid, tier=tier,
        accelerator=np.ones(size) if accelerator is None else accelerator,
    )
    held = no_data & (treatment == Treatment.HELD)
    return result, held if held.any() else None


def check_items(component_id: str, items: Items | None, size: int) -> list[str]:
    """Problems with the items of a component that rates each transaction."""
    if items is None:
        return [f"component {component_id!r} rates each transaction: its metric values "
                "need their items (the transactions)"]
    if items.owner.shape != items.value.shape or items.owner.ndim != 1:
        return [f"the items of component {component_id!r} must be two aligned 1-D arrays"]
    if len(items) and (items.owner.min() < 0 or items.owner.max() >= size):
        return [f"the items of component {component_id!r} name KAMs outside the population"]
    return []
