"""What the validator needs to know about metrics: a catalogue of metric descriptions.

The engine does not import plugins. It is handed a plain ``Mapping[str, MetricInfo]`` (metric
name -> anything with these attributes — the metric plugin classes themselves fit) and a plain
mapping of extra formula functions, so it can be tested with a small fake catalogue and stays
pure. The application builds both from its plugin manager (``kamscore.cli.ruleset``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class MetricInfo(Protocol):
    """The attributes of a metric plugin class the ruleset validator reads."""

    name: str
    title: str
    kind: str  # quantitative, qualitative, team
    unit: str  # see engine.units
    direction: str  # "higher" or "lower" is better
    Params: Any  # a marshmallow Schema class for the parameters a ruleset may set
    description: str
    version: str


MetricCatalogue = Mapping[str, MetricInfo]
FunctionTable = Mapping[str, Callable[..., Any]]


def catalogue_of(plugins: Any) -> tuple[MetricCatalogue, FunctionTable]:
    """The metric catalogue and formula functions of a plugin manager (duck-typed: anything
    with ``metrics`` — name -> entry with ``cls`` — and ``expression_functions`` — name ->
    entry with ``function``), as the plain mappings the validator takes. The one place where
    the application's plugins become the engine's catalogue."""
    registry = getattr(plugins, "metrics", {})
    metrics = {name: getattr(entry, "cls", entry) for name, entry in registry.items()}
    functions = {name: getattr(entry, "function", entry)
                 for name, entry in getattr(plugins, "expression_functions", {}).items()}
    return metrics, functions
