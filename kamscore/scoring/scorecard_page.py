"""Everything a KAM's scorecard page shows, gathered by one call.

``scorecard_page`` reads his history (``scorecard.history``), works out the estimate of the
open period (``scorecard.estimate``; a period whose data cannot be scored yet gives a
message instead of a failure) and reads his survey results above the minimum group size
(``kamscore.surveys.people_results.own_results``) — all for the person the caller's scope
reaches, nothing else.

``kam_scorecard`` is the same page of one KAM for his manager (``team.read``): the KAM is
named by his code and must be a KAM in the caller's scope, else :class:`NotFoundError` as if
he did not exist; without pay (``pay.read`` does not reach the manager) no amount is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.models import Person, Role
from kamscore.scoring.errors import NotFoundError, ScoringError
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
    with_pay: bool = True

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
                   person_id: int | None, today: dt.date, minimums: Minimums,
                   with_pay: bool = True) -> Scorecard:
    found = history(session, scope, person_id, with_pay=with_pay)
    problem = None
    try:
        estimates = estimate(session, pm, cache, scope=scope, person_id=person_id,
                             today=today, with_pay=with_pay)
    except ScoringError as exc:
        estimates, problem = [], exc.message
    return Scorecard(found, estimates, own_results(session, scope, person_id, minimums),
                     problem, component_titles(found), with_pay)


def kam_in_scope(session: Session, scope: Scope, kam_code: str) -> Person:
    """The KAM ``kam_code`` if ``scope`` reaches him (else :class:`NotFoundError`)."""
    person = session.scalar(select(Person).where(Person.code == kam_code,
                                                  Person.role == Role.KAM))
    if person is None or not scope.includes_person(person.id):
        raise NotFoundError(f"no KAM {kam_code!r} in your teams", field="kam")
    return person


def kam_scorecard(session: Session, pm: Any, cache: InputsCache, *, scope: Scope,
                  kam_code: str, today: dt.date, minimums: Minimums,
                  with_pay: bool) -> tuple[Person, Scorecard]:
    """One KAM's scorecard for a caller whose scope reaches him (his manager)."""
    kam = kam_in_scope(session, scope, kam_code)
    return kam, scorecard_page(session, pm, cache, scope=scope, person_id=kam.id,
                               today=today, minimums=minimums, with_pay=with_pay)
