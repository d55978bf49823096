"""The ruleset model's vocabulary: the enumerations its fields take (period kinds, rounding,
missing data, tier modes, …) and the population attributes every ruleset may use. Imported
by :mod:`kamscore.engine.model`, where every name is also found."""

from __future__ import annotations

import enum
from collections.abc import Mapping


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def per_year(self) -> int:
        """How many such periods make a year (a salary share is of the period's salary)."""
        return {"month": 12, "quarter": 4, "year": 1}[self.value]


class RoundingMode(enum.StrEnum):
    HALF_EVEN = "half_even"  # banker's rounding: 2.665 -> 2.66, 2.675 -> 2.68
    HALF_UP = "half_up"  # halves away from zero: 2.665 -> 2.67
    DOWN = "down"  # towards zero (truncate)
    UP = "up"  # away from zero


class Missing(enum.StrEnum):
    """What a component pays for a KAM whose metric has no value."""

    EXCLUDE = "exclude"  # drop the component, reweight the others to 100 %
    ZERO = "zero"  # pay a factor of 0 for the component
    AT_TARGET = "at_target"  # pay the factor at target
    HOLD = "hold"  # hold the KAM's whole payout for review


class GateMissing(enum.StrEnum):
    """What a gate does when a value it reads has no data."""

    FAIL = "fail"
    PASS = "pass"
    HOLD = "hold"


class TierMode(enum.StrEnum):
    FLAT = "flat"  # the whole value at the rate of the tier reached
    MARGINAL = "marginal"  # each slice of the value at its own tier's rate
    INTERPOLATED = "interpolated"  # linear from this tier's rate to the next one's


class RatingUnit(enum.StrEnum):
    """What a commission table rates (Oracle Incentive Compensation's distinction)."""

    PERIOD = "period"  # the period total of the amount, rated once
    TRANSACTION = "transaction"  # each transaction (deal, order) rated on its own, then summed


class Basis(enum.StrEnum):
    """What a commission's tiers are measured on."""

    AMOUNT = "amount"  # the amount itself (tiers in currency)
    ATTAINMENT = "attainment"  # another component's attainment (tiers as ratios)


class GateBlocks(enum.StrEnum):
    """What a failed gate cuts."""

    ALL = "all"  # the whole factor (or commission)
    ACCELERATOR = "accelerator"  # only what is paid above target (or above the base rate)


class RampOn(enum.StrEnum):
    TARGET_INCENTIVE = "target_incentive"  # the target incentive is ramped
    QUOTA = "quota"  # the quota is: the attainment of the named components is divided


class Part(enum.StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"


class Horizon(enum.StrEnum):
    SHORT_TERM = "short_term"
    LONG_TERM = "long_term"


class AttributeType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"


#: Population attributes every ruleset may use without declaring them.
STANDARD_ATTRIBUTES: Mapping[str, AttributeType] = {
    "role": AttributeType.TEXT,
    "grade": AttributeType.TEXT,
    "segment": AttributeType.TEXT,
    "lifecycle_phase": AttributeType.TEXT,
    "region": AttributeType.TEXT,
    "eligible_days": AttributeType.NUMBER,
    "period_days": AttributeType.NUMBER,
    "base_salary": AttributeType.NUMBER,
}
