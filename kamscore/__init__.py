"""kamscore: key account management incentive scoring.

``create_app`` builds the Flask application. A metric plugin imports what it needs from here:
``hookimpl`` to take part, and the metric contract (``Metric``, ``MetricResult``,
``MetricValue``, and ``FactNeeds`` for a metric whose facts depend on its parameters).
Importing this package has no side effects: nothing connects, registers or
reads files; the metric contract (numpy, marshmallow) is imported on first use.
"""

from typing import Any

from kamscore.config import __version__
from kamscore.factory import create_app
from kamscore.hookspecs import hookimpl

__all__ = ["FactNeeds", "Metric", "MetricResult", "MetricValue", "__version__", "create_app",
           "hookimpl"]

_METRIC_CONTRACT = ("FactNeeds", "Metric", "MetricResult", "MetricValue")


def __getattr__(name: str) -> Any:
    if name in _METRIC_CONTRACT:
        from kamscore.metrics import contract

        return getattr(contract, name)
    raise AttributeError(f"module 'kamscore' has no attribute {name!r}")
