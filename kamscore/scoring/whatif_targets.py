"""What-if for a target round: payouts and total cost under the proposed versus the approved
targets, with the published plan, on the round's period. Stores nothing.

The period's context is loaded once (the facts the plan reads); each scenario then sets
every KAM of the round's target facts to a fact about him — his proposal (else the top-down
value), or the value the round approves as it stands (accepted, adjusted, else top-down) —
as an approved round would write it, recomputes the metrics and evaluates the plan by the
same code path as a score run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.metrics.context import MetricContext
from kamscore.metrics.fact_table import FactColumns, FactTable
from kamscore.models import RulesetStatus, RulesetVersion, ScoreRun
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.evaluation import (
    PeriodInputs,
    component_requests,
    compute_outcomes,
    engine_population,
    fact_needs,
    load_context,
    population_roles,
    score,
)
from kamscore.scoring.lifecycle import parse_version, published_version
from kamscore.scoring.target_rounds import get_round

SCENARIOS = ("proposed", "approved")


def with_kam_facts(table: FactTable, name: str, values: Mapping[str, float]) -> FactTable:
    """``table`` where the facts ``name`` about the KAMs of ``values`` (code → value) are
    those values (replacing any about them; facts about accounts and teams are kept)."""
    cols = table.by_name.get(name)
    codes = np.array(list(values), dtype=object)
    new = np.array([float(v) for v in values.values()])
    if cols is None:
        kept = np.zeros(0, dtype=bool)
        empty = np.empty(0, dtype=object)
        cols = FactColumns(name, np.empty(0, dtype=np.int64), empty, empty, empty,
                           np.empty(0), empty)
    else:
        about_them = (cols.account < 0) & np.isin(cols.person, codes)
        kept = ~about_them
    none = np.full(len(codes), None, dtype=object)
    joined = FactColumns(
        name, np.concatenate([cols.account[kept], np.full(len(codes), -1, dtype=np.int64)]),
        np.concatenate([cols.person[kept], codes]), np.concatenate([cols.team[kept], none]),
        np.concatenate([cols.product[kept], none]), np.concatenate([cols.value[kept], new]),
        np.concatenate([cols.category[kept], none]))
    return dataclasses.replace(table, by_name={**table.by_name, name: joined})


def _plan_version(session: Session, period_id: int, ruleset: str | None) -> RulesetVersion:
    if ruleset:
        return published_version(session, ruleset)
    ran = session.scalar(select(ScoreRun.ruleset_name).where(ScoreRun.period_id == period_id)
                         .order_by(ScoreRun.id.desc()).limit(1))
    if ran:
        return published_version(session, ran)
    found = session.scalar(select(RulesetVersion).where(
        RulesetVersion.status == RulesetStatus.PUBLISHED).order_by(RulesetVersion.name))
    if found is None:
        raise NotFoundError("no published plan to compare with", field="plan")
    return found


def compare_targets(session: Session, pm: Any, code: str, *, ruleset: str | None = None,
                    top: int = 10) -> dict[str, Any]:
    """Total cost and each KAM's payout under the proposed and the approved targets of
    round ``code`` (``ruleset``: the published plan; default the one run on the period, else
    the first published), with the KAMs whose payout differs most."""
    target_round = get_round(session, code)
    version = _plan_version(session, target_round.period_id, ruleset)
    plan = parse_version(version, pm)
    period = target_round.period
    ctx = load_context(session, pm, period, population_roles(plan), fact_needs(pm, plan))
    requests = component_requests(plan)
    payouts: dict[str, np.ndarray] = {}
    totals: dict[str, Decimal] = {}
    for scenario in SCENARIOS:
        facts = ctx.facts
        for name in target_round.facts:
            values = {line.kam.code: float(line.proposal_value if scenario == "proposed"
                                           else line.approved_value)
                      for line in target_round.lines if line.fact_name == name}
            facts = with_kam_facts(facts, name, values)
        changed: MetricContext = dataclasses.replace(ctx, facts=facts)
        inputs = PeriodInputs(period.id, period.code, population_roles(plan), changed,
                              engine_population(changed, plan),
                              compute_outcomes(pm, changed, requests))
        evaluation = score(plan, inputs).evaluation
        payouts[scenario] = np.asarray(evaluation.payout, dtype=float)
        totals[scenario] = Decimal(str(evaluation.total))
    codes = [str(c) for c in ctx.kams.codes]
    names = [str(n) for n in ctx.kams.names]
    change = payouts["approved"] - payouts["proposed"]
    order = [int(i) for i in np.argsort(-np.abs(change), kind="stable") if change[i] != 0]
    return {
        "round": target_round.code, "period": period.code, "plan": version.label,
        "currency": plan.currency, "kams": len(codes),
        "proposed": totals["proposed"], "approved": totals["approved"],
        "change": totals["approved"] - totals["proposed"],
        "changed_kams": len(order),
        "movers": [{"kam": codes[i], "name": names[i],
                    "proposed": float(payouts["proposed"][i]),
                    "approved": float(payouts["approved"][i]),
                    "change": float(change[i])} for i in order[:top]],
    }
