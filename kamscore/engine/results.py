"""What the engine returns: every intermediate number, per KAM, as arrays.

An ``Evaluation`` holds the whole population's results column by column (numpy arrays in
population order). It carries everything a statement needs — for each KAM and component the
metric value, the segment or tier that applied, the factor before and after gates, modifiers,
caps and floors, the weight after reweighting, the contribution; each gate's outcome; the
variant chosen; eligibility and proration; the target; the payout before and after rounding —
and ``statement(i)`` turns one KAM's column entries into a readable ``KamStatement``
(``engine.statement``). ``statement_columns()`` gives every KAM's statement as columns at
once (``engine.statement_columns``), rendering one KAM's on demand — what a score run stores.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from kamscore.engine.rounding import split_minor, to_decimal
from kamscore.engine.transforms import NO_SEGMENT, segment

if TYPE_CHECKING:
    from kamscore.engine.model import Ruleset, Transform
    from kamscore.engine.statement import KamStatement
    from kamscore.engine.statement_columns import StatementColumns


#: KAMs worked on at a time where a whole-population step would otherwise make arrays larger
#: than the CPU's cache (8 bytes x 4,096 = 32 KB a float array): the cost per KAM then stays
#: the same from 1,000 to 100,000 KAMs.
SLICE = 4096


def slices(size: int) -> Iterator[slice]:
    """``slice(0, SLICE), slice(SLICE, 2 * SLICE), ...`` covering ``range(size)``."""
    step = SLICE
    for start in range(0, size, step):
        yield slice(start, min(size, start + step))


class Treatment(enum.IntEnum):
    """What happened to a component for one KAM (stored as int8 codes)."""

    SCORED = 0  # the metric had a value; the transform gave the factor
    EXCLUDED = 1  # no data: left out, the other components reweighted
    ZERO = 2  # no data: paid a factor of 0
    AT_TARGET = 3  # no data: paid the factor at target
    HELD = 4  # no data: the KAM is held for review
    NOT_PAID = 5  # a weight-0 component (information, gates) under this KAM's variant

    @property
    def label(self) -> str:
        return {
            0: "scored",
            1: "no data: excluded, other components reweighted",
            2: "no data: paid at zero",
            3: "no data: paid at target",
            4: "no data: held for review",
            5: "not paid under this variant (weight 0)",
        }[self.value]


class Status(enum.IntEnum):
    PAID = 0
    INELIGIBLE = 1
    HELD = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class Ineligibility(enum.IntEnum):
    ELIGIBLE = 0
    ROLE = 1  # the KAM's role is not among the eligible roles
    DAYS = 2  # fewer eligible days than the minimum


@dataclass(frozen=True, eq=False)
class ComponentResult:
    """One component over the whole population. Arrays that are the same for every KAM
    may be read-only broadcast views (``np.broadcast_to``): index them, never write."""

    id: str
    value: np.ndarray  # the metric value (float; NaN = no data)
    n: np.ndarray  # responses behind the value (NaN where not given)
    treatment: np.ndarray  # int8 Treatment codes
    raw_factor: np.ndarray  # the transform's factor (NaN where no data); for a commission,
    # the effective rate it pays: commission / amount
    multiplier: np.ndarray  # product of the component's modifiers (1.0 = none)
    gate_factor: np.ndarray  # product of its failed gates' `otherwise` (1.0 = all passed)
    factor: np.ndarray  # after treatment, modifiers, floor/cap, gates
    capped: np.ndarray  # bool: the cap cut the factor
    floored: np.ndarray  # bool: the floor raised the factor
    weight: np.ndarray  # the variant's weight, fraction of the plan
    weighted: np.ndarray  # weight * factor, before reweighting
    transforms: tuple[Transform | None, ...] = field(default=(), repr=False)  # by variant
    variant: np.ndarray | None = field(default=None, repr=False)
    excluded: np.ndarray | None = field(default=None, repr=False)  # bool; None: nobody
    scale: np.ndarray | None = field(default=None, repr=False)  # reweighting; None: 1
    # what a failed accelerator gate keeps of the part above target (1.0: all; None: no
    # accelerator gate on this component)
    accelerator: np.ndarray | None = field(default=None, repr=False)
    # a commission component: the money it pays (rate x amount, after its gates; None for a
    # component paid as a share of the target) and the tier reached
    commission: np.ndarray | None = field(default=None, repr=False)
    tier: np.ndarray | None = field(default=None, repr=False)

    @cached_property
    def effective_weight(self) -> np.ndarray:
        """The weight after exclude-and-reweight (0 where the component was excluded)."""
        if self.scale is None:
            return self.weight
        weight = self.weight * self.scale
        return weight if self.excluded is None else weight * ~self.excluded

    @cached_property
    def contribution(self) -> np.ndarray:
        """effective_weight * factor: what the component adds to the score."""
        return self.weighted if self.scale is None else self.weighted * self.scale

    @cached_property
    def segment(self) -> np.ndarray:
        """int16 per KAM: the curve segment, tier or lookup entry of his variant's transform
        that applied (``transforms.NO_SEGMENT`` where there was no data). Worked out
        ``SLICE`` KAMs at a time (see ``slices``)."""
        if self.tier is not None:
            return self.tier
        size = len(self.value)
        distinct = list(dict.fromkeys(t for t in self.transforms if t is not None))
        if not distinct:
            return np.full(size, NO_SEGMENT, dtype=np.int16)
        single = len(distinct) == 1 and all(t is not None for t in self.transforms)
        uses = {}
        if not single:
            assert self.variant is not None
            uses = {id(t): np.array([u == t for u in self.transforms]) for t in distinct}
        found = np.empty(size, dtype=np.int16)
        for part in slices(size):
            value, raw = self.value[part], self.raw_factor[part]
            if single:
                found[part] = segment(distinct[0], value, raw)
                continue
            here = np.full(len(value), NO_SEGMENT, dtype=np.int16)
            variant = self.variant[part]  # type: ignore[index]
            for transform in distinct:
                here = np.where(uses[id(transform)][variant], segment(transform, value, raw),
                                here)
            found[part] = here
        return found


@dataclass(frozen=True, eq=False)
class GateResult:
    id: str
    passed: np.ndarray  # bool, after the if_missing rule
    missing: np.ndarray  # bool: a value the gate reads had no data


@dataclass(frozen=True, eq=False)
class ModifierResult:
    id: str
    value: np.ndarray  # the multiplier applied (1.0 where `when` did not hold)
    applied: np.ndarray  # bool: `when` held and the multiplier could be computed
    missing: np.ndarray  # bool: `when` held but the multiplier had no data (1.0 used)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The result of ``evaluate``: one entry per KAM in each array (population order)."""

    ruleset: Ruleset
    codes: np.ndarray
    attributes: Mapping[str, np.ndarray]  # the population's attribute arrays
    variant: np.ndarray  # int16 index into ruleset.variant_ids (0 = default)
    eligible: np.ndarray  # bool
    ineligibility: np.ndarray  # int8 Ineligibility
    proration: np.ndarray  # eligible days / period days (1.0 when not prorated)
    target: np.ndarray  # target incentive for the period (NaN: none could be found)
    components: tuple[ComponentResult, ...]
    gates: tuple[GateResult, ...]
    modifiers: tuple[ModifierResult, ...]
    score: np.ndarray  # sum of contributions (weighted factor)
    plan_multiplier: np.ndarray  # product of plan-level modifiers
    plan_gate_factor: np.ndarray  # product of failed plan gates' `otherwise`
    final_factor: np.ndarray  # score after plan modifiers, floor/cap and gates
    plan_capped: np.ndarray
    plan_floored: np.ndarray
    amount: np.ndarray  # unrounded payout: target * final_factor * proration, amount cap
    amount_capped: np.ndarray
    held: np.ndarray  # bool: held for review (payout withheld, 0)
    no_component_data: np.ndarray  # bool: every paying component was excluded (held)
    status: np.ndarray  # int8 Status
    payout_minor: np.ndarray  # int64 rounded payout in minor units (0 unless paid)
    # the commissions in ``amount`` (after plan gates; None: the plan has no commission)
    commission: np.ndarray | None = None
    ramp: np.ndarray | None = None  # the ramp factor of each KAM (None: the plan has none)

    @cached_property
    def part_minor(self) -> Mapping[str, np.ndarray]:
        """The rounded payout split by part (individual, team); the parts add up exactly."""
        return self._split("part")

    @cached_property
    def horizon_minor(self) -> Mapping[str, np.ndarray]:
        """The rounded payout split by horizon (short_term, long_term)."""
        return self._split("horizon")

    def _split(self, axis: str) -> dict[str, np.ndarray]:
        """In proportion to the contributions (to the effective weights where nothing
        contributed), with cumulative rounding so the parts add up to the payout. Worked out
        ``SLICE`` KAMs at a time (see ``slices``)."""
        groups: dict[str, list[ComponentResult]] = {}
        for component, result in zip(self.ruleset.components, self.components, strict=True):
            groups.setdefault(str(getattr(component, axis)), []).append(result)
        names = sorted(groups)
        found = {name: np.empty(self.size, dtype=np.int64) for name in names}
        for part in slices(self.size):
            zero = np.zeros(part.stop - part.start)
            contributions = [sum((r.contribution[part] for r in groups[g]), zero)
                             for g in names]
            if self.commission is not None:  # in money: the bonus by contribution, commissions
                with np.errstate(divide="ignore", invalid="ignore"):
                    score = self.score[part]
                    bonus = np.where(score > 0, np.maximum(
                        self.amount[part] - self.commission[part], 0.0) / score, 0.0)
                contributions = [
                    c * bonus + sum((r.commission[part] for r in groups[g]
                                     if r.commission is not None), zero)
                    * self.plan_gate_factor[part]
                    for c, g in zip(contributions, names, strict=True)]
            weights = [sum((r.effective_weight[part] for r in groups[g]), zero) for g in names]
            anything = sum(contributions, zero) > 0
            shares = [np.where(anything, c, w)
                      for c, w in zip(contributions, weights, strict=True)]
            for name, minor in zip(names, split_minor(self.payout_minor[part], shares),
                                   strict=True):
                found[name][part] = minor
        return found

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def payout(self) -> np.ndarray:
        """Rounded payouts as floats (for sums and charts; use ``payout_decimal`` for money)."""
        return self.payout_minor / 10 ** self.ruleset.rounding.decimals

    def payout_decimal(self, index: int) -> Decimal:
        return to_decimal(int(self.payout_minor[index]), self.ruleset.rounding)

    @property
    def total_minor(self) -> int:
        return int(self.payout_minor.sum())

    @property
    def total(self) -> Decimal:
        return to_decimal(self.total_minor, self.ruleset.rounding)

    def component(self, component_id: str) -> ComponentResult:
        for result in self.components:
            if result.id == component_id:
                return result
        raise KeyError(component_id)

    def index_of(self, code: str) -> int:
        matches = np.flatnonzero(self.codes == code)
        if not len(matches):
            raise KeyError(code)
        return int(matches[0])

    def statement(self, index: int) -> KamStatement:
        """The explanation of one KAM's payout (see ``engine.statement``)."""
        from kamscore.engine.statement import build_statement

        return build_statement(self, index)

    def statement_columns(self) -> StatementColumns:
        """Every KAM's statement, column-wise (see ``engine.statement_columns``)."""
        from kamscore.engine.statement_columns import statement_columns

        return statement_columns(self)

    def statements(self) -> Iterator[KamStatement]:
        for index in range(self.size):
            yield self.statement(index)
