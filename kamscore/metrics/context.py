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

from kamscore.metrics.needs import (
    FactNeeds,
    ScopedSurveyResults,
    UndeclaredFactError,
    scoped_survey_results,
)
from kamscore.metrics.positions import index_of, positions_of
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


@dataclass(frozen=True, eq=False)
class FactColumns:
    """The facts of one name, column-wise. ``account`` indexes ``ctx.accounts`` (-1: none);
    ``person``, ``team`` and ``product`` are codes or None; ``value`` is NaN for
    categorical facts, whose label is in ``category``; ``item`` names the transaction
    (order, deal) a fact is about — None where it is the period's figure, and ``item`` is
    None altogether when no fact of the name has one."""

    name: str
    account: np.ndarray
    person: np.ndarray
    team: np.ndarray
    product: np.ndarray
    value: np.ndarray
    category: np.ndarray
    item: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.value)

    def product_ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct product codes sorted (an object array), and each fact's position in
        them (-1: no product)."""
        product = self.product
        present = product != None  # noqa: E711
        codes, inverse = np.unique(product[present].astype(str), return_inverse=True)
        ranks = np.full(len(product), -1, dtype=np.int32)
        ranks[present] = inverse.reshape(-1)
        return codes.astype(object), ranks


@dataclass(frozen=True, eq=False)
class FactTable:
    """The facts of one period, grouped by name, with whole-population accessors.

    ``scope`` is the set of names that may be read (``None``: every name of the period).
    A context loaded for given :class:`~kamscore.metrics.needs.FactNeeds` holds only those
    names, and each metric sees only the names it declares; reading any other name raises
    :class:`~kamscore.metrics.needs.UndeclaredFactError` rather than finding no rows.
    """

    by_name: Mapping[str, FactColumns]
    n_accounts: int
    scope: frozenset[str] | None = None
    previous: bool = False  # the table of ``ctx.previous_facts`` (for error messages)

    @classmethod
    def from_columns(cls, *, names: np.ndarray, account: np.ndarray, person: np.ndarray,
                     team: np.ndarray, product: np.ndarray, value: np.ndarray,
                     category: np.ndarray, n_accounts: int,
                     item: np.ndarray | None = None) -> FactTable:
        """Group aligned fact columns by name (``account`` as indices, -1 for none)."""
        ids: dict[str, int] = {}
        code = np.fromiter((ids.setdefault(n, len(ids)) for n in names), dtype=np.int64,
                           count=len(names))
        order = np.argsort(code, kind="stable")
        bounds = np.flatnonzero(np.diff(code[order])) + 1
        by_name = {}
        for rows in np.split(order, bounds) if len(order) else []:
            name = names[rows[0]]
            items = None
            if item is not None and any(x is not None for x in item[rows]):
                items = item[rows]
            by_name[name] = FactColumns(name, account[rows], person[rows], team[rows],
                                        product[rows], value[rows], category[rows], items)
        return cls(by_name=by_name, n_accounts=n_accounts)

    def names(self) -> list[str]:
        return sorted(n for n in self.by_name if self.scope is None or n in self.scope)

    def restricted(self, names: frozenset[str] | None) -> FactTable:
        """The same facts, of which only ``names`` may be read (``None``: no narrower).

        Names outside the table's own scope stay unreadable: the loader loads the union of
        what every metric of a run declares, so that happens only to a caller that loaded
        a context for other needs."""
        if names is None:
            return self
        return dataclasses.replace(self, scope=names if self.scope is None
                                   else names & self.scope)

    def select(self, name: str) -> FactColumns:
        """The facts called ``name`` (no rows when there are none)."""
        if self.scope is not None and name not in self.scope:
            raise UndeclaredFactError(name, self.scope, previous=self.previous)
        found = self.by_name.get(name)
        if found is not None:
            return found
        empty_obj = np.empty(0, dtype=object)
        return FactColumns(name, np.empty(0, dtype=np.int64), empty_obj, empty_obj, empty_obj,
                           np.empty(0), empty_obj)

    def account_totals(self, name: str, products: Collection[str] | None = None) -> np.ndarray:
        """Per account (aligned to ``ctx.accounts``): the sum of the numeric facts ``name``
        about it (over its products, or only ``products``); NaN where there is none."""
        total, count = self._account_sums(name, products)
        return np.where(count > 0, total, np.nan)

    def account_means(self, name: str, products: Collection[str] | None = None) -> np.ndarray:
        """Per account: the plain mean of the numeric facts ``name`` about it (one per
        account, or one per account and product); NaN where there is none."""
        total, count = self._account_sums(name, products)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def _account_sums(self, name: str,
                      products: Collection[str] | None) -> tuple[np.ndarray, np.ndarray]:
        cols = self.select(name)
        mask = (cols.account >= 0) & ~np.isnan(cols.value)
        if products is not None:
            mask &= np.isin(cols.product, np.asarray(list(products), dtype=object))
        if mask.all():  # the usual case: no copy of millions of facts' columns
            acc, values = cols.account, cols.value
        else:
            acc, values = cols.account[mask], cols.value[mask]
        total = np.bincount(acc, weights=values, minlength=self.n_accounts)
        return total, np.bincount(acc, minlength=self.n_accounts)

    def team_totals(self, name: str) -> dict[str, float]:
        """Team code → sum of the numeric facts ``name`` about the team (team facts only)."""
        cols = self.select(name)
        out: dict[str, float] = {}
        for team, value in zip(cols.team, cols.value, strict=True):
            if team is not None and not np.isnan(value):
                out[team] = out.get(team, 0.0) + float(value)
        return out

    def person_totals(self, name: str, index: Mapping[str, int], size: int) -> np.ndarray:
        """Per person of a population (``index``: code → position): the sum of the numeric
        facts ``name`` about that person; NaN where there is none."""
        cols = self.select(name)
        pos = positions_of(cols.person, index)
        mask = (pos >= 0) & ~np.isnan(cols.value)
        total = np.bincount(pos[mask], weights=cols.value[mask], minlength=size)
        seen = np.bincount(pos[mask], minlength=size) > 0
        return np.where(seen, total, np.nan)


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
        ``total[k] = Σ weight * figure`` over KAM k's assignments in the period."""
        a = self.assignments
        k = len(self.kams)
        values = per_account[a.account] if len(a) else np.empty(0)
        known = ~np.isnan(values)
        total = np.bincount(a.kam, weights=np.where(known, a.weight * values, 0.0), minlength=k)
        known_weight = np.bincount(a.kam, weights=np.where(known, a.weight, 0.0), minlength=k)
        known_accounts = np.bincount(a.kam, weights=known.astype(float), minlength=k)
        weight, accounts = self._credit_totals
        return Credited(
            total=np.where(known_accounts > 0, total, np.nan),
            known_weight=known_weight,
            weight=weight.copy(),
            accounts=accounts.copy(),
            known_accounts=known_accounts.astype(np.int64),
        )

    @cached_property
    def _credit_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Per KAM, the credit weights and the assignments: the same for every figure."""
        a, k = self.assignments, len(self.kams)
        return (np.bincount(a.kam, weights=a.weight, minlength=k),
                np.bincount(a.kam, minlength=k))

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
