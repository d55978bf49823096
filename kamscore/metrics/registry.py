"""The registry of metrics (and of expression functions) collected from the plugins.

Built once at start-up by ``kamscore.plugin_host.manager``; read by ``compute_metrics``, by the
ruleset validation (metric names, parameter schemas, units) and by ``kamscore plugins``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kamscore.metrics.contract import Metric


@dataclass(frozen=True)
class RegisteredMetric:
    """A metric class and the plugin that provides it."""

    cls: type[Metric]
    plugin: str
    plugin_version: str | None

    @property
    def name(self) -> str:
        return self.cls.name

    @property
    def title(self) -> str:
        return self.cls.title

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def unit(self) -> str:
        return self.cls.unit

    @property
    def direction(self) -> str:
        return self.cls.direction

    @property
    def version(self) -> str:
        return self.cls.version

    def param_names(self) -> list[str]:
        """Names of the parameters a ruleset may set."""
        return sorted(self.cls.Params().fields)

    def summary(self) -> str:
        """The first line of the description (or the title)."""
        text = (self.cls.description or "").strip()
        return text.splitlines()[0] if text else self.cls.title


class MetricRegistry(Mapping[str, RegisteredMetric]):
    """Metric name → :class:`RegisteredMetric`, sorted by name."""

    def __init__(self, metrics: Mapping[str, RegisteredMetric] | None = None) -> None:
        self._metrics = dict(sorted((metrics or {}).items()))

    def __getitem__(self, name: str) -> RegisteredMetric:
        return self._metrics[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._metrics)

    def __len__(self) -> int:
        return len(self._metrics)

    def of_plugin(self, plugin: str) -> list[RegisteredMetric]:
        return [m for m in self._metrics.values() if m.plugin == plugin]


@dataclass(frozen=True)
class ExpressionFunction:
    """A function for ruleset expressions contributed by a plugin (vectorised, pure)."""

    name: str
    function: Callable[..., Any]
    plugin: str
