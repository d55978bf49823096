"""A KAM's scorecard: his results across periods, the current estimate, and what would move it.

- ``history``: his score and payout in every period with a run (the period's *current* run
  of each ruleset: a correction replaces what it corrects), each component's value, factor
  and contribution — read from the stored lines, never recomputed;
- ``estimate``: "if the period closed today" — each published ruleset evaluated by the
  engine on the latest facts of the open period that has started last (the same code path
  as a run and what-if, inputs from the what-if cache), nothing stored; for each component
  the next step (``kamscore.engine.next_step``: the value for the next tier or the cap) and
  what reaching it alone would pay, by evaluating the KAM again with that one value changed.

Everything is for one person, and only if the caller's scope reaches him. With
``with_pay=False`` (a manager whom ``pay.read`` does not reach) no amount leaves: payouts,
the target incentive and "would pay about" are None, and the stored payouts are not read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, null, select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.engine import Items, MetricValues, Population, evaluate
from kamscore.engine.model import RampOn
from kamscore.engine.next_step import NextStep, next_step
from kamscore.engine.results import Status
from kamscore.metrics.compute import MetricFailure
from kamscore.models import (
    Period,
    PeriodKind,
    PeriodStatus,
    Person,
    RulesetStatus,
    RulesetVersion,
    ScoreLine,
    ScoreRun,
)
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.evaluation import Scored, component_requests, population_roles, score
from kamscore.scoring.inputs_cache import InputsCache
from kamscore.scoring.layout import expand
from kamscore.scoring.lifecycle import parse_version
from kamscore.scoring.run_store import DetailReader

#: Units shown as percentages (1.0 = 100 %).
FRACTION_UNITS = frozenset({"ratio", "share", "fraction"})


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class ComponentPoint:
    id: str
    title: str
    unit: str | None
    value: float | None
    factor: float | None
    contribution: float | None


@dataclass(frozen=True)
class PeriodResult:
    period: str
    start: dt.date
    run_id: int
    kam_code: str
    ruleset: str
    currency: str
    status: str  # paid, held, ineligible
    score: float | None  # the final factor
    payout: float | None  # None without pay
    components: list[ComponentPoint]


def _person(session: Session, person_id: int | None, scope: Scope) -> Person:
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None or not scope.includes_person(person.id):
        raise NotFoundError("no such person in reach", field="kam")
    return person


def history(session: Session, scope: Scope, person_id: int | None, *,
            with_pay: bool = True) -> list[PeriodResult]:
    """The person's results in every period with a run, oldest period first (without pay:
    no payout read)."""
    person = _person(session, person_id, scope)
    newest = (select(func.max(ScoreRun.id))
              .join(ScoreLine, ScoreLine.run_id == ScoreRun.id)
              .where(ScoreLine.person_id == person.id)
              .group_by(ScoreRun.period_id, ScoreRun.ruleset_name))
    rows = session.execute(
        select(ScoreRun, Period, ScoreLine.detail,
               ScoreLine.payout if with_pay else null(), ScoreLine.score)
        .join(ScoreLine, ScoreLine.run_id == ScoreRun.id)
        .join(Period, Period.id == ScoreRun.period_id)
        .where(ScoreLine.person_id == person.id, scope.people(ScoreLine.person_id),
               ScoreRun.id.in_(newest))
        .order_by(Period.start_date, Period.code, ScoreRun.ruleset_name))
    results = []
    for run, period, detail, payout, final in rows:
        stored = DetailReader(session, run.id).detail(person.code, detail)
        statement = expand(run.layout, stored)
        units = {m["key"]: m.get("unit") for m in run.metrics}
        results.append(PeriodResult(
            period=period.code, start=period.start_date, run_id=run.id, kam_code=person.code,
            ruleset=run.ruleset_name, currency=run.currency, status=statement["status"],
            score=_finite(final), payout=None if payout is None else float(payout),
            components=[ComponentPoint(c["id"], c["title"], units.get(c.get("source")),
                                       _finite(c.get("value")), _finite(c.get("factor")),
                                       _finite(c.get("contribution")))
                        for c in statement["components"]]))
    return results


# -- the estimate ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentEstimate:
    id: str
    title: str
    unit: str | None
    weight: float
    value: float | None
    factor: float | None
    contribution: float | None
    step: NextStep | None
    payout_at_step: float | None  # his payout if this value alone reached the step


@dataclass
class Estimate:
    period: str
    period_start: dt.date
    period_end: dt.date
    ruleset: str
    version: str  # "standard v3"
    currency: str
    status: str
    score: float | None
    payout: float | None  # None without pay
    target: float | None
    proration: float | None
    components: list[ComponentEstimate] = field(default_factory=list)

    @property
    def moves(self) -> list[ComponentEstimate]:
        """Components with a step that pays more, the biggest payout gain first."""
        found = [c for c in self.components
                 if c.step is not None and c.step.target_value is not None
                 and c.payout_at_step is not None]
        return sorted(found, key=lambda c: (-(c.payout_at_step or 0), c.id))


def estimate_period(session: Session, kind: str, today: dt.date) -> Period | None:
    """The open period of ``kind`` that started last on or before ``today`` (else the
    earliest open one that has not started)."""
    open_periods = select(Period).where(Period.kind == PeriodKind(kind),
                                        Period.status == PeriodStatus.OPEN)
    started = session.scalar(open_periods.where(Period.start_date <= today)
                             .order_by(Period.start_date.desc()).limit(1))
    if started is not None:
        return started
    later = session.scalar(open_periods.where(Period.start_date > today)
                           .order_by(Period.start_date).limit(1))
    return later


def estimate(session: Session, pm: Any, cache: InputsCache, *, scope: Scope,
             person_id: int | None, today: dt.date, with_pay: bool = True) -> list[Estimate]:
    """The person's estimate under each published ruleset that scores his role (see the
    module docstring); empty when there is no open period or no such ruleset."""
    person = _person(session, person_id, scope)
    versions = session.scalars(select(RulesetVersion)
                               .where(RulesetVersion.status == RulesetStatus.PUBLISHED)
                               .order_by(RulesetVersion.name)).all()
    found = []
    for version in versions:
        ruleset = parse_version(version, pm)
        roles = population_roles(ruleset)
        if person.role.value not in roles:
            continue
        period = estimate_period(session, ruleset.period.value, today)
        if period is None:
            continue
        inputs, _info = cache.inputs(session, pm, period, roles, component_requests(ruleset),
                                     ruleset)
        codes = inputs.population.codes.tolist()
        if person.code not in codes:
            continue
        scored = score(ruleset, inputs)
        found.append(_estimate_of(scored, inputs, codes.index(person.code), period,
                                  version.label, ruleset.currency, with_pay=with_pay))
    return found


def _one(scored: Scored, population: Population, index: int,
         changed: tuple[str, float] | None = None) -> float:
    """The payout of KAM ``index`` alone, evaluated again (one value possibly changed)."""
    ev = scored.evaluation
    span = slice(index, index + 1)
    one = Population(population.codes[span],
                     {k: np.asarray(v)[span] for k, v in population.attributes.items()})
    values: dict[str, MetricValues] = {}
    ramp = ev.ruleset.ramp
    for component in ev.components:
        value = np.array(component.value[span], dtype=float)
        if ramp is not None and ev.ramp is not None and component.id in ramp.components and (
                ramp.on is RampOn.QUOTA):
            value = value * ev.ramp[span]  # the value as measured, before the ramp
        n = np.array(component.n[span], dtype=float)
        if changed is not None and component.id == changed[0]:
            value = np.array([changed[1]])
        computed = scored.values.get(component.id)
        items = None
        if computed is not None and computed.item_owner is not None:
            mine = computed.item_owner == index
            items = Items(np.zeros(int(mine.sum()), dtype=np.int64),
                          np.asarray(computed.item_value)[mine])
        values[component.id] = MetricValues(value, n, items)
    return float(evaluate(ev.ruleset, one, values).payout[0])


def _estimate_of(scored: Scored, inputs: Any, i: int, period: Period, label: str,
                 currency: str, *, with_pay: bool = True) -> Estimate:
    ev = scored.evaluation
    variant = int(ev.variant[i])
    scorings = ev.ruleset.scoring_of(variant)
    requests = component_requests(ev.ruleset)
    result = Estimate(
        period=period.code, period_start=period.start_date, period_end=period.end_date,
        ruleset=ev.ruleset.name, version=label, currency=currency,
        status=Status(int(ev.status[i])).label, score=_finite(ev.final_factor[i]),
        payout=float(ev.payout[i]) if with_pay else None,
        target=_finite(ev.target[i]) if with_pay else None,
        proration=_finite(ev.proration[i]))
    for component, outcome in zip(ev.ruleset.components, ev.components, strict=True):
        scoring = scorings[component.id]
        value = _finite(outcome.value[i])
        step = next_step(scoring, value)
        at_step = None
        if with_pay and step is not None and step.target_value is not None and \
                scored.failures.get(component.id) is None:
            at_step = _one(scored, inputs.population, i, (component.id, step.target_value))
        source = inputs.outcomes.get(requests[component.id].resolved_key)
        unit = None if source is None or isinstance(source, MetricFailure) else source.unit
        result.components.append(ComponentEstimate(
            id=component.id, title=component.title, unit=unit, weight=scoring.weight,
            value=value, factor=_finite(outcome.factor[i]),
            contribution=_finite(outcome.contribution[i]),
            step=step, payout_at_step=at_step))
    return result


def is_fraction(unit: str | None) -> bool:
    return unit in FRACTION_UNITS

