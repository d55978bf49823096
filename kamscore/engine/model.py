"""The ruleset model: an incentive plan as frozen dataclasses.

A ``Ruleset`` is what the loader (``engine.loader``) makes of a validated YAML file and what
the engine (``engine.evaluate``) applies to a population. Everything here is plain,
immutable data, so a ruleset can be shared between threads, hashed by its source and compared
field by field (``kamscore ruleset diff`` works on this model, not on the YAML text).

Conventions (the analyst-facing explanation is docs/rulesets.md):

- weights are stored as fractions of the plan (``0.4`` for "40 %"); the YAML states them in
  percent;
- factors are fractions of target (``1.0`` pays the target incentive, ``1.5`` pays 150 %);
- a tier covers ``[lower, upper)``: a value exactly on a boundary belongs to the higher tier;
- variants are stored fully resolved: ``Variant.scoring`` has the scoring of *every*
  component under that variant, so the engine never merges overrides at evaluation time.
  ``Ruleset.base`` is the scoring used when no variant matches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kamscore.engine.model_terms import (
    STANDARD_ATTRIBUTES as STANDARD_ATTRIBUTES,
)
from kamscore.engine.model_terms import (
    AttributeType as AttributeType,
)
from kamscore.engine.model_terms import (
    Basis as Basis,
)
from kamscore.engine.model_terms import (
    GateBlocks as GateBlocks,
)
from kamscore.engine.model_terms import (
    GateMissing as GateMissing,
)
from kamscore.engine.model_terms import (
    Horizon as Horizon,
)
from kamscore.engine.model_terms import (
    Missing as Missing,
)
from kamscore.engine.model_terms import (
    Part as Part,
)
from kamscore.engine.model_terms import (
    PeriodKind as PeriodKind,
)
from kamscore.engine.model_terms import (
    RampOn as RampOn,
)
from kamscore.engine.model_terms import (
    RatingUnit as RatingUnit,
)
from kamscore.engine.model_terms import (
    RoundingMode as RoundingMode,
)
from kamscore.engine.model_terms import (
    TierMode as TierMode,
)

if TYPE_CHECKING:
    from kamscore.engine.expressions import Expression


@dataclass(frozen=True)
class Rounding:
    """Money is rounded once, at the end, to a multiple of ``step`` with ``mode``."""

    step: Decimal = Decimal("0.01")
    mode: RoundingMode = RoundingMode.HALF_EVEN

    @property
    def decimals(self) -> int:
        """Decimal places of the step (0.05 -> 2); rounded amounts have this many."""
        exponent = self.step.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        return max(0, -exponent)


# -- transforms: metric value -> payout factor ---------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    value: float
    factor: float
    label: str | None = None  # threshold, target, excellence, cap, or any name


@dataclass(frozen=True)
class Curve:
    """Piecewise-linear: ``below`` under the first point, linear between points, the last
    point's factor from there on (the cap)."""

    points: tuple[CurvePoint, ...]
    below: float = 0.0

    def segment_label(self, segment: int) -> str:
        """Names the segment ``segment`` as returned by the engine (-1 = below the first
        point, k = from point k to point k+1, last index = at or above the last point)."""
        names = [p.label or f"{p.value:g}" for p in self.points]
        if segment < 0:
            return f"below {names[0]}"
        if segment >= len(self.points) - 1:
            return f"at or above {names[-1]}"
        return f"{names[segment]} to {names[segment + 1]}"

    @property
    def target_factor(self) -> float:
        for point in self.points:
            if point.label == "target":
                return point.factor
        return 1.0


@dataclass(frozen=True)
class Tier:
    """Covers values in ``[lower, upper)``; ``upper`` is ``inf`` for the open last tier."""

    lower: float
    upper: float
    rate: float
    label: str | None = None

    def describe(self) -> str:
        upper = "and above" if math.isinf(self.upper) else f"to below {self.upper:g}"
        name = f"{self.label}: " if self.label else ""
        return f"{name}{self.lower:g} {upper}"


@dataclass(frozen=True)
class TierTable:
    mode: TierMode
    tiers: tuple[Tier, ...]
    below: float = 0.0  # factor for a value under the first tier

    def segment_label(self, segment: int) -> str:
        if segment < 0:
            return f"below the first tier ({self.tiers[0].lower:g})"
        return f"tier {segment + 1} ({self.tiers[segment].describe()})"

    @property
    def target_factor(self) -> float:
        return 1.0


@dataclass(frozen=True)
class Lookup:
    """Exact values (categories coded as numbers, or text) -> factor."""

    entries: tuple[tuple[float | str, float], ...]
    default: float | None = None  # None: a value not in the table counts as missing data

    def segment_label(self, segment: int) -> str:
        if segment < 0 or segment >= len(self.entries):
            return "not in the table (default)"
        key = self.entries[segment][0]
        return f"{key:g}" if isinstance(key, float) else str(key)

    @property
    def target_factor(self) -> float:
        return 1.0


@dataclass(frozen=True)
class Formula:
    """An expression computes the factor (``value`` is the component's metric value)."""

    expression: Expression

    def segment_label(self, segment: int) -> str:
        return f"formula {self.expression.source}"

    @property
    def target_factor(self) -> float:
        return 1.0


@dataclass(frozen=True)
class Commission:
    """A commission: ``rate`` x amount in the plan's currency, not a share of a target.

    ``tiers`` carry rates (fractions of the amount: 0.03 pays 3 %). ``flat``: the whole amount
    at the rate of the tier reached; ``marginal``: each slice of the amount at its own tier's
    rate. ``basis`` says where the tier boundaries are measured: on the amount itself, or on
    the attainment given by component ``attainment`` (then the slice between attainments a
    and b is the amount between a and b times the quota, quota = amount / attainment).
    ``rating``: rate the period total once, or each transaction (item) on its own and sum.
    ``base_rate``: the highest rate paid while an accelerator gate fails (default: the first
    tier's rate)."""

    mode: TierMode
    tiers: tuple[Tier, ...]
    basis: Basis = Basis.AMOUNT
    attainment: str | None = None
    rating: RatingUnit = RatingUnit.PERIOD
    base_rate: float = 0.0

    def segment_label(self, segment: int) -> str:
        if segment < 0:
            return f"below the first tier ({self.tiers[0].lower:g})"
        if segment >= len(self.tiers):
            return "each transaction rated on its own"
        tier = self.tiers[segment]
        return f"tier {segment + 1} ({tier.describe()}) at {tier.rate * 100:.4g} %"

    @property
    def target_factor(self) -> float:
        return 1.0


Transform = Curve | TierTable | Lookup | Formula | Commission


@dataclass(frozen=True)
class Scoring:
    """How one component scores under one variant."""

    weight: float  # fraction of the plan (0.4 = 40 %); 0 = computed but not paid
    transform: Transform | None  # None only for weight-0 (information or gate) components
    missing: Missing = Missing.EXCLUDE
    cap: float | None = None  # the factor never exceeds this
    floor: float = 0.0  # ... and never goes below this

    @property
    def target_factor(self) -> float:
        """The factor paid under ``missing: at_target``."""
        return self.transform.target_factor if self.transform is not None else 1.0


@dataclass(frozen=True)
class Component:
    id: str
    metric: str
    title: str
    params: Mapping[str, Any]
    part: Part
    horizon: Horizon
    scoring: Scoring  # the base plan's; variants may override (see Variant.scoring)
    #: the title's translations by language (``{"en": …, "zh-Hant": …}``; {} when the
    #: ruleset writes a plain text): the engine carries them, a page picks its language
    titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    """Chooses other weights and tables for KAMs whose attributes match ``when``."""

    id: str
    title: str
    when: Expression  # a condition on population attributes
    scoring: Mapping[str, Scoring]  # by component id, every component, resolved
    titles: Mapping[str, str] = field(default_factory=dict)  # see Component.titles


@dataclass(frozen=True)
class Gate:
    """A condition that must hold for a component (or the whole plan, ``applies_to`` empty)
    to pay; when it fails the factor is multiplied by ``otherwise`` (0 = blocked)."""

    id: str
    title: str
    condition: Expression
    applies_to: tuple[str, ...] = ()
    otherwise: float = 0.0
    if_missing: GateMissing = GateMissing.FAIL
    reads: tuple[str, ...] = ()  # component ids whose values the condition reads
    counts: tuple[str, ...] = ()  # component ids whose response counts (n) it reads
    blocks: GateBlocks = GateBlocks.ALL  # accelerator: only the part above target
    titles: Mapping[str, str] = field(default_factory=dict)  # see Component.titles


@dataclass(frozen=True)
class Modifier:
    """Multiplies a component's factor (or the plan's score) by ``factor`` where ``when``
    holds (everywhere when ``when`` is None)."""

    id: str
    title: str
    factor: Expression
    applies_to: tuple[str, ...] = ()
    when: Expression | None = None
    titles: Mapping[str, str] = field(default_factory=dict)  # see Component.titles


@dataclass(frozen=True)
class Eligibility:
    roles: tuple[str, ...] | None = None  # None: every role
    min_days: int = 0  # minimum eligible days in the period
    prorate: bool = True  # pay eligible_days / period_days of the payout


@dataclass(frozen=True)
class TargetRule:
    """The target incentive of a KAM: a fixed amount per period, or a share of the base
    salary earned in the period (annual base / periods per year)."""

    amount: float | None = None
    salary_share: float | None = None

    def describe(self) -> str:
        if self.amount is not None:
            return f"{self.amount:,.2f} per period"
        return f"{self.salary_share:.2%} of the period's base salary"


@dataclass(frozen=True)
class TargetIncentive:
    by: str | None  # None: one rule for everybody; else a text attribute (role, grade)
    rules: Mapping[str, TargetRule] = field(default_factory=dict)
    default: TargetRule | None = None


@dataclass(frozen=True)
class Ramp:
    """A new KAM's target incentive or quota, ramped over his first periods: in his
    ``k``-th period in the role (attribute ``tenure_periods``, 1 = the period he started in)
    the factor is ``factors[k - 1]``; from period ``len(factors) + 1`` on, and where the
    start is unknown, 1."""

    on: RampOn
    factors: tuple[float, ...]
    components: tuple[str, ...] = ()  # on quota: the components whose attainment is ramped


#: The attribute a ramp reads: the KAM's periods in the role, 1 = the period he started in.
TENURE_ATTRIBUTE = "tenure_periods"


@dataclass(frozen=True)
class Limits:
    """Plan-level caps and floors: on the score (a factor) and on the money."""

    cap: float | None = None
    floor: float = 0.0
    cap_amount: float | None = None
    floor_amount: float = 0.0


@dataclass(frozen=True)
class Ruleset:
    name: str
    version: str
    title: str
    description: str
    period: PeriodKind
    currency: str
    rounding: Rounding
    eligibility: Eligibility
    target: TargetIncentive
    components: tuple[Component, ...]
    variants: tuple[Variant, ...] = ()
    gates: tuple[Gate, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    limits: Limits = Limits()
    parameters: Mapping[str, float] = field(default_factory=dict)
    attributes: Mapping[str, AttributeType] = field(
        default_factory=lambda: dict(STANDARD_ATTRIBUTES))
    part_splits: Mapping[Part, float] = field(default_factory=dict)
    horizon_splits: Mapping[Horizon, float] = field(default_factory=dict)
    ramp: Ramp | None = None
    source: str = "<ruleset>"
    #: ``acknowledgment.hold_payouts``: payouts of KAMs who have not acknowledged their plan
    #: document are held (kamscore.scoring.holds)
    hold_unacknowledged: bool = False
    titles: Mapping[str, str] = field(default_factory=dict)  # see Component.titles

    @cached_property
    def base(self) -> Mapping[str, Scoring]:
        """The scoring of each component when no variant applies."""
        return {c.id: c.scoring for c in self.components}

    @property
    def variant_ids(self) -> tuple[str, ...]:
        """Index 0 is the base plan ("default"); variant k is at index k + 1."""
        return ("default", *(v.id for v in self.variants))

    def scoring_of(self, variant_index: int) -> Mapping[str, Scoring]:
        return self.base if variant_index == 0 else self.variants[variant_index - 1].scoring

    @property
    def has_bonus(self) -> bool:
        """Whether any component pays a share of the target incentive (else only
        commissions: the plan needs no target)."""
        return any(s.weight > 0 and not isinstance(s.transform, Commission)
                   for i in range(len(self.variant_ids))
                   for s in self.scoring_of(i).values())

    def is_commission(self, component_id: str) -> bool:
        return isinstance(self.component(component_id).scoring.transform, Commission)

    def component(self, component_id: str) -> Component:
        for component in self.components:
            if component.id == component_id:
                return component
        raise KeyError(component_id)
