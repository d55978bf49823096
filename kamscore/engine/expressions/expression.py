"""A compiled formula and the names it may use: what ``compile_expression``
(:mod:`kamscore.engine.expressions.compiler`) takes and gives.

A :class:`Scope` lists the names (:class:`Symbol`: a type and a unit) and the plugin functions
a formula may use; an :class:`Expression` is the checked, compiled formula, evaluated over a
whole population at once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kamscore.engine.expressions.nodes import Node

Env = Mapping[str, Any]


class ExprType(enum.StrEnum):
    NUMBER = "number"
    BOOL = "condition"
    TEXT = "text"


@dataclass(frozen=True)
class Symbol:
    """A name a formula may use."""

    type: ExprType
    unit: str | None = None
    kind: str = "attribute"  # component, parameter, attribute, value


@dataclass(frozen=True)
class Scope:
    """The names and plugin functions a formula may use."""

    symbols: Mapping[str, Symbol]
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    #: names that are not defined but known, with the message to give (e.g. a metric that
    #: the ruleset does not compute)
    hints: Mapping[str, str] = field(default_factory=dict)


class ExpressionRuntimeError(RuntimeError):
    """A plugin function failed while a formula was being evaluated."""


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked, compiled formula. Equal when the source text is equal."""

    source: str
    type: ExprType
    unit: str | None
    names: frozenset[str]  # every name the formula reads
    counted: frozenset[str]  # components read through n() or has()
    tree: Node = field(repr=False)
    function: Callable[[Env], Any] = field(repr=False)

    def evaluate(self, env: Env, size: int) -> np.ndarray:
        """The formula over a population of ``size``: a float or bool array."""
        with np.errstate(all="ignore"):
            result = self.function(env)
        dtype = bool if self.type is ExprType.BOOL else float
        array = np.asarray(result, dtype=dtype)
        if array.shape != (size,):
            array = np.broadcast_to(array, (size,)).copy()
        return array

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)
