"""``MetricContext``: everything a metric may read about one period, as plain data.

The context is loaded once per score run (``kamscore.scoring.context_loader``) with a fixed
number of batched queries and handed to every metric. Once loaded it is plain data — numpy
arrays, tuples, dicts and frozen dataclasses — so metrics are tested with a hand-built context (see
``kamscore.metrics.assemble``) and never touch the database.

Large tables are column-oriented (one numpy array per column) so metrics compute the whole
population at once. Row indices refer to other tables: ``Assignments.kam`` indexes
``ctx.kams``, ``Assignments.account`` and ``FactColumns.account`` index ``ctx.accounts``
(-1 = none), ``Objectives.plan`` and ``Actions.plan`` index ``ctx.plans``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from kamscore.metrics.fact_table import FactTable, read_only
from kamscore.metrics.needs import (
    FactNeeds,
    ScopedSurveyResults,
    scoped_survey_results,
)
from kamscore.metrics.positions import ascii_keys, index_of, sorted_positions
from kamscore.metrics.record_lists import RecordLists
from kamscore.metrics.survey_results import SurveyResults


@dataclass(frozen=True)
class PeriodInfo:
    """A period: ``code`` (2026-Q1), ``kind`` (month, quarter, year), inclusive dates."""

    code: str
    kind: str
    start: dt.date
    end: dt.date
    closed: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, eq=False)
class Population:
    """The KAMs scored in the period, sorted by person code; every array has one entry each.

    ``team`` is the KAM's own account team (the team he leads, else the team where he is a
    member in the "kam" function; the first by team code when several) — team metrics are
    attributed through it. ``segment`` is the segment of the account he had the most days
    in the period. ``focus_product`` is the product with the largest credited ``net_sales``
    over his accounts and ``phase`` its lifecycle phase in the period. ``eligible_days`` are
    the period's days in which he held his role (start/end dates); ``start_dates`` the day he
    started in the role (datetime64[D], NaT when unknown). Unknown values are None (NaN for
    ``base_salary``).
    """

    codes: np.ndarray
    names: np.ndarray
    roles: np.ndarray
    grades: np.ndarray
    base_salary: np.ndarray
    currency: np.ndarray
    managers: np.ndarray
    teams: np.ndarray
    segments: np.ndarray
    focus_products: np.ndarray
    phases: np.ndarray
    eligible_days: np.ndarray
    start_dates: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def index(self) -> Mapping[str, int]:
        """Person code → position in every array of the population."""
        return index_of(self.codes)


@dataclass(frozen=True, eq=False)
class Accounts:
    """Every key account (not only those assigned in the period), sorted by code."""

    codes: np.ndarray
    names: np.ndarray
    types: np.ndarray
    segments: np.ndarray
    regions: np.ndarray
    teams: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def index(self) -> Mapping[str, int]:
        return index_of(self.codes)

    @cached_property
    def code_keys(self) -> np.ndarray:
        """The codes as a numpy string array (bytes when ASCII: 5 MB, not 20, at 100,000
        KAMs), made once per context: every binary search of account codes
        (:func:`~kamscore.metrics.positions.sorted_positions`) starts there, and at 100,000
        KAMs making it took 0.05 s each time."""
        keys = ascii_keys(self.codes)
        return read_only(keys.copy() if keys is self.codes else keys)

    def positions(self, codes: np.ndarray) -> np.ndarray:
        """The position of each of ``codes`` (account codes, None allowed) among the
        accounts, -1 where there is none; read-only. The last answer is kept: the survey
        metrics of one run look up the same subjects measure after measure (two searches of
        400,000 codes at 100,000 KAMs, 0.1 s each), and an equal column — compared value by
        value, a tenth of a search — gets it again."""
        last = self.__dict__.get("_last_positions")  # a cache on a frozen dataclass
        given = np.asarray(codes, dtype=object)
        if last is not None and len(last[0]) == len(given) and np.array_equal(last[0], given):
            return last[1]
        found = read_only(sorted_positions(self.code_keys, given))
        self.__dict__["_last_positions"] = (given.copy(), found)  # a copy: codes may change
        return found


@dataclass(frozen=True, eq=False)
class Assignments:
    """Assignments of the population's KAMs that overlap the period (one row each).

    ``days`` counts the days of the period covered by the assignment *and* the KAM's role;
    ``weight = days / period days * share`` is the credit factor: a KAM is credited with that
    fraction of an account's period figures (linear proration by days, then the share when
    an account is split between KAMs).
    """

    kam: np.ndarray  # int, index into ctx.kams
    account: np.ndarray  # int, index into ctx.accounts
    start: np.ndarray  # datetime64[D], the assignment's own dates
    end: np.ndarray  # datetime64[D], NaT when open-ended
    days: np.ndarray  # int
    share: np.ndarray  # float
    weight: np.ndarray  # float

    def __len__(self) -> int:
        return len(self.kam)

    @cached_property
    def distinct_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Each (KAM, account) once, sorted by KAM then account: (kams, accounts), read-only.

        Computed once for every metric that reads it (the contexts a metric sees share this
        object): at 100,000 KAMs the sort of 800,000 keys costs tens of milliseconds.
        ``np.unique(np.stack([kam, account]), axis=1)``, a tenth of its time: one int64 key,
        made distinct by sorting (np.unique's hash table is 8x slower at 800,000 keys)."""
        if not len(self.kam):
            return read_only(np.empty(0, dtype=np.int64)), read_only(np.empty(0, dtype=np.int64))
        width = int(self.account.max()) + 1
        # the assignments come sorted by KAM (assemble): runs the stable sort (timsort)
        # merges at once — 8 ms at 100,000 KAMs where the default sort takes 38
        keys = np.sort(self.kam.astype(np.int64) * width + self.account, kind="stable")
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        keys = keys[first]
        return read_only(keys // width), read_only(keys % width)

    def kam_totals(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Per KAM of a population of ``size``: the credit weights and the number of
        assignments (read-only; computed once, the same for every figure credited)."""
        cached = self.__dict__.get("_kam_totals")
        if cached is None or len(cached[0]) != size:
            cached = (read_only(np.bincount(self.kam, weights=self.weight, minlength=size)),
                      read_only(np.bincount(self.kam, minlength=size)))
            self.__dict__["_kam_totals"] = cached  # a cache on a frozen dataclass
        return cached


@dataclass(frozen=True, eq=False)
class AccountPlans:
    """Account plans in force in the period, at most one per account: the plan of the period
    itself, else the plan of the shortest period containing it (an annual plan, in a
    quarterly run). ``period`` is the code of the plan's period; ``owner`` indexes
    ``ctx.kams`` (-1 when the owner is not in the population); ``quality_rating`` is the
    manager's 1..5 rating, NaN when not rated."""

    account: np.ndarray
    owner: np.ndarray
    quality_rating: np.ndarray
    period: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True, eq=False)
class Objectives:
    """Objectives of the plans; ``met`` is 1.0 (met), 0.0 (not met) or NaN (not assessed)."""

    plan: np.ndarray
    code: np.ndarray
    target: np.ndarray
    actual: np.ndarray
    met: np.ndarray

    def __len__(self) -> int:
        return len(self.plan)


@dataclass(frozen=True, eq=False)
class Actions:
    """Actions of the plans: due and done dates as datetime64[D] (done NaT: not done)."""

    plan: np.ndarray
    code: np.ndarray
    due: np.ndarray
    done: np.ndarray

    def __len__(self) -> int:
        return len(self.plan)


@dataclass(frozen=True, eq=False)
class Stakeholders:
    """DMU stakeholders of every account: ``account`` indexes ``ctx.accounts``."""

    account: np.ndarray
    role: np.ndarray
    influence: np.ndarray
    partnership_level: np.ndarray
    is_key: np.ndarray

    def __len__(self) -> int:
        return len(self.account)

    def key_count(self, n_accounts: int) -> np.ndarray:
        """Per account: how many of its stakeholders are key (the DMU's decisive members)."""
        return np.bincount(self.account[self.is_key], minlength=n_accounts)


@dataclass(frozen=True)
class TeamMemberInfo:
    person: str
    function: str


@dataclass(frozen=True)
class TeamInfo:
    code: str
    name: str
    lead: str | None
    members: tuple[TeamMemberInfo, ...] = ()


@dataclass(frozen=True)
class Credited:
    """Figures credited to each KAM through his assignments (see :meth:`MetricContext.credit`).

    ``total`` is NaN for a KAM none of whose accounts has the figure; ``weight`` sums the
    credit weights of all his assignments, ``known_weight`` of those with the figure;
    ``accounts``/``known_accounts`` count the assignments likewise.
    """

    total: np.ndarray
    known_weight: np.ndarray
    weight: np.ndarray
    accounts: np.ndarray
    known_accounts: np.ndarray


@dataclass(frozen=True, eq=False)
class MetricContext:
    """Everything metrics may read about one period and its whole population."""

    period: PeriodInfo
    previous_year: PeriodInfo | None
    kams: Population
    accounts: Accounts
    assignments: Assignments
    facts: FactTable
    previous_facts: FactTable  # the facts of ``previous_year`` (empty when there is none)
    plans: AccountPlans
    objectives: Objectives
    actions: Actions
    stakeholders: Stakeholders
    teams: Mapping[str, TeamInfo]
    product_phases: Mapping[str, str]  # product code → lifecycle phase in the period
    survey_results: SurveyResults = field(default_factory=lambda: SurveyResults(source="none"))

    @property
    def fact_needs(self) -> FactNeeds:
        """The facts and survey measures this context can serve (``None`` parts: all)."""
        surveys = self.survey_results
        return FactNeeds(self.facts.scope, self.previous_facts.scope,
                         surveys.scope if isinstance(surveys, ScopedSurveyResults) else None)

    def for_needs(self, needs: FactNeeds) -> MetricContext:
        """This context as a metric that declares ``needs`` sees it: only those facts and
        survey measures."""
        if needs == FactNeeds.everything():
            return self
        return dataclasses.replace(
            self, facts=self.facts.restricted(needs.current),
            previous_facts=self.previous_facts.restricted(needs.previous),
            survey_results=scoped_survey_results(self.survey_results, needs.surveys))

    def credit(self, per_account: np.ndarray) -> Credited:
        """Credit per-account figures (aligned to ``ctx.accounts``, NaN = unknown) to KAMs:
        ``total[k] = Σ weight * figure`` over KAM k's assignments in the period.

        Every sum is a ``bincount`` over the assignments in their order, so the figures are
        the same to the bit however they are reached. When every assigned account has the
        figure (half the calls of a standard run) the known weights and counts are the
        assignments' own, computed once per context (:meth:`Assignments.kam_totals`): at
        100,000 KAMs each pass over the 800,000 assignments leaves the processor's caches."""
        a = self.assignments
        k = len(self.kams)
        weight, accounts = a.kam_totals(k)
        values = per_account[a.account] if len(a) else np.empty(0)
        unknown = np.isnan(values)
        weighted = a.weight * values
        if unknown.any():
            weighted[unknown] = 0.0
            known_weight = np.bincount(a.kam, weights=np.where(unknown, 0.0, a.weight),
                                       minlength=k)
            known_accounts = np.bincount(a.kam, weights=(~unknown).astype(float),
                                         minlength=k).astype(np.int64)
        else:
            known_weight, known_accounts = weight.copy(), accounts.astype(np.int64)
        total = np.bincount(a.kam, weights=weighted, minlength=k)
        return Credited(
            total=np.where(known_accounts > 0, total, np.nan),
            known_weight=known_weight,
            weight=weight.copy(),
            accounts=accounts.copy(),
            known_accounts=known_accounts,
        )

    def credited_mean(self, per_account: np.ndarray,
                      account_weights: np.ndarray | None = None) -> np.ndarray:
        """Per KAM, the mean of a per-account figure over his accounts, weighted by the credit
        weight (times ``account_weights`` when given, e.g. account sales); NaN when none of
        his accounts has the figure (or all weights are zero)."""
        values = per_account if account_weights is None else per_account * account_weights
        weights = np.where(np.isnan(per_account), np.nan,
                           1.0 if account_weights is None else account_weights)
        num = self.credit(values)
        den = self.credit(np.asarray(weights, dtype=float))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num.total / den.total
        return np.where(np.isfinite(mean) & (den.total > 0), mean, np.nan)

    def credited_fact_mean(self, name: str, *, weight_by: str | None = None,
                           products: Collection[str] | None = None) -> np.ndarray:
        """Per KAM, the mean of a per-account fact (its plain mean per account over products)
        over his accounts, weighted by the credit weight — times the account's total of the
        fact ``weight_by`` when given (accounts where that is missing or not positive are
        left out). For non-additive figures such as market share."""
        per_account = self.facts.account_means(name, products)
        if weight_by is None:
            return self.credited_mean(per_account)
        weights = self.facts.account_totals(weight_by, products)
        weights = np.where(weights > 0, weights, np.nan)
        return self.credited_mean(np.where(np.isnan(weights), np.nan, per_account), weights)

    def team_of_kams(self) -> np.ndarray:
        """Team code of each KAM (None when he is in no team), aligned to ``ctx.kams``."""
        return self.kams.teams

    def assignment_inputs(self) -> RecordLists:
        """Per KAM, his assignments in the period as inputs for statements: a list of
        ``{"account", "days", "share", "weight"}`` (weight rounded to 6 decimals), aligned to
        ``ctx.kams``; kept column-wise (a :class:`RecordLists`), read like a list per KAM."""
        a = self.assignments
        codes = np.asarray(self.accounts.codes, dtype=object)
        return RecordLists.grouped(
            a.kam, len(self.kams),
            {"account": codes[a.account] if len(a) else np.empty(0, dtype=object),
             "days": a.days, "share": a.share, "weight": a.weight},
            digits={"weight": 6})
