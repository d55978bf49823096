"""Sales facts of the demo, generated column-wise with numpy, and the sink all facts go to.

Per account and product and quarter: ``net_sales`` (both years, so growth can be computed),
``sales_target``, ``formulary_status`` and ``gross_profit`` (business year), and for the
brands with market research ``market_share`` and ``penetration_index``. Facts sit on
quarters only; a year's figure is made from its quarters, so nothing is counted twice. Fact
names and units are those of docs/plugins.md ("Fact names").

The spread is plausible rather than uniform: account size depends on segment and type and is
log-normal, products follow their lifecycle phase (launch ramp, growth, flat maturity, a
sharp drop at loss of exclusivity that plans under-estimate), and KAMs differ in skill, so
attainment mostly lies between 80 % and 120 % with a few outliers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kamscore.demo.accounts import TYPES, Accounts
from kamscore.demo.bulk import RowStream
from kamscore.demo.catalog import PRODUCTS, DemoPeriods
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec
from kamscore.models import Fact, LifecyclePhase

FACT_COLUMNS = ("period_id", "name", "subject_key", "account_id", "person_id", "team_id",
                "product_id", "value", "category", "unit", "source")

#: Mean quarterly sales of one product at one account, by segment (EUR).
SEGMENT_SCALE = np.array([900_000.0, 300_000.0, 80_000.0])
TYPE_SCALE = {"hospital": 1.0, "idn": 1.6, "payer": 1.3, "gpo": 1.2}
SEASONALITY = np.array([0.96, 1.00, 0.97, 1.07])
#: Gross margin; generics after loss of exclusivity squeeze the price.
MARGIN = {LifecyclePhase.LOSS_OF_EXCLUSIVITY: 0.38}
DEFAULT_MARGIN = 0.71
FORMULARY = ("listed", "restricted", "not_listed")


@dataclass(frozen=True)
class Subjects:
    """The subjects of a batch of facts, as parallel lists (None where not applicable)."""

    keys: list[str]
    account_ids: Sequence[int | None]
    person_ids: Sequence[int | None]
    team_ids: Sequence[int | None]
    product_ids: Sequence[int | None]

    @classmethod
    def of(cls, keys: list[str], *, accounts: Sequence[int] | None = None,
           persons: Sequence[int] | None = None, teams: Sequence[int] | None = None,
           products: Sequence[int] | None = None) -> Subjects:
        none = [None] * len(keys)
        return cls(keys, accounts or none, persons or none, teams or none, products or none)


class FactSink:
    """Streams facts into the database (see ``bulk.RowStream``)."""

    def __init__(self, session: Session, source: str) -> None:
        self.stream = RowStream(session, Fact, FACT_COLUMNS)
        self.source = source

    def add(self, period_id: int, name: str, unit: str, subjects: Subjects, *,
            values: Sequence[float] | None = None, categories: Sequence[str] | None = None,
            include: Sequence[bool] | None = None) -> None:
        """One fact per subject (where ``include`` is true) with a value or a category."""
        n = len(subjects.keys)
        values = values if values is not None else [None] * n
        categories = categories if categories is not None else [None] * n
        include = include if include is not None else [True] * n
        self.stream.add(
            (period_id, name, k, a, pe, t, pr, v, c, unit, self.source)
            for k, a, pe, t, pr, v, c, keep in zip(
                subjects.keys, subjects.account_ids, subjects.person_ids, subjects.team_ids,
                subjects.product_ids, values, categories, include, strict=True,
            )
            if keep
        )

    def close(self) -> int:
        return self.stream.close()


@dataclass(frozen=True)
class Trend:
    """Sales multiplier per quarter (8) for each product: what happened and what was planned."""

    actual: np.ndarray  # shape (products, 8)
    planned: np.ndarray


def product_trends() -> Trend:
    """Multipliers from the lifecycle phases: 0 before launch, a ramp, growth, erosion."""
    actual = np.zeros((len(PRODUCTS), 8))
    planned = np.zeros((len(PRODUCTS), 8))
    for p, product in enumerate(PRODUCTS):
        level = plan = 1.0
        launched = 0
        for q, phase in enumerate(product.phases):
            if phase is LifecyclePhase.PRE_LAUNCH:
                level = plan = 0.0
            elif phase is LifecyclePhase.LAUNCH:
                level = plan = (0.2, 0.45, 0.7, 0.85)[min(launched, 3)]
                launched += 1
            elif phase is LifecyclePhase.GROWTH:
                level, plan = (level or 0.85) * 1.06, (plan or 0.85) * 1.06
            elif phase is LifecyclePhase.MATURITY:
                level, plan = level * 1.005, plan * 1.005
            else:  # loss of exclusivity: generics take more than the plan assumed
                first = product.phases[q - 1] is not LifecyclePhase.LOSS_OF_EXCLUSIVITY
                level *= 0.55 if first else 0.8
                plan *= 0.68 if first else 0.85
            actual[p, q], planned[p, q] = level, plan
    return Trend(actual, planned)


class SalesModel:
    """Which account carries which product, and its sales in each of the eight quarters.

    Pairs (account, product) are numbered; ``account``/``product`` give each pair's account
    index and product index.
    """

    def __init__(self, spec: DemoSpec, org: Org, accounts: Accounts) -> None:
        rng = spec.rng("sales")
        self.rng = rng
        n, n_products = len(accounts), len(PRODUCTS)
        # Each account carries some of the products (strategic 3-5, key 2-4, development
        # 1-3), big products more often.
        carried = rng.integers(0, 3, n) + np.array([3, 2, 1])[accounts.segment]
        weights = np.array([p.weight for p in PRODUCTS])
        order = np.argsort(rng.random((n, n_products)) ** (1 / weights), axis=1)[:, ::-1]
        mask = np.zeros((n, n_products), dtype=bool)
        np.put_along_axis(mask, order, np.arange(n_products)[None, :] < carried[:, None], axis=1)
        self.account, self.product = np.nonzero(mask)
        pairs = len(self.account)

        type_scale = np.array([TYPE_SCALE[TYPES[t].value] for t in accounts.type])
        base = (SEGMENT_SCALE[accounts.segment] * type_scale)[self.account]
        base *= weights[self.product] * rng.lognormal(0.0, 0.5, pairs)
        trend = product_trends()
        season = np.tile(SEASONALITY, 2)
        skill = np.array([org.kams[k].skill for k in accounts.primary_kam])
        self.effect = skill + rng.normal(0.0, 0.05, n)  # KAM skill + account luck

        noise = np.empty((pairs, 8))
        noise[:, :4] = rng.normal(0.0, 0.06, (pairs, 4))  # last year: ordinary variation
        noise[:, 4:] = rng.normal(self.effect[self.account][:, None], 0.09, (pairs, 4))
        new = np.array([p.phases[4] is LifecyclePhase.PRE_LAUNCH for p in PRODUCTS])
        noise[new[self.product], 4:] *= 2.5  # uptake of a new product varies more
        self.actual = base[:, None] * trend.actual[self.product] * season * np.exp(noise)
        self.target = base[:, None] * trend.planned[self.product] * season
        self.target *= rng.lognormal(0.0, 0.03, (pairs, 8))
        self.margin = np.array([[MARGIN.get(p.phases[q], DEFAULT_MARGIN) for q in range(8)]
                                for p in PRODUCTS])[self.product]
        self.margin *= rng.lognormal(0.0, 0.03, (pairs, 8))

    def subjects(self, accounts: Accounts, product_ids: dict[str, int]) -> Subjects:
        codes = accounts.codes
        account_ids = [accounts.ids[c] for c in codes]
        return Subjects.of(
            [f"account:{codes[a]}/product:{PRODUCTS[p].code}"
             for a, p in zip(self.account.tolist(), self.product.tolist(), strict=True)],
            accounts=[account_ids[a] for a in self.account.tolist()],
            products=[product_ids[PRODUCTS[p].code] for p in self.product.tolist()],
        )

    def sales_by_account(self, n_accounts: int, quarter: int) -> np.ndarray:
        return np.bincount(self.account, self.actual[:, quarter], minlength=n_accounts)

    def write(self, sink: FactSink, subjects: Subjects, periods: DemoPeriods,
              period_ids: dict[str, int]) -> None:
        """All facts per account and product, quarter by quarter."""
        status = self._formulary()
        share = self._market_share()
        researched = np.array([p.market_data for p in PRODUCTS])[self.product]
        for q, period in enumerate(periods.quarters):
            pid = period_ids[period]
            sold = self.actual[:, q] > 0
            sink.add(pid, "net_sales", "EUR", subjects, include=sold.tolist(),
                     values=np.round(self.actual[:, q]).tolist())
            if q < 4:
                continue
            b = q - 4
            for name, unit, values, include in (
                ("sales_target", "EUR", np.round(self.target[:, q]), sold),
                ("gross_profit", "EUR", np.round(self.actual[:, q] * self.margin[:, q]), sold),
                ("market_share", "pct", np.round(share[:, b], 1), sold & researched),
                ("penetration_index", "index", self._penetration(share[:, b]),
                 sold & researched),
            ):
                sink.add(pid, name, unit, subjects, include=include.tolist(),
                         values=values.tolist())
            sink.add(pid, "formulary_status", "status", subjects, include=sold.tolist(),
                     categories=[FORMULARY[s] for s in status[:, b].tolist()])

    def _formulary(self) -> np.ndarray:
        """Status per pair and business quarter: a slow Markov chain, new products climbing."""
        rng, pairs = self.rng, len(self.product)
        state = np.empty((pairs, 4), dtype=np.int64)
        fresh = np.array([p.phases[4] in (LifecyclePhase.PRE_LAUNCH, LifecyclePhase.LAUNCH)
                          for p in PRODUCTS])[self.product]
        cumulative = np.where(fresh[:, None], [0.2, 0.5, 1.0], [0.8, 0.95, 1.0])
        state[:, 0] = (rng.random(pairs)[:, None] > cumulative).sum(axis=1)
        for q in range(1, 4):
            move = rng.random(pairs)
            better = (move < np.where(fresh, 0.3, 0.08)) & (state[:, q - 1] > 0)
            worse = (move > 0.97) & (state[:, q - 1] < 2)
            state[:, q] = state[:, q - 1] - better + worse
        return state

    def _market_share(self) -> np.ndarray:
        """Share (0-100) of each product's market at the account, per business quarter."""
        rng, pairs = self.rng, len(self.product)
        share = np.empty((pairs, 4))
        level = 100 * rng.beta(2.0, 5.0, pairs)
        drift = 0.3 + 10 * self.effect[self.account]
        for q in range(4):
            level = np.clip(level + rng.normal(drift, 1.5), 0.5, 95.0)
            share[:, q] = level
        return share

    def _penetration(self, share: np.ndarray) -> np.ndarray:
        """100 = the product is used at the account as much as in its market on average."""
        mean = np.bincount(self.product, share) / np.maximum(np.bincount(self.product), 1)
        return np.round(100 * share / mean[self.product], 1)


def fact_source(spec: DemoSpec) -> str:
    return f"kamscore demo (seed {spec.seed})"


def as_floats(values: Any) -> list[float]:
    return np.asarray(values, dtype=float).tolist()
