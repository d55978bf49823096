"""Facts about whole accounts and teams in the business year's quarters.

Per account: ``tenders_won``/``tenders_lost`` and ``formulary_wins``/``formulary_losses``
(counts; payers and purchasing groups run more tenders, strategic accounts more decisions,
better KAMs win more; written for the quarters in which the account decided any, as a
tender system exports them), ``investment`` (a share of sales plus a fixed programme budget per
segment) and ``dmu_key_engaged`` (how many of the account's key stakeholders were met).
Per team: the shared goal ``team_goal_target`` and ``team_goal_actual`` (joint customer
value projects delivered).
"""

from __future__ import annotations

import numpy as np

from kamscore.demo.accounts import TYPES, Accounts
from kamscore.demo.catalog import DemoPeriods
from kamscore.demo.facts import FactSink, SalesModel, Subjects
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec

TENDER_RATE = {"hospital": 0.8, "idn": 1.2, "payer": 1.0, "gpo": 2.5}
FORMULARY_RATE = {"hospital": 0.6, "idn": 0.8, "payer": 1.2, "gpo": 0.3}
SEGMENT_ACTIVITY = np.array([1.5, 1.0, 0.6])
INVESTMENT_FIXED = np.array([15_000.0, 5_000.0, 1_000.0])
ENGAGEMENT = np.array([0.85, 0.7, 0.5])  # share of key stakeholders engaged, by segment


def write_account_facts(
    sink: FactSink,
    spec: DemoSpec,
    accounts: Accounts,
    sales: SalesModel,
    periods: DemoPeriods,
    period_ids: dict[str, int],
) -> None:
    rng = spec.rng("account_facts")
    n = len(accounts)
    subjects = Subjects.of([f"account:{c}" for c in accounts.codes],
                           accounts=[accounts.ids[c] for c in accounts.codes])
    activity = SEGMENT_ACTIVITY[accounts.segment]
    tender_rate = np.array([TENDER_RATE[TYPES[t].value] for t in accounts.type]) * activity
    formulary_rate = np.array([FORMULARY_RATE[TYPES[t].value] for t in accounts.type]) * activity
    win_chance = np.clip(0.55 + 2.0 * sales.effect, 0.2, 0.9)
    engaged_chance = np.clip(ENGAGEMENT[accounts.segment] + 2.0 * sales.effect, 0.05, 1.0)
    for q, period in enumerate(periods.business_quarters, start=4):
        pid = period_ids[period]
        tenders = rng.poisson(tender_rate)
        won = rng.binomial(tenders, win_chance)
        decisions = rng.poisson(formulary_rate)
        kept = rng.binomial(decisions, win_chance)
        invested = sales.sales_by_account(n, q) * 0.04 * rng.lognormal(0.0, 0.35, n)
        invested += INVESTMENT_FIXED[accounts.segment]
        engaged = rng.binomial(accounts.dmu_key, engaged_chance)
        for name, unit, values, include in (
            ("tenders_won", "count", won, tenders > 0),
            ("tenders_lost", "count", tenders - won, tenders > 0),
            ("formulary_wins", "count", kept, decisions > 0),
            ("formulary_losses", "count", decisions - kept, decisions > 0),
            ("investment", "EUR", np.round(invested, -2), None),
            ("dmu_key_engaged", "count", engaged, None),
        ):
            sink.add(pid, name, unit, subjects, values=values.astype(float).tolist(),
                     include=include.tolist() if include is not None else None)


def write_team_facts(
    sink: FactSink, spec: DemoSpec, org: Org, periods: DemoPeriods, period_ids: dict[str, int]
) -> None:
    rng = spec.rng("team_facts")
    subjects = Subjects.of([f"team:{t.code}" for t in org.teams],
                           teams=[org.team_ids[t.code] for t in org.teams])
    team_skill = np.array([np.mean([org.kams[k].skill for k in t.kams]) for t in org.teams])
    for period in periods.business_quarters:
        pid = period_ids[period]
        target = rng.integers(6, 13, len(org.teams)).astype(float)
        actual = np.round(target * rng.lognormal(3 * team_skill, 0.18))
        sink.add(pid, "team_goal_target", "count", subjects, values=target.tolist())
        sink.add(pid, "team_goal_actual", "count", subjects, values=actual.tolist())
