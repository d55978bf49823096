"""From a period's data to the engine's answer: the path shared by score runs and what-if.

1. ``load_inputs`` loads the period's metric context (``kamscore.scoring.context_loader``: a fixed
   number of batched queries) for the people in the ruleset's eligible roles — only the
   facts the ruleset reads (``fact_needs``: what its metrics declare, plus its declared
   attributes) — and computes
   each distinct metric request — a metric with its parameters — once
   (``kamscore.metrics.compute_metrics``), even when several components or variants use it.
2. ``engine_population`` turns the context's population into the engine's attribute arrays
   (role, grade, segment, lifecycle_phase, region, eligible_days, period_days, base_salary,
   plus the ruleset's own declared attributes, read from facts about each person with the
   attribute's name).
3. ``score`` hands the arrays to the pure engine (``kamscore.engine.evaluate``).

Metric failures: a metric that raised has no values at all. Its components are evaluated as
if their missing-data rule were ``hold``, whatever the ruleset says — a crash is not
evidence that the KAM has no data, so neither "pay at target" nor "exclude and reweight"
would be honest. The KAMs it touches are held for review (payout withheld) and the failure
is recorded on the run, which is then *partial* and blocks closing the period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kamscore.db.free_memory import release_free_memory
from kamscore.engine import (
    Evaluation,
    EvaluationInputError,
    Items,
    MetricValues,
    Population,
    Ruleset,
    evaluate,
)
from kamscore.engine.model import STANDARD_ATTRIBUTES, TENURE_ATTRIBUTE, AttributeType, Missing
from kamscore.metrics.compute import (
    MetricFailure,
    MetricOutcome,
    MetricRequest,
    compute_metrics,
    request_key,
    request_needs,
)
from kamscore.metrics.compute import MetricValues as ComputedValues
from kamscore.metrics.context import MetricContext
from kamscore.metrics.needs import FactNeeds
from kamscore.models import Period
from kamscore.scoring.context_loader import load_metric_context
from kamscore.scoring.errors import InvalidInputError

#: The people scored when a ruleset does not restrict eligibility by role.
DEFAULT_ROLES = ("kam",)


def population_roles(ruleset: Ruleset) -> tuple[str, ...]:
    """Whose results a run of ``ruleset`` holds: the people in its eligible roles."""
    roles = ruleset.eligibility.roles
    return tuple(sorted(roles)) if roles else DEFAULT_ROLES


def component_requests(ruleset: Ruleset) -> dict[str, MetricRequest]:
    """Component id → the metric request it needs (equal requests share one key)."""
    return {
        c.id: MetricRequest(c.metric, dict(c.params), key=request_key(c.metric, dict(c.params)))
        for c in ruleset.components
    }


@dataclass(frozen=True, eq=False)
class PeriodInputs:
    """Everything the engine sees for one period and population, plus where it came from."""

    period_id: int
    period_code: str
    roles: tuple[str, ...]
    ctx: MetricContext
    population: Population
    outcomes: Mapping[str, MetricOutcome]  # by request key


def fact_needs(pm: Any, *rulesets: Ruleset) -> FactNeeds:
    """What runs of ``rulesets`` read: the facts and survey measures their components'
    metrics declare (``kamscore.metrics.compute.request_needs``) and their declared
    attributes (facts about each person)."""
    needs = request_needs(pm, [r for ruleset in rulesets
                               for r in component_requests(ruleset).values()])
    attributes = {n for ruleset in rulesets for n in ruleset.attributes
                  if n not in STANDARD_ATTRIBUTES and n != TENURE_ATTRIBUTE}
    return needs.union(FactNeeds.of(sorted(attributes), ()))


def load_context(session: Session, pm: Any, period: Period, roles: tuple[str, ...],
                 needs: FactNeeds | None = None) -> MetricContext:
    """The period's context for ``roles``; ``needs`` (None: every fact) as in ``fact_needs``."""
    return load_metric_context(session, period, pm, roles=roles, needs=needs)


def compute_outcomes(pm: Any, ctx: MetricContext, requests: Mapping[str, MetricRequest],
                     known: Mapping[str, MetricOutcome] | None = None
                     ) -> dict[str, MetricOutcome]:
    """Outcomes of every request key; those in ``known`` (a cache) are not recomputed."""
    known = known or {}
    todo = {r.resolved_key: r for r in requests.values() if r.resolved_key not in known}
    computed = compute_metrics(pm, ctx, todo.values()) if todo else {}
    return {r.resolved_key: known.get(r.resolved_key) or computed[r.resolved_key]
            for r in requests.values()}


def load_inputs(session: Session, pm: Any, period: Period, ruleset: Ruleset) -> PeriodInputs:
    """Load the context and compute the metrics ``ruleset`` needs for ``period``."""
    roles = population_roles(ruleset)
    ctx = load_context(session, pm, period, roles, fact_needs(pm, ruleset))
    release_free_memory()  # what the load only passed through (kamscore.db.free_memory)
    outcomes = compute_outcomes(pm, ctx, component_requests(ruleset))
    return PeriodInputs(period.id, period.code, roles, ctx, engine_population(ctx, ruleset),
                        outcomes)


def tenure_periods(ctx: MetricContext, per_year: int) -> np.ndarray:
    """Per KAM, which of his periods in the role this is (1 = the period of his start date,
    calendar periods of the ruleset's kind); NaN where the start date is unknown."""
    starts = ctx.kams.start_dates
    size = len(ctx.kams)
    if starts is None:
        return np.full(size, np.nan)
    months = 12 // per_year
    start_month = starts.astype("datetime64[M]").astype(np.int64)
    now = np.datetime64(ctx.period.start, "M").astype(np.int64)
    count = now // months - np.floor_divide(start_month, months) + 1
    return np.where(np.isnat(starts), np.nan, count.astype(float))


def _most_days_region(ctx: MetricContext) -> np.ndarray:
    """Per KAM, the region of the account he held the most days (ties: lowest account
    index, i.e. code order) — the same rule the context uses for the segment."""
    size = len(ctx.kams)
    region = np.empty(size, dtype=object)
    region[:] = None
    a = ctx.assignments
    if not len(a):
        return region
    order = np.lexsort((a.account, -a.days, a.kam))
    kams = a.kam[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = kams[1:] != kams[:-1]
    chosen = order[first]
    region[a.kam[chosen]] = ctx.accounts.regions[a.account[chosen]]
    return region


def _declared_attribute(ctx: MetricContext, name: str, kind: AttributeType) -> np.ndarray:
    """A ruleset-declared attribute: the period's facts called ``name`` about each person
    (the value for a number attribute, the category for a text one)."""
    size = len(ctx.kams)
    if kind is AttributeType.NUMBER:
        return ctx.facts.person_totals(name, ctx.kams.index, size)
    out = np.empty(size, dtype=object)
    out[:] = None
    cols = ctx.facts.select(name)
    for person, category in zip(cols.person, cols.category, strict=True):
        pos = ctx.kams.index.get(person) if person is not None else None
        if pos is not None and category is not None:
            out[pos] = str(category)
    return out


def engine_population(ctx: MetricContext, ruleset: Ruleset) -> Population:
    """The engine's population: standard attributes plus the ruleset's declared ones."""
    kams = ctx.kams
    size = len(kams)
    attributes: dict[str, np.ndarray] = {  # engine.model.STANDARD_ATTRIBUTES
        "role": np.asarray(kams.roles, dtype=object),
        "grade": np.asarray(kams.grades, dtype=object),
        "segment": np.asarray(kams.segments, dtype=object),
        "lifecycle_phase": np.asarray(kams.phases, dtype=object),
        "region": _most_days_region(ctx),
        "eligible_days": np.asarray(kams.eligible_days, dtype=float),
        "period_days": np.full(size, float(ctx.period.days)),
        "base_salary": np.asarray(kams.base_salary, dtype=float),
    }
    for name, kind in sorted(ruleset.attributes.items()):
        if name == TENURE_ATTRIBUTE:
            attributes[name] = tenure_periods(ctx, ruleset.period.per_year)
        elif name not in attributes:
            attributes[name] = _declared_attribute(ctx, name, kind)
    return Population(np.asarray(kams.codes, dtype=object), attributes)


@dataclass(frozen=True, eq=False)
class Scored:
    """The engine's evaluation and what the metric failures changed."""

    evaluation: Evaluation
    failures: Mapping[str, MetricFailure]  # by component id
    values: Mapping[str, ComputedValues | None]  # by component id (None: failed)


def hold_on_failure(ruleset: Ruleset, component_ids: set[str]) -> Ruleset:
    """``ruleset`` with ``missing: hold`` on the given components, in every variant."""
    if not component_ids:
        return ruleset

    def held(scorings: Mapping[str, Any]) -> dict[str, Any]:
        return {cid: dataclasses.replace(s, missing=Missing.HOLD) if cid in component_ids
                else s for cid, s in scorings.items()}

    components = tuple(
        dataclasses.replace(c, scoring=dataclasses.replace(c.scoring, missing=Missing.HOLD))
        if c.id in component_ids else c
        for c in ruleset.components
    )
    variants = tuple(dataclasses.replace(v, scoring=held(v.scoring)) for v in ruleset.variants)
    return dataclasses.replace(ruleset, components=components, variants=variants)


def score(ruleset: Ruleset, inputs: PeriodInputs,
          outcomes: Mapping[str, MetricOutcome] | None = None) -> Scored:
    """Evaluate ``ruleset`` on ``inputs`` (``outcomes`` overrides the inputs' metric
    outcomes, e.g. from the what-if cache)."""
    outcomes = outcomes if outcomes is not None else inputs.outcomes
    size = inputs.population.size
    metric_values: dict[str, MetricValues] = {}
    failures: dict[str, MetricFailure] = {}
    computed: dict[str, ComputedValues | None] = {}
    for cid, request in component_requests(ruleset).items():
        outcome = outcomes[request.resolved_key]
        if isinstance(outcome, MetricFailure):
            failures[cid] = outcome
            computed[cid] = None
            metric_values[cid] = MetricValues(np.full(size, np.nan), np.full(size, np.nan))
            continue
        computed[cid] = outcome
        n = np.where(outcome.n < 0, np.nan, outcome.n.astype(float))
        items = None
        if outcome.item_owner is not None and outcome.item_value is not None:
            items = Items(outcome.item_owner, outcome.item_value)
        metric_values[cid] = MetricValues(outcome.values, n, items)
    effective = hold_on_failure(ruleset, set(failures))
    try:
        evaluation = evaluate(effective, inputs.population, metric_values)
    except EvaluationInputError as exc:  # the data cannot feed this ruleset: say what is missing
        raise InvalidInputError(
            f"the period's data cannot be scored with ruleset {ruleset.name}: "
            + "; ".join(exc.problems), field="ruleset", problems=exc.problems) from exc
    return Scored(evaluation, failures, computed)
