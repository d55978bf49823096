"""Metrics: the contract plugins implement, the context they read, and how they are computed.

Pure parts only are imported here (no database): ``contract`` (``Metric``, ``MetricResult``,
``MetricValue``), ``context`` (``MetricContext``), ``assemble`` (rows → context) and
``compute`` (``compute_metrics``, the single entry point for running metrics). The service
that loads a context from the database is ``kamscore.scoring.context_loader``.
"""

from kamscore.metrics.context import MetricContext, PeriodInfo
from kamscore.metrics.contract import (
    DIRECTIONS,
    KINDS,
    N_NOT_APPLICABLE,
    SUBJECT_KAM,
    SUBJECT_TEAM,
    UNITS,
    Metric,
    MetricResult,
    MetricValue,
    NoParams,
)

__all__ = [
    "DIRECTIONS",
    "KINDS",
    "N_NOT_APPLICABLE",
    "SUBJECT_KAM",
    "SUBJECT_TEAM",
    "UNITS",
    "Metric",
    "MetricContext",
    "MetricResult",
    "MetricValue",
    "NoParams",
    "PeriodInfo",
]
