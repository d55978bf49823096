"""An in-process cache of a period's loaded inputs, so that repeated what-ifs only rerun the
engine.

Loading a period's metric context reads hundreds of thousands of facts for a 10,000-KAM
population; computing the metrics takes a fraction of a second more. A comp analyst trying
ideas changes weights and tables, not data, so both are kept per (database, period, roles)
and each metric request — a metric with its parameters — is computed once per cached
context.

An entry is used again only while the period's data is unchanged, as far as a cheap
*stamp* can tell: the fact snapshots of every period (any write to a period's facts drops
its snapshot), and one query of counts, largest ids and sums over every other table the
context loader reads (people, assignments, accounts, plans, stakeholders, teams, product
phases, survey aggregates; the facts of the period and of the same period a year earlier
too where they have no snapshot). An insert, a delete or a changed fact value changes it.
Edits that keep every count, id and sum (say, a person's grade changed in place) are not
seen: an entry of an *open* period is therefore also dropped after ``ttl`` seconds (setting
``WHATIF_CACHE_SECONDS``), and ``refresh=True`` reloads at once. A closed period's data is
frozen, so its entries live until the stamp changes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.engine import Population, Ruleset
from kamscore.metrics.compute import MetricOutcome, MetricRequest
from kamscore.metrics.context import MetricContext
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    Fact,
    FactSnapshot,
    Period,
    Person,
    PlanAction,
    PlanObjective,
    ProductPhase,
    Stakeholder,
    SurveyAggregate,
    Team,
    TeamMember,
)
from kamscore.models.types import utcnow
from kamscore.scoring.context_loader import previous_year_period
from kamscore.scoring.evaluation import (
    PeriodInputs,
    compute_outcomes,
    engine_population,
    fact_needs,
    load_context,
)

#: Tables whose rows feed a period's context (besides the period's own facts).
_WATCHED = (Person, Account, Assignment, AccountPlan, PlanObjective, PlanAction, Stakeholder,
            Team, TeamMember, ProductPhase)


def data_stamp(session: Session, period: Period) -> tuple[Any, ...]:
    """A cheap fingerprint of the data a context of ``period`` is loaded from (three small
    queries).

    Facts: the fact snapshots of every period (``kamscore.facts.columns``) — any write to a
    period's facts drops its snapshot, so their count, newest build and total stand for all
    the facts that have one (the survey facts of a containing year included) — plus counts,
    largest ids and sums over the facts of the period and the year earlier where they have
    no snapshot (a scan of their rows).
    """
    snapshots = session.execute(select(FactSnapshot.period_id, FactSnapshot.built_at,
                                       FactSnapshot.fact_count)).all()
    snapped = {pid for pid, _, _ in snapshots}
    previous = previous_year_period(session, period)
    periods = [period.id] + ([previous.id] if previous is not None else [])
    unsnapped = [pid for pid in periods if pid not in snapped]
    in_periods = Fact.period_id.in_(unsnapped)
    aggregates = [
        *([select(func.count(), func.max(Fact.id), func.sum(Fact.value),
                  func.sum(func.length(func.coalesce(Fact.category, "")))).where(in_periods)]
          if unsnapped else []),
        *[select(func.count(), func.max(model.id)) for model in _WATCHED],
        select(func.count(), func.max(SurveyAggregate.id), func.sum(SurveyAggregate.mean)),
        select(func.sum(Person.base_salary)),
    ]
    # one round trip: every aggregate as a scalar subquery of one SELECT
    columns = [
        query.with_only_columns(column).scalar_subquery()
        for query in aggregates for column in query.selected_columns
    ]
    row = session.execute(select(*columns)).one()
    return (period.status.value, str(period.closed_at), tuple(unsnapped),
            tuple(sorted((pid, str(built), count) for pid, built, count in snapshots)),
            *[_plain(v) for v in row])


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, float) else value


@dataclass
class _Entry:
    stamp: tuple[Any, ...]
    ctx: MetricContext
    loaded_at: float  # time.monotonic(), for the time to live
    loaded_on: str  # the wall-clock time, for reports
    closed: bool
    outcomes: dict[str, MetricOutcome] = field(default_factory=dict)
    #: the engine's population per set of declared attributes (the same for most drafts)
    populations: dict[tuple[Any, ...], Population] = field(default_factory=dict)

    def population(self, ruleset: Ruleset) -> Population:
        key = tuple(sorted((name, str(kind)) for name, kind in ruleset.attributes.items()))
        if key not in self.populations:
            self.populations[key] = engine_population(self.ctx, ruleset)
        return self.populations[key]


@dataclass(frozen=True)
class CacheInfo:
    """How a request was served: from the cache or freshly loaded, and when loaded."""

    cached: bool
    loaded_on: str  # ISO time the inputs were loaded
    computed: tuple[str, ...]  # request keys computed for this request


class InputsCache:
    """Per (database, period, roles): the loaded context and computed metric outcomes."""

    def __init__(self, *, max_entries: int = 4, ttl: float = 300.0) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def inputs(self, session: Session, pm: Any, period: Period, roles: tuple[str, ...],
               requests: dict[str, MetricRequest], ruleset: Ruleset, *,
               also: Sequence[Ruleset] = (), refresh: bool = False,
               ) -> tuple[PeriodInputs, CacheInfo]:
        """The inputs of ``ruleset`` for ``period`` (its requests computed where missing).

        The context holds the facts ``ruleset`` and the rulesets ``also`` read (the
        requests must come from those); an entry loaded for other rulesets is reloaded
        with the facts of both when it lacks some."""
        needs = fact_needs(pm, ruleset, *also)
        bind = session.get_bind()
        key = (str(bind.url), id(pm), period.id, roles)
        stamp = data_stamp(session, period)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (
                refresh or entry.stamp != stamp
                or (not entry.closed and now - entry.loaded_at > self.ttl)
            ):
                del self._entries[key]
                entry = None
            if entry is not None and not entry.ctx.fact_needs.covers(needs):
                # loaded for other rulesets: reload with the facts of both (a superset)
                needs = needs.union(entry.ctx.fact_needs)
                del self._entries[key]
                entry = None
            if entry is not None:
                self._entries.move_to_end(key)
        cached = entry is not None
        if entry is None:
            entry = _Entry(stamp, load_context(session, pm, period, roles, needs), now,
                           utcnow().isoformat(timespec="seconds"), period.is_closed)
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        missing = [k for k in {r.resolved_key for r in requests.values()}
                   if k not in entry.outcomes]
        outcomes = compute_outcomes(pm, entry.ctx, requests, entry.outcomes)
        entry.outcomes.update(outcomes)
        inputs = PeriodInputs(period.id, period.code, roles, entry.ctx,
                              entry.population(ruleset), outcomes)
        return inputs, CacheInfo(cached, entry.loaded_on, tuple(sorted(missing)))

    def population(self, inputs: PeriodInputs, ruleset: Ruleset) -> Population:
        """The engine's population of ``ruleset`` over the cached context of ``inputs``."""
        with self._lock:
            entries = list(self._entries.values())
        for entry in entries:
            if entry.ctx is inputs.ctx:
                return entry.population(ruleset)
        return engine_population(inputs.ctx, ruleset)


APP_EXTENSION = "kamscore.whatif_cache"


def app_inputs_cache(app: Any) -> InputsCache:
    """The cache of an app (created on first use; entries of open periods live
    ``WHATIF_CACHE_SECONDS``). ``app`` is the Flask app, given by the caller."""
    cache = app.extensions.get(APP_EXTENSION)
    if cache is None:
        ttl = float(app.config.get("WHATIF_CACHE_SECONDS", 300))
        cache = app.extensions.setdefault(APP_EXTENSION, InputsCache(ttl=ttl))
    return cache
