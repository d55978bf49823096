"""What demo to build: its size, seed and year, and the counts they imply."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

#: At size 1 the demo has this many of each; ``--size N`` multiplies them.
KAMS_PER_SIZE = 40
TEAMS_PER_SIZE = 8
ACCOUNTS_PER_SIZE = 300
#: 2,500 is 100,000 KAMs, the size issue 16 asks a score run to handle (about 20 GB of SQLite).
MAX_SIZE = 2500
#: Survey campaigns (kamscore.demo.campaigns) are run up to this size: answering tens of
#: thousands of questionnaires would make a large demo slow to build, and the benchmarks
#: built on large demos measure the facts' survey results.
CAMPAIGNS_MAX_SIZE = 2

#: Random streams of the generator's parts; each part draws from its own stream so that a
#: change in one part never shifts the numbers of another.
STREAMS = (
    "org", "accounts", "stakeholders", "sales", "account_facts", "team_facts", "plans", "surveys",
    "campaigns", "response_quality",
)


@dataclass(frozen=True)
class DemoSpec:
    """Parameters of one demo database. The same spec always builds the same data.

    ``year`` is the demo's business year: its four quarters (and the year) carry targets and
    results, the year before carries last year's sales for growth. By default it is the last
    complete calendar year, so the demo always looks recent; pass it to pin the data.
    """

    size: float = 1.0
    seed: int = 42
    year: int | None = None

    def __post_init__(self) -> None:
        if not (0 < self.size <= MAX_SIZE):
            raise ValueError(f"size must be above 0 and at most {MAX_SIZE}, got {self.size}")
        if self.year is not None and not (1990 <= self.year <= 2200):
            raise ValueError(f"year must be between 1990 and 2200, got {self.year}")

    @property
    def business_year(self) -> int:
        return self.year if self.year is not None else dt.date.today().year - 1

    @property
    def with_campaigns(self) -> bool:
        """Whether the demo runs survey campaigns (see :data:`CAMPAIGNS_MAX_SIZE`)."""
        return self.size <= CAMPAIGNS_MAX_SIZE

    @property
    def n_kams(self) -> int:
        return max(1, round(KAMS_PER_SIZE * self.size))

    @property
    def n_teams(self) -> int:
        return max(1, min(self.n_kams, round(TEAMS_PER_SIZE * self.size)))

    @property
    def n_accounts(self) -> int:
        return max(self.n_kams, round(ACCOUNTS_PER_SIZE * self.size))

    @property
    def n_regional_managers(self) -> int:
        """One regional manager above every two teams."""
        return math.ceil(self.n_teams / 2)

    @property
    def n_joiners(self) -> int:
        """KAMs who join in the second quarter and take over accounts mid-quarter."""
        return round(self.n_kams * 0.05)

    @property
    def n_leavers(self) -> int:
        """KAMs who leave in the third quarter; their accounts pass to a colleague."""
        return round(self.n_kams * 0.025)

    def rng(self, stream: str) -> np.random.Generator:
        """The random generator of one part of the demo."""
        return np.random.default_rng([self.seed, STREAMS.index(stream)])


def code(prefix: str, number: int, total: int) -> str:
    """A natural key such as ``A00042``: at least five digits, more when ``total`` needs them."""
    width = max(5, len(str(total)))
    return f"{prefix}{number:0{width}d}"
