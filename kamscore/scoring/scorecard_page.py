"""Everything a KAM's scorecard page shows, gathered by one call.

``scorecard_page`` reads his history (``scorecard.history``), works out the estimate of the
open period (``scorecard.estimate``; a period whose data cannot be scored yet gives a
message instead of a failure) and reads his survey results above the minimum group size
(``kamscore.surveys.people_results.own_results``) — all for the person the caller's scope
reaches, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.inputs_cache import InputsCache
from kamscore.scoring.scorecard import Estimate, PeriodResult, estimate, history
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.people_results import OwnResults, own_results


@dataclass
class Scorecard:
    history: list[PeriodResult]
    estimates: list[Estimate]
    surveys: OwnResults
    estimate_problem: str | None = None
    components: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def currency(self) -> str | None:
        if self.history:
            return self.history[-1].currency
        return self.estimates[0].currency if self.estimates else None


def component_titles(results: list[PeriodResult]) -> list[tuple[str, str, str | None]]:
    """(id, title, unit) of every component in the history, in first-seen order."""
    seen: dict[str, tuple[str, str, str | None]] = {}
    for result in results:
        for c in result.components:
            seen.setdefault(c.id, (c.id, c.title, c.unit))
    return list(seen.values())


def scorecard_page(session: Session, pm: Any, cache: InputsCache, *, scope: Scope,
                   person_id: int | None, today: dt.date, minimums: Minimums) -> Scorecard:
    found = history(session, scope, person_id)
    problem = None
    try:
        estimates = estimate(session, pm, cache, scope=scope, person_id=person_id,
                             today=today)
    except ScoringError as exc:
        estimates, problem = [], exc.message
    return Scorecard(found, estimates, own_results(session, scope, person_id, minimums),
                     problem, component_titles(found))
