"""What the engine is given: a population and the metric values of each component.

Both are plain numpy arrays, one entry per KAM, in the same order. The engine never looks
anything up: the score runner, the statement page and what-if all build these the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class EvaluationInputError(ValueError):
    """The population or the metric values do not fit the ruleset (a missing attribute, a
    missing component, arrays of the wrong length). Lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, eq=False)
class Population:
    """The KAMs being scored: ``codes`` (person codes) and named attribute arrays.

    Attributes are generic: a text array (``role``, ``grade``, ``segment``,
    ``lifecycle_phase``; ``None`` for unknown) or a number array (``eligible_days``,
    ``period_days``, ``base_salary``; NaN for unknown). Which ones are needed depends on the
    ruleset (``engine.required_attributes``).
    """

    codes: np.ndarray
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_columns(cls, codes: Sequence[str], **attributes: Sequence[Any]) -> Population:
        """Build from plain sequences: numbers become float arrays, the rest object arrays."""
        converted: dict[str, np.ndarray] = {}
        for name, values in attributes.items():
            converted[name] = as_attribute_array(values)
        return cls(np.asarray(list(codes), dtype=object), converted)

    @property
    def size(self) -> int:
        return len(self.codes)


def as_attribute_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """A float array when every value is a number (or None), else an object array."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(float)
    items = list(values)
    if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in items):
        return np.array([np.nan if v is None else float(v) for v in items], dtype=float)
    return np.array([None if v is None else str(v) for v in items], dtype=object)


@dataclass(frozen=True, eq=False)
class Items:
    """The transactions (deals, orders) behind an amount, for a commission that rates each
    transaction on its own: ``owner[j]`` is the position in the population of the KAM
    credited with item ``j``, ``value[j]`` its credited amount. Flat arrays for the whole
    population at once (a KAM's items need not be contiguous)."""

    owner: np.ndarray  # int64
    value: np.ndarray  # float

    @classmethod
    def of(cls, owner: Sequence[int] | np.ndarray, value: Sequence[float] | np.ndarray
           ) -> Items:
        return cls(np.asarray(owner, dtype=np.int64), np.asarray(value, dtype=float))

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True, eq=False)
class MetricValues:
    """One component's metric values: ``value`` (float, NaN = no data) and, for survey
    metrics, ``n`` — how many responses are behind each value (NaN where unknown). An amount
    may come with its ``items`` (the transactions it sums)."""

    value: np.ndarray
    n: np.ndarray | None = None
    items: Items | None = None

    @classmethod
    def of(cls, value: Sequence[float | None] | np.ndarray,
           n: Sequence[float | None] | np.ndarray | None = None,
           items: Items | None = None) -> MetricValues:
        return cls(_floats(value), None if n is None else _floats(n), items)


def _floats(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float)
    return np.array([np.nan if v is None else v for v in values], dtype=float)
