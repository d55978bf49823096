"""Shared state while a ruleset is built from YAML: what is defined so far, and formulas.

The builders (``build_components``, ``build_rules``, ``loader``) read different parts of the
file but need the same facts: which component ids exist and the unit of each one's metric,
the parameters and attributes, the metric catalogue and the plugin functions. ``BuildContext``
holds them and compiles formulas against them, turning an ``ExpressionError`` into a
``Problem`` at the formula's key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.engine.catalogue import FunctionTable, MetricCatalogue, MetricInfo
from kamscore.engine.expressions import (
    Expression,
    ExpressionError,
    ExprType,
    Scope,
    Symbol,
    compile_expression,
)
from kamscore.engine.model import STANDARD_ATTRIBUTES, AttributeType
from kamscore.engine.reader import ABSENT, Quantity, Reader, what_of
from kamscore.sentences import N_, Sentence

#: Units of the standard numeric attributes, for unit checks in formulas.
ATTRIBUTE_UNITS = {"eligible_days": "days", "period_days": "days", "base_salary": "currency"}


A_FORMULA = N_("a formula")


@dataclass
class BuildContext:
    reader: Reader
    catalogue: MetricCatalogue
    functions: FunctionTable
    parameters: dict[str, Quantity] = field(default_factory=dict)
    attributes: dict[str, AttributeType] = field(default_factory=lambda: dict(
        STANDARD_ATTRIBUTES))
    metrics: dict[str, str] = field(default_factory=dict)  # component id -> metric name
    weights: dict[str, float] = field(default_factory=dict)  # component id -> base weight

    def metric_of(self, component_id: str) -> MetricInfo | None:
        metric = self.metrics.get(component_id)
        return self.catalogue.get(metric) if metric is not None else None

    def unit_of(self, component_id: str) -> str | None:
        info = self.metric_of(component_id)
        return getattr(info, "unit", None) if info is not None else None

    def scope(self, value_unit: str | None = None, *, with_value: bool = False,
              components: bool = True) -> Scope:
        symbols: dict[str, Symbol] = {}
        for name, kind in self.attributes.items():
            if kind is AttributeType.TEXT:
                symbols[name] = Symbol(ExprType.TEXT, None, "attribute")
            else:
                symbols[name] = Symbol(ExprType.NUMBER, ATTRIBUTE_UNITS.get(name), "attribute")
        for name, quantity in self.parameters.items():
            symbols[name] = Symbol(ExprType.NUMBER, quantity.unit, "parameter")
        if components:
            for component_id in self.metrics:
                symbols[component_id] = Symbol(ExprType.NUMBER, self.unit_of(component_id),
                                               "component")
        if with_value:
            symbols["value"] = Symbol(ExprType.NUMBER, value_unit, "value")
        hints = {}
        for metric in self.catalogue:
            if metric not in symbols and metric not in self.metrics.values():
                hints[metric] = (f"metric {metric!r} is not computed by this ruleset: add a "
                                 f"component with metric: {metric} (weight 0 if it should "
                                 "not pay) and use its id")
        return Scope(symbols, self.functions, hints)

    def formula(self, path: KeyPath, source: Any, expect: ExprType, scope: Scope,
                what: str | Sentence = A_FORMULA) -> Expression | None:
        """Compile ``source`` (the YAML value at ``path``); None after recording a problem."""
        if source is ABSENT:
            return None
        if not isinstance(source, str) or not source.strip():
            self.reader.problem(path, N_("expected %(what)s (a text), found %(found)s",
                                         what=what_of(what), found=repr(source)))
            return None
        try:
            return compile_expression(source, scope, expect)
        except ExpressionError as exc:
            self.reader.problem(path, N_("%(what)s: %(error)s in %(formula)s",
                                         what=what_of(what), error=str(exc),
                                         formula=_quote(source)))
            return None


def _quote(source: str) -> str:
    shown = source if len(source) <= 80 else source[:77] + "..."
    return "`" + shown.replace("\n", " ") + "`"


def name_clash(context: BuildContext, name: str) -> Sentence | None:
    """Why ``name`` cannot name a component or parameter (it would shadow something)."""
    from kamscore.engine.expressions import BUILTINS
    from kamscore.engine.expressions.parser import KEYWORDS

    if name in KEYWORDS or name == "value":
        return N_("%(name)s is a reserved word of formulas; choose another name",
                  name=repr(name))
    if name in BUILTINS or name in context.functions:
        return N_("%(name)s is the name of a formula function; choose another name",
                  name=repr(name))
    if name in context.attributes:
        return N_("%(name)s is the name of a population attribute; choose another name",
                  name=repr(name))
    return None


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
