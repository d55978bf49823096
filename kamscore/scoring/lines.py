"""Score lines: each KAM's inputs (hashed), explanation (stored) and payout.

Hashes (all SHA-256 of canonical JSON, see ``kamscore.scoring.canonical``):

- the *common* inputs of a run: period code, roles scored, the ruleset version's content
  hash, and for each distinct metric request its key, metric, parameters, plugin and versions;
- a *line's* input hash: the common inputs plus that KAM's population attributes and, for
  every metric request, his value, ``n``, no-data reason and the inputs the metric reported
  (or the failure) — the ``in`` part of his stored detail. Changing a fact behind one KAM's
  value changes his line's hash and no other;
- the *run's* input hash: the common inputs plus every line hash in KAM-code order;
- the *result* hash: every line's stored detail, in KAM-code order — the digests of the
  uncompressed bytes of the run's detail blocks (``kamscore.scoring.detail_blocks``; runs
  made before them hashed each line's JSON text). Two runs on the same inputs have equal
  result hashes — byte-identical results.

The input records are produced column-wise by ``kamscore.scoring.codec``, block by block;
what the engine computed is stored from the evaluation's statement columns
(``kamscore.engine.statement_columns``), never one statement object per KAM.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.engine.results import Status
from kamscore.metrics.compute import MetricFailure, MetricOutcome
from kamscore.scoring import codec, detail_blocks
from kamscore.scoring.canonical import dumps_plain, sha256_text, to_plain
from kamscore.scoring.evaluation import PeriodInputs, Scored, component_requests
from kamscore.scoring.layout import layout_of


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


@dataclass(frozen=True)
class BuiltLines:
    lines: list[dict[str, Any]]  # LINE_COLUMNS of run_store, person_id filled by the caller
    blocks: list[detail_blocks.EncodedBlock]  # the lines' detail (their ``detail`` is empty)
    common: dict[str, Any]
    layout: dict[str, Any]
    input_hash: str
    result_hash: str
    kam_count: int
    eligible_count: int
    held_count: int
    total_payout: str  # exact decimal text
    total_target: float


def used_outcomes(scored: Scored, inputs: PeriodInputs) -> dict[str, MetricOutcome]:
    """The outcomes of the metric requests the ruleset's components use, by request key."""
    requests = component_requests(scored.evaluation.ruleset)
    return {key: inputs.outcomes[key]
            for key in sorted({r.resolved_key for r in requests.values()})}


def build_lines(*, ruleset_hash: str, inputs: PeriodInputs, scored: Scored) -> BuiltLines:
    """The lines of a run of the ruleset (source hash ``ruleset_hash``) on ``inputs``."""
    ev = scored.evaluation
    outcomes = used_outcomes(scored, inputs)
    common = {"period": inputs.period_code, "roles": list(inputs.roles),
              "ruleset": ruleset_hash, "metrics": metric_sources(outcomes)}
    common_json = dumps_plain(common)
    sources = {cid: r.resolved_key for cid, r in component_requests(ev.ruleset).items()}

    population = inputs.population
    prefix = hashlib.sha256((common_json + "\n").encode("utf-8"))
    hashes: list[str] = [""] * ev.size

    def records(rows: np.ndarray) -> list[str]:
        found = codec.input_records(population.codes, population.attributes, outcomes, rows)
        for index, record in zip(rows.tolist(), found, strict=True):
            digest = prefix.copy()  # = sha256_text(common_json + "\n" + record), no copies
            digest.update(record.encode("utf-8"))
            hashes[index] = digest.hexdigest()
        return found

    blocks = detail_blocks.encode(ev.statement_columns(), records)
    codes = inputs.population.codes.tolist()
    payouts = ev.payout.tolist()
    eligible = ev.eligible.tolist()
    held = (ev.status == Status.HELD).tolist()
    scores, targets, prorations = (_finite(ev.final_factor), _finite(ev.target),
                                   _finite(ev.proration))
    lines = [
        {"kam_code": codes[i], "eligible": eligible[i], "held": held[i], "score": scores[i],
         "target_incentive": targets[i], "proration": prorations[i], "payout": payouts[i],
         "input_hash": hashes[i], "detail": ""}
        for i in range(ev.size)
    ]
    paid_target = np.where(ev.eligible & np.isfinite(ev.target), ev.target * ev.proration, 0.0)
    return BuiltLines(
        lines=lines,
        blocks=blocks,
        common=common,
        layout=layout_of(ev.ruleset, sources),
        input_hash=sha256_text(common_json + "\n" + "\n".join(hashes)),
        result_hash=_result_hash(blocks),
        kam_count=ev.size,
        eligible_count=int(ev.eligible.sum()),
        held_count=int((ev.status == Status.HELD).sum()),
        total_payout=str(ev.total),
        total_target=float(paid_target.sum()),
    )


def _result_hash(blocks: list[detail_blocks.EncodedBlock]) -> str:
    """SHA-256 of the SHA-256 digests of the detail blocks' uncompressed bytes, in order
    (KAM-code order)."""
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(block.digest)
    return digest.hexdigest()


def _finite(values: np.ndarray) -> list[float | None]:
    return [x if math.isfinite(x) else None for x in np.asarray(values, dtype=float).tolist()]
