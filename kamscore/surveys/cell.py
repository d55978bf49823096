"""One reportable survey aggregate, as computed and as stored (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cell:
    """One reportable aggregate (mirrors ``models.SurveyAggregate``)."""

    subject_type: str
    subject: str
    measure: str
    rater_group: str
    n: int
    mean: float | None
    sd: float | None
    scale_min: int | None
    scale_max: int | None
    histogram: dict[str, int]
    details: dict[str, Any] = field(default_factory=dict)
