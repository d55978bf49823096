"""What-if: a draft ruleset on a past period's inputs, compared with the published one.

Nothing is stored (until ``save_scenario`` makes the draft a new draft version). The draft
(YAML text, a stored version, or the baseline with weights — of the plan or under variants —
or any other number changed: ``plan_edits``) and the baseline (by default the published
version of the draft's ruleset) are evaluated by the same engine code path as official runs,
on the same inputs: the period's context loaded for the people in either ruleset's eligible
roles, each metric request computed once. ``InputsCache`` keeps those inputs between calls,
so an analyst's next try only reruns the engine.

The comparison: total cost (payout) of each and the change; the change per KAM; the
distribution of payouts (10th, 25th, 50th, 75th and 90th percentiles over eligible KAMs);
the KAMs whose payout rises and falls most; with ``details``, the payout histogram, the cost
by team, segment, lifecycle phase and variant (teams by their names, looked up in one query,
and variants by their titles beside the ids), and the cap and threshold crossings
(``whatif_breakdown``). With the draft being the published ruleset, the numbers are those of
an official run on the same data.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kamscore.engine import Evaluation, Ruleset
from kamscore.engine.results import Status
from kamscore.models import RulesetVersion
from kamscore.scoring.errors import InvalidInputError, NotFoundError
from kamscore.scoring.evaluation import (
    Scored,
    component_requests,
    population_roles,
    score,
)
from kamscore.scoring.group_labels import team_names
from kamscore.scoring.inputs_cache import CacheInfo, InputsCache
from kamscore.scoring.lifecycle import (
    import_ruleset,
    parse_source,
    parse_version,
    published_version,
    resolve_ref,
)
from kamscore.scoring.periods import get_period
from kamscore.scoring.plan_edits import set_values, set_weights
from kamscore.scoring.whatif_breakdown import breakdown

PERCENTILES = (10, 25, 50, 75, 90)


@dataclass(frozen=True)
class Plan:
    """A ruleset to evaluate and how it is named in the report."""

    ruleset: Ruleset
    label: str
    version: RulesetVersion | None = None
    source: str | None = None


def with_weights(source: str, weights: dict[str, Any], filename: str = "draft.yaml",
                 variant_weights: dict[str, dict[str, Any]] | None = None) -> str:
    """``source`` with the base weights of the named components (and, with
    ``variant_weights``, weights under variants) replaced, everything else (comments, layout)
    left as written; each variant keeps the weights not given for it, so it still adds up to
    100 % (see ``plan_edits.set_weights``). Unknown component ids are an error."""
    return set_weights(source, weights, variant_weights, filename)


def _plan_of_version(version: RulesetVersion, pm: Any) -> Plan:
    return Plan(parse_version(version, pm), f"{version.label} ({version.status})", version,
                version.source)


def resolve_plans(session: Session, pm: Any, *, draft_source: str | None = None,
                  draft_ref: str | None = None, weights: dict[str, Any] | None = None,
                  baseline_ref: str | None = None, filename: str = "draft.yaml",
                  variant_weights: dict[str, dict[str, Any]] | None = None,
                  values: dict[str, Any] | None = None) -> tuple[Plan, Plan | None]:
    """The draft and the baseline to compare (see ``what_if``)."""
    given = [x for x in (draft_source, draft_ref) if x]
    if len(given) > 1:
        raise InvalidInputError("give the draft as YAML text or as a stored version, not both",
                                field="draft")
    baseline = _plan_of_version(resolve_ref(session, baseline_ref), pm) if baseline_ref \
        else None
    if draft_ref:
        draft = _plan_of_version(resolve_ref(session, draft_ref), pm)
    elif draft_source:
        draft = Plan(parse_source(draft_source, filename, pm), f"{filename} (not stored)",
                     source=draft_source)
    elif baseline is not None:
        draft = baseline
    else:
        raise InvalidInputError("a draft is needed: YAML text, a stored version, or weights "
                                "with a baseline ruleset", field="draft")
    if weights or variant_weights or values:
        if draft.source is None:
            raise InvalidInputError("weights and values change a ruleset's text",
                                    field="weights")
        changed = draft.source
        if values:
            changed = set_values(changed, values, filename)
        if weights or variant_weights:
            changed = with_weights(changed, weights or {}, filename, variant_weights)
        what = "weights" if not values else "values" if not (weights or variant_weights) \
            else "weights and values"
        draft = Plan(parse_source(changed, filename, pm),
                     f"{draft.label} with {what} changed", source=changed)
    if baseline is None:
        try:
            baseline = _plan_of_version(published_version(session, draft.ruleset.name), pm)
        except NotFoundError:  # no published version of that name: nothing to compare with
            baseline = None
    return draft, baseline


def _summary(ev: Evaluation) -> dict[str, Any]:
    payout = ev.payout
    eligible = ev.eligible
    paid_target = np.where(eligible & np.isfinite(ev.target), ev.target * ev.proration, 0.0)
    values = payout[eligible] if eligible.any() else np.zeros(1)
    decimals = ev.ruleset.rounding.decimals
    return {
        "payout": float(ev.total),
        "target": float(paid_target.sum()),
        "kams": int(ev.size),
        "eligible": int(eligible.sum()),
        "held": int((ev.status == Status.HELD).sum()),
        # money: shown to the ruleset's rounding precision (linear interpolation between
        # the payouts on either side of each rank)
        "percentiles": {f"p{p}": round(float(np.percentile(values, p)), decimals)
                        for p in PERCENTILES},
        "mean": round(float(values.mean()), decimals),
    }


def _failures(scored: Scored) -> list[dict[str, Any]]:
    return [{"component": cid, "metric": f.metric, "plugin": f.plugin, "error": f.error}
            for cid, f in sorted(scored.failures.items())]


def what_if(session: Session, pm: Any, cache: InputsCache | None = None, *, period: str,
            draft_source: str | None = None, draft_ref: str | None = None,
            weights: dict[str, Any] | None = None, baseline_ref: str | None = None,
            filename: str = "draft.yaml", top: int = 10, include_all: bool = False,
            refresh: bool = False, variant_weights: dict[str, dict[str, Any]] | None = None,
            values: dict[str, Any] | None = None, details: bool = False) -> dict[str, Any]:
    """Evaluate the draft (and the baseline) on ``period`` and compare; stores nothing.

    The draft is ``draft_source`` (YAML text), ``draft_ref`` (a stored version such as
    ``standard:4``) or, with only ``baseline_ref``, the baseline itself; ``weights``
    ({component id: percent}) then changes its base weights, ``variant_weights`` ({variant:
    {component id: percent}}) weights under variants (each variant keeps the weights not
    given for it) and ``values`` ({key path: number}, see ``plan_edits``) any other number.
    The baseline defaults to the published version of the draft's ruleset (none: the report
    has the draft alone). ``details`` adds the histogram, the cost by team, segment,
    lifecycle phase and variant, and the cap and threshold crossings (``whatif_breakdown``)
    and the draft's YAML text.
    """
    started = time.perf_counter()
    if not 1 <= top <= 1000:
        raise InvalidInputError("top must be between 1 and 1000", field="top")
    found = get_period(session, period)
    draft, baseline = resolve_plans(session, pm, draft_source=draft_source,
                                    draft_ref=draft_ref, weights=weights,
                                    baseline_ref=baseline_ref, filename=filename,
                                    variant_weights=variant_weights, values=values)
    plans = [draft] + ([baseline] if baseline is not None else [])
    roles = tuple(sorted({r for p in plans for r in population_roles(p.ruleset)}))
    requests = {f"{i}:{cid}": r for i, p in enumerate(plans)
                for cid, r in component_requests(p.ruleset).items()}
    cache = cache if cache is not None else InputsCache(max_entries=1)
    inputs, info = cache.inputs(session, pm, found, roles, requests, draft.ruleset,
                                also=[p.ruleset for p in plans[1:]], refresh=refresh)
    loaded = time.perf_counter()
    draft_scored = score(draft.ruleset, inputs)
    base_scored = None
    if baseline is not None:
        base_inputs = dataclasses.replace(
            inputs, population=cache.population(inputs, baseline.ruleset))
        base_scored = score(baseline.ruleset, base_inputs)
    evaluated = time.perf_counter()
    report = _report(found.code, draft, baseline, draft_scored, base_scored, inputs, info,
                     top=top, include_all=include_all)
    if details:
        report["draft_source"] = draft.source
        if base_scored is not None:
            kams = inputs.ctx.kams
            report.update(breakdown(kams, base_scored.evaluation, draft_scored.evaluation,
                                    team_names=team_names(session, set(kams.teams.tolist()))))
    report["seconds"] = {"inputs": round(loaded - started, 4),
                         "engine": round(evaluated - loaded, 4),
                         "total": round(time.perf_counter() - started, 4)}
    return report


def _describe(plan: Plan) -> dict[str, Any]:
    version = plan.version
    return {"name": plan.ruleset.name, "label": plan.label,
            "version": version.version if version is not None else None,
            "status": version.status.value if version is not None else None}


def _report(period: str, draft: Plan, baseline: Plan | None, draft_scored: Scored,
            base_scored: Scored | None, inputs: Any, info: CacheInfo, *, top: int,
            include_all: bool) -> dict[str, Any]:
    ev = draft_scored.evaluation
    codes = inputs.population.codes
    names = np.asarray(inputs.ctx.kams.names, dtype=object)
    report: dict[str, Any] = {
        "period": period,
        "currency": draft.ruleset.currency,
        "draft": {**_describe(draft), **_summary(ev), "failures": _failures(draft_scored)},
        "baseline": None,
        "inputs": {"cached": info.cached, "loaded_on": info.loaded_on,
                   "metrics_computed": list(info.computed), "kams": len(codes)},
    }
    if base_scored is None or baseline is None:
        return report
    base = base_scored.evaluation
    report["baseline"] = {**_describe(baseline), **_summary(base),
                          "failures": _failures(base_scored)}
    change = ev.payout_minor - base.payout_minor
    scale = 10 ** ev.ruleset.rounding.decimals
    base_scale = 10 ** base.ruleset.rounding.decimals
    delta = ev.payout - base.payout
    total_change = report["draft"]["payout"] - report["baseline"]["payout"]
    report["change"] = {
        "payout": round(total_change, 6),
        "percent": (round(total_change / report["baseline"]["payout"] * 100, 4)
                    if report["baseline"]["payout"] else None),
        "kams_up": int((delta > 0).sum()),
        "kams_down": int((delta < 0).sum()),
        "kams_same": int((delta == 0).sum()),
    }
    exact = change if scale == base_scale else delta
    position = np.arange(len(codes))  # codes are sorted: ties in KAM-code order
    rising = np.lexsort((position, -exact))
    falling = np.lexsort((position, exact))

    def row(i: int) -> dict[str, Any]:
        return {"kam": str(codes[i]), "name": str(names[i]),
                "baseline": float(base.payout[i]), "draft": float(ev.payout[i]),
                "change": round(float(delta[i]), 6),
                "baseline_status": Status(int(base.status[i])).label,
                "draft_status": Status(int(ev.status[i])).label}

    report["risers"] = [row(i) for i in rising[:top].tolist() if delta[i] > 0]
    report["fallers"] = [row(i) for i in falling[:top].tolist() if delta[i] < 0]
    if include_all:
        report["kams"] = [row(i) for i in range(len(codes))]
    return report


def save_scenario(session: Session, pm: Any, *, baseline_ref: str, user: str,
                  draft_source: str | None = None, weights: dict[str, Any] | None = None,
                  variant_weights: dict[str, dict[str, Any]] | None = None,
                  values: dict[str, Any] | None = None, period: str | None = None,
                  note: str | None = None) -> RulesetVersion:
    """Store the scenario (the draft as ``what_if`` builds it) as the next draft version of
    its ruleset (``lifecycle.import_ruleset``: validated, audited as ``ruleset.draft``, then
    the approval flow as any draft)."""
    draft, _ = resolve_plans(session, pm, draft_source=draft_source, weights=weights,
                             variant_weights=variant_weights, values=values,
                             baseline_ref=None if draft_source else baseline_ref,
                             filename="what-if.yaml")
    if draft.source is None:  # pragma: no cover - resolve_plans always gives a text here
        raise InvalidInputError("nothing to save", field="draft")
    origin = f"what-if on {baseline_ref}" + (f", period {period}" if period else "")
    return import_ruleset(session, pm, draft.source, f"what-if-{draft.ruleset.name}.yaml",
                          user=user, note=note or origin)
