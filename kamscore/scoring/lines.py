"""Score lines: each KAM's inputs (hashed), explanation (stored) and payout.

Hashes (all SHA-256 of canonical JSON, see ``kamscore.scoring.canonical``):

- the *common* inputs of a run: period code, the ruleset version's content hash, and for each
  distinct metric request its key, metric, parameters, plugin and versions;
- a *line's* input hash: the common inputs plus that KAM's population attributes and, for
  every metric request, his value, ``n``, no-data reason and the inputs the metric reported
  (or the failure). Changing a fact behind one KAM's value changes his line's hash and no
  other;
- the *run's* input hash: the common inputs plus every line hash in KAM-code order;
- the *result* hash: every line's stored explanation, in KAM-code order. Two runs on the same
  inputs have equal result hashes — byte-identical results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.results import Status
from ..metrics.compute import MetricFailure, MetricOutcome
from ..metrics.contract import json_scalar
from .canonical import dumps_plain, sha256_text, to_plain
from .evaluation import PeriodInputs, Scored, component_requests


def plain_column(column: np.ndarray | Sequence[Any]) -> list[Any]:
    """A column as plain JSON values (NaN and NaT become None)."""
    array = np.asarray(column)
    if array.dtype.kind == "f":
        return [None if math.isnan(x) else x for x in array.tolist()]
    if array.dtype.kind in "iub":
        return array.tolist()
    out = []
    for item in array.tolist():
        item = json_scalar(item)
        out.append(item if item is None or isinstance(item, str | int | bool) else
                   _plain_or_none(item))
    return out


def _plain_or_none(item: Any) -> Any:
    if isinstance(item, float):
        return None if math.isnan(item) else item
    return to_plain(item)


def metric_sources(outcomes: Mapping[str, MetricOutcome]) -> list[dict[str, Any]]:
    """Each distinct metric request: what was computed, by which plugin at which version."""
    sources = []
    for key in sorted(outcomes):
        outcome = outcomes[key]
        entry = {"key": key, "metric": outcome.metric, "params": to_plain(dict(outcome.params)),
                 "plugin": outcome.plugin}
        if isinstance(outcome, MetricFailure):
            entry.update(failed=True, error=outcome.error)
        else:
            entry.update(failed=False, metric_version=outcome.version,
                         plugin_version=outcome.plugin_version, unit=outcome.unit,
                         kind=outcome.kind, subject_type=outcome.subject_type)
        sources.append(entry)
    return sources


def _metric_rows(outcome: MetricOutcome, size: int) -> list[dict[str, Any]]:
    """Per KAM: value, n, reason and inputs of one metric request (or its failure)."""
    if isinstance(outcome, MetricFailure):
        return [{"failed": outcome.error}] * size
    values = plain_column(outcome.values)
    ns = outcome.n.tolist()
    reasons = outcome.reasons.tolist()
    columns = {name: plain_column(col) for name, col in outcome.input_columns.items()}
    rows = []
    for i in range(size):
        inputs = {name: col[i] for name, col in columns.items()}
        if outcome.input_rows is not None:
            inputs.update(to_plain(dict(outcome.input_rows[i])))
        rows.append({"value": values[i], "n": None if ns[i] < 0 else ns[i],
                     "reason": reasons[i], "inputs": inputs})
    return rows


@dataclass(frozen=True)
class BuiltLines:
    lines: list[dict[str, Any]]  # LINE_COLUMNS of run_store, person_id filled by the caller
    common: dict[str, Any]
    input_hash: str
    result_hash: str
    kam_count: int
    eligible_count: int
    held_count: int
    total_payout: str  # exact decimal text
    total_target: float


def kam_inputs(inputs: PeriodInputs, outcomes: Mapping[str, MetricOutcome]
               ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Per KAM, the plain inputs the engine saw; and per request key, the metric rows."""
    size = inputs.population.size
    attributes = {name: plain_column(col)
                  for name, col in sorted(inputs.population.attributes.items())}
    metric_rows = {key: _metric_rows(outcome, size) for key, outcome in sorted(outcomes.items())}
    codes = inputs.population.codes.tolist()
    records = []
    for i in range(size):
        records.append({
            "kam": codes[i],
            "attributes": {name: col[i] for name, col in attributes.items()},
            "metrics": {key: rows[i] for key, rows in metric_rows.items()},
        })
    return records, metric_rows


def build_lines(*, ruleset_hash: str, inputs: PeriodInputs, scored: Scored) -> BuiltLines:
    """The lines of a run of the ruleset (source hash ``ruleset_hash``) on ``inputs``."""
    requests = component_requests(scored.evaluation.ruleset)
    keys = sorted({r.resolved_key for r in requests.values()})
    outcomes = {key: inputs.outcomes[key] for key in keys}
    common = {"period": inputs.period_code, "roles": list(inputs.roles),
              "ruleset": ruleset_hash, "metrics": metric_sources(outcomes)}
    common_json = dumps_plain(common)
    records, metric_rows = kam_inputs(inputs, outcomes)

    ev = scored.evaluation
    lines = []
    line_hashes = []
    result_parts = []
    for i, record in enumerate(records):
        input_hash = sha256_text(common_json + "\n" + dumps_plain(record))
        line_hashes.append(input_hash)
        statement = ev.statement(i).to_dict()
        for component in statement["components"]:
            request = requests[component["id"]]
            row = metric_rows[request.resolved_key][i]
            component["source"] = request.resolved_key
            if "failed" in row:
                component["failure"] = row["failed"]
                component["inputs"] = {}
                component["reason"] = "the metric failed: " + row["failed"]
            else:
                component["inputs"] = row["inputs"]
                component["reason"] = row["reason"]
        statement["kam_input_hash"] = input_hash
        detail = dumps_plain(statement)
        result_parts.append(record["kam"] + "\t" + detail)
        lines.append({
            "kam_code": record["kam"],
            "eligible": bool(ev.eligible[i]),
            "held": int(ev.status[i]) == Status.HELD,
            "score": _finite(ev.final_factor[i]),
            "target_incentive": _finite(ev.target[i]),
            "proration": _finite(ev.proration[i]),
            "payout": float(statement["payout"]),
            "input_hash": input_hash,
            "detail": detail,
        })
    eligible = ev.eligible
    targets = np.where(eligible & np.isfinite(ev.target), ev.target * ev.proration, 0.0)
    return BuiltLines(
        lines=lines,
        common=common,
        input_hash=sha256_text(common_json + "\n" + "\n".join(line_hashes)),
        result_hash=sha256_text("\n".join(result_parts)),
        kam_count=ev.size,
        eligible_count=int(eligible.sum()),
        held_count=int((ev.status == Status.HELD).sum()),
        total_payout=str(ev.total),
        total_target=float(targets.sum()),
    )


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
