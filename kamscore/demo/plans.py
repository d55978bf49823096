"""Account plans of the business year: objectives with targets and results, actions with due
and done dates (most on time, some late, some not done), and the manager's quality rating."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.demo.accounts import Accounts
from kamscore.demo.bulk import insert_rows
from kamscore.demo.catalog import PRODUCTS, DemoPeriods
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec
from kamscore.models import AccountPlan, PlanAction, PlanObjective

#: Share of accounts with a plan, by segment (strategic, key, development).
PLAN_COVERAGE = np.array([1.0, 1.0, 0.3])
ACTIONS = (
    "Present real-world evidence to the P&T committee",
    "Quarterly business review with procurement",
    "Joint value dossier with market access",
    "Medical advisory board with the MSL",
    "Patient support programme kick-off",
    "Contract renewal negotiation",
    "Health-economic model walkthrough with the payer",
    "Map the DMU and update influence ratings",
    "Training for ward nurses on the new device",
)


def build_plans(
    session: Session,
    spec: DemoSpec,
    org: Org,
    accounts: Accounts,
    periods: DemoPeriods,
    period_ids: dict[str, int],
) -> dict[str, int]:
    """Insert plans, objectives and actions; return the counts written.

    Better KAMs (higher skill) get better ratings, meet more objectives and finish more
    actions on time.
    """
    rng = spec.rng("plans")
    year_id = period_ids[periods.years[1]]
    planned = np.nonzero(rng.random(len(accounts)) < PLAN_COVERAGE[accounts.segment])[0]
    owners = [accounts.year_end_kam[i] for i in planned.tolist()]
    effect = np.array([org.kams[k].skill for k in owners])
    rated = rng.random(len(owners)) < 0.9
    rating = np.clip(np.round(rng.normal(3.3 + 10 * effect, 0.8)), 1, 5).astype(int)
    account_ids = [accounts.ids[accounts.codes[i]] for i in planned.tolist()]
    insert_rows(session, AccountPlan, [
        {"account_id": account_id, "period_id": year_id, "owner_id": org.person_ids[owner],
         "quality_rating": int(rating[p]) if rated[p] else None,
         "rated_by_id": org.person_ids[org.manager_of[owner]] if rated[p] else None}
        for p, (account_id, owner) in enumerate(zip(account_ids, owners, strict=True))
    ])
    plan_id_of = dict(session.execute(
        select(AccountPlan.account_id, AccountPlan.id).where(AccountPlan.period_id == year_id)
    ).all())
    plan_ids = np.array([plan_id_of[a] for a in account_ids], dtype=np.int64)
    objectives = _objectives(rng, plan_ids, effect)
    actions = _actions(rng, plan_ids, effect, periods.year)
    insert_rows(session, PlanObjective, objectives)
    insert_rows(session, PlanAction, actions)
    return {"plans": len(plan_ids), "objectives": len(objectives), "actions": len(actions)}


def _numbered(rng: np.random.Generator, plan_ids: np.ndarray, low: int, high: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Between ``low`` and ``high`` items per plan: each item's plan index and number (1..)."""
    counts = rng.integers(low, high + 1, len(plan_ids))
    plan = np.repeat(np.arange(len(plan_ids)), counts)
    number = np.arange(len(plan)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    return plan, number


def _objectives(rng: np.random.Generator, plan_ids: np.ndarray, effect: np.ndarray
                ) -> list[dict]:
    """Four kinds of objective: sales growth (%), a formulary listing (0/1), medical education
    meetings held, and the partnership level reached with key DMU members."""
    plan, number = _numbered(rng, plan_ids, 2, 4)
    n, e = len(plan), effect[plan]
    kind = rng.integers(0, 4, n)
    product = rng.integers(0, len(PRODUCTS), n)
    growth = rng.integers(4, 13, n).astype(float)
    meetings = rng.integers(2, 7, n).astype(float)
    level = rng.integers(3, 5, n).astype(float)
    target = np.select([kind == 0, kind == 1, kind == 2], [growth, 1.0, meetings], level)
    actual = np.select(
        [kind == 0, kind == 1, kind == 2],
        [
            np.round(growth * rng.lognormal(3 * e, 0.35), 1),
            (rng.random(n) < 0.6 + 3 * e).astype(float),
            np.maximum(0, np.round(meetings + rng.normal(10 * e, 1.2))),
        ],
        np.clip(np.round(level + rng.normal(-0.3 + 10 * e, 0.8)), 1, 5),
    )
    wording = (
        "Grow net sales of {product} by {target:.0f} %",
        "Secure formulary listing for {product}",
        "Hold {target:.0f} joint medical education meetings",
        "Raise the partnership level with key DMU members to {target:.0f}",
    )
    ids = plan_ids.tolist()
    return [
        {"plan_id": ids[p], "code": f"O{k}", "target": t, "actual": a, "met": a >= t,
         "description": wording[w].format(product=PRODUCTS[pr].name, target=t)}
        for p, k, w, pr, t, a in zip(plan.tolist(), number.tolist(), kind.tolist(),
                                     product.tolist(), target.tolist(), actual.tolist(),
                                     strict=True)
    ]


def _actions(rng: np.random.Generator, plan_ids: np.ndarray, effect: np.ndarray, year: int
             ) -> list[dict]:
    """Actions due through the year: about 70 % done on time, 18 % late, 12 % not done
    (fewer misses for better KAMs). Nothing is done after today."""
    plan, number = _numbered(rng, plan_ids, 3, 6)
    n = len(plan)
    start = dt.date(year, 1, 1)
    due_offset = rng.integers(20, 360, n)
    outcome = rng.random(n) - 2 * effect[plan]
    early = rng.integers(0, 21, n)
    late = rng.integers(1, 46, n)
    wording = rng.integers(0, len(ACTIONS), n)
    today = dt.date.today()
    ids, rows = plan_ids.tolist(), []
    for p, k, d, o, e, la, w in zip(plan.tolist(), number.tolist(), due_offset.tolist(),
                                    outcome.tolist(), early.tolist(), late.tolist(),
                                    wording.tolist(), strict=True):
        due = start + dt.timedelta(days=d)
        done = (due - dt.timedelta(days=e) if o < 0.70
                else due + dt.timedelta(days=la) if o < 0.88 else None)
        rows.append({"plan_id": ids[p], "code": f"A{k}", "description": ACTIONS[w],
                     "due_date": due, "done_date": done if done and done <= today else None})
    return rows
