"""Column-wise encoding of score lines: canonical JSON for 10,000 KAMs in well under a second.

A run stores, per KAM, the inputs the engine saw and everything it computed. Building a
statement object per KAM and serialising it (``Evaluation.statement(i).to_dict()``) costs
about a millisecond a KAM; this module does the same work column by column instead:

1. every column (a numpy array of the evaluation, a metric's values or input column) is turned
   once into a list of JSON *tokens* (``tokens``): floats through ``repr``, text through
   ``json.dumps``, nested values through canonical JSON;
2. each KAM's JSON text is then assembled by joining his tokens with the keys in sorted
   order (``objects``) — the very text ``canonical_json`` would produce for the same data
   (tests compare the two).

What a line stores (its ``detail``, canonical JSON)::

    {"in":  {"attributes": {...}, "kam": "K1", "metrics": {request key: {"inputs": {...},
              "n": 12, "reason": null, "value": 0.93}, ...}},
     "out": {"amount": ..., "components": [[value, n, treatment, segment, raw_factor,
              multiplier, gate_factor, factor, capped, floored, weight, effective_weight,
              contribution], ...], "gates": [[passed, missing], ...], "modifiers": [[value,
              applied, missing], ...], "payout": "123.45", "reasons": [...], ...}}

``in`` is exactly what the line's input hash covers; ``out`` holds only what differs between
KAMs. What is the same for every KAM of the run — component titles, metrics, parts, curve
segment names per variant, gate conditions, treatment labels — is stored once, in the run's
``layout``; ``kamscore.scoring.layout`` makes it and expands a line with it back into the
full statement.

Runs made since migration 0014 keep this detail in compressed column-wise blocks
(``kamscore.scoring.detail_blocks``), which read back as exactly these dicts; the ``in``
records are still made here (``input_records``, block by block), while ``output_records``
and ``line_details`` are what runs stored before (kept for the tests and the benchmark that
compare the two).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from json.encoder import encode_basestring
from typing import Any

import numpy as np

from kamscore.engine.results import Evaluation, Ineligibility, Status, Treatment
from kamscore.engine.statement import _no_target_reason
from kamscore.engine.transforms import NO_SEGMENT
from kamscore.metrics.compute import MetricFailure, MetricOutcome
from kamscore.metrics.contract import json_scalar
from kamscore.metrics.record_lists import RecordLists
from kamscore.scoring.canonical import dumps_plain, to_plain

#: The order of a component's values in ``out.components``.
COMPONENT_FIELDS = ("value", "n", "treatment", "segment", "raw_factor", "multiplier",
                    "gate_factor", "factor", "capped", "floored", "weight", "effective_weight",
                    "contribution")

_NULL = "null"
_TRUE, _FALSE = "true", "false"
#: A text's JSON token, as ``json.dumps(text, ensure_ascii=False)`` writes it.
_quoted = encode_basestring


# -- tokens -------------------------------------------------------------------------------------


def _float_token(x: float) -> str:
    if x != x or x in (math.inf, -math.inf):  # NaN (and infinities: no data either)
        return _NULL
    return "0.0" if x == 0 else repr(x)


def _text_token(text: str, memo: dict[str, str]) -> str:
    found = memo.get(text)
    if found is None:
        found = memo[text] = _quoted(text)
    return found


def _value_token(value: Any, memo: dict[str, str]) -> str:
    value = json_scalar(value)
    if value is None:
        return _NULL
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, str):
        return _text_token(value, memo)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_token(value)
    return _nested_token(value)


def _nested_token(value: Any) -> str:
    try:
        return dumps_plain(value)
    except (TypeError, ValueError):  # numpy scalars or NaN somewhere inside
        return dumps_plain(to_plain(_scrub(value)))


def _scrub(value: Any) -> Any:
    """NaN (at any depth) as None, numpy scalars as Python ones."""
    value = json_scalar(value)
    if isinstance(value, Mapping):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def tokens(column: np.ndarray | RecordLists | Sequence[Any]) -> list[str]:
    """Canonical JSON token of every element of ``column`` (NaN and None are ``null``)."""
    if isinstance(column, RecordLists):
        return _record_list_tokens(column)
    array = column if isinstance(column, np.ndarray) else np.asarray(column, dtype=object)
    kind = array.dtype.kind
    if kind == "f":
        return _float_tokens(array)
    if kind == "b":
        return np.where(array, _TRUE, _FALSE).tolist()
    if kind in "iu":
        return list(map(str, array.tolist()))
    memo: dict[str, str] = {}
    out = []
    for item in array.tolist():
        if item is None:
            out.append(_NULL)
        elif type(item) is str:
            found = memo.get(item)
            if found is None:
                found = memo[item] = _quoted(item)
            out.append(found)
        elif type(item) is float:
            out.append(_float_token(item))
        elif type(item) is int:
            out.append(str(item))
        elif type(item) is list and all(type(x) is str for x in item):
            # a list of texts (account codes): what dumps_plain writes, without an encoder
            out.append("[" + ",".join(map(_quoted, item)) + "]")
        else:
            out.append(_value_token(item, memo))
    return out


def _float_tokens(array: np.ndarray) -> list[str]:
    """Tokens of a float column. Columns with few distinct values (factors of 1.0, weights,
    flags) are written through their distinct values (NaNs and ±0.0 collapse to one each,
    which is what their tokens say anyway)."""
    size = len(array)
    if size > 64:
        distinct, inverse = np.unique(array, return_inverse=True)
        if len(distinct) * 4 <= size:
            table = np.array([_float_token(x) for x in distinct.tolist()], dtype=object)
            return table[inverse.reshape(-1)].tolist()
    out = list(map(repr, array.tolist()))
    for i in np.flatnonzero(~np.isfinite(array) | (array == 0)).tolist():
        out[i] = "0.0" if array[i] == 0 else _NULL
    return out


def _record_list_tokens(column: RecordLists) -> list[str]:
    """Per subject, the JSON list of his records: the text ``dumps_plain`` writes for the
    list of dicts ``column[i]``, made field by field."""
    fields = {name: _json_tokens(column.values(name, column.rows),
                                 column.fields[name].dtype.kind)
              for name in column.fields}
    records = (next(iter(fields.values())) if column.plain
               else objects(fields, len(column.rows)))
    starts = column.starts.tolist()
    return ["[" + ",".join(records[a:b]) + "]" for a, b in pairwise(starts)]


def _json_tokens(values: list[Any], kind: str) -> list[str]:
    """The tokens of plain values as ``json.dumps`` writes them (``-0.0`` kept), NaN null."""
    if kind in "iu":
        return list(map(str, values))
    if kind == "b":
        return [_TRUE if x else _FALSE for x in values]
    if kind == "f":
        out = list(map(repr, values))
        for i in np.flatnonzero(~np.isfinite(np.asarray(values, dtype=float))).tolist():
            out[i] = _NULL
        return out
    memo: dict[str, str] = {}
    out = []
    for x in values:
        if type(x) is float:
            out.append(repr(x) if x == x and x not in (math.inf, -math.inf) else _NULL)
        elif x is None:
            out.append(_NULL)
        elif type(x) is str:
            out.append(_text_token(x, memo))
        else:
            out.append(_value_token(x, memo))
    return out


def constant(token: str, size: int) -> list[str]:
    return [token] * size


def objects(fields: Mapping[str, list[str]], size: int) -> list[str]:
    """Per row, the JSON object of ``fields`` (name → token column), keys sorted."""
    if not fields:
        return ["{}"] * size
    names = sorted(fields)
    template = "{" + ",".join(json.dumps(name, ensure_ascii=False).replace("%", "%%") + ":%s"
                              for name in names) + "}"
    return [template % row for row in zip(*(fields[name] for name in names), strict=True)]


def arrays(columns: Sequence[list[str]], size: int) -> list[str]:
    """Per row, the JSON array of the tokens of ``columns``."""
    if not columns:
        return ["[]"] * size
    return ["[" + ",".join(row) + "]" for row in zip(*columns, strict=True)]


# -- inputs -------------------------------------------------------------------------------------


def _metric_objects(outcome: MetricOutcome, size: int, rows: np.ndarray | None = None
                    ) -> list[str]:
    if isinstance(outcome, MetricFailure):
        return constant('{"failed":' + json.dumps(outcome.error, ensure_ascii=False) + "}",
                        size)

    def pick(column: Any) -> Any:
        if rows is None:
            return column
        if isinstance(column, np.ndarray | RecordLists):
            return column[rows]
        return [column[i] for i in rows.tolist()]

    columns = {name: pick(col) for name, col in outcome.input_columns.items()}
    inputs = objects({name: tokens(col) for name, col in columns.items()}, size)
    if outcome.input_rows is not None:
        picked = (outcome.input_rows if rows is None
                  else [outcome.input_rows[i] for i in rows.tolist()])
        inputs = []
        for i in range(size):
            merged = {name: json_scalar(col[i]) for name, col in columns.items()}
            merged.update(picked[i])
            inputs.append(_nested_token(merged))
    n = [_NULL if x < 0 else str(x) for x in pick(outcome.n).tolist()]
    return objects({"inputs": inputs, "n": n, "reason": tokens(pick(outcome.reasons)),
                    "value": tokens(pick(outcome.values))}, size)


def input_records(codes: np.ndarray, attributes: Mapping[str, np.ndarray],
                  outcomes: Mapping[str, MetricOutcome], rows: np.ndarray | None = None
                  ) -> list[str]:
    """Per KAM, the canonical JSON of what the engine saw about him (see the module doc);
    with ``rows`` (population indexes) only those KAMs', in that order."""
    if rows is not None:
        codes = np.asarray(codes)[rows]
        attributes = {name: col[rows] if isinstance(col, np.ndarray)
                      else [col[i] for i in rows.tolist()] for name, col in attributes.items()}
    size = len(codes)
    attrs = objects({name: tokens(col) for name, col in attributes.items()}, size)
    metrics = objects({key: _metric_objects(outcome, size, rows)
                       for key, outcome in outcomes.items()}, size)
    return objects({"attributes": attrs, "kam": tokens(codes), "metrics": metrics}, size)


# -- outputs ------------------------------------------------------------------------------------


def _segment_indexes(segment: np.ndarray) -> list[str]:
    """Segments as indexes into the layout's labels of the KAM's variant (label k names
    segment k - 1, so -1 "below the first point" is label 0); null when none applied."""
    return [_NULL if x == NO_SEGMENT else str(x + 1) for x in segment.tolist()]


def _reasons(ev: Evaluation) -> list[str]:
    """Per KAM, the JSON list of reasons a KAM is held or ineligible (as the engine's
    statement words them)."""
    ruleset = ev.ruleset
    size = ev.size
    reasons: list[list[str]] = [[] for _ in range(size)]
    for component, result in zip(ruleset.components, ev.components, strict=True):
        for i in np.flatnonzero(result.treatment == Treatment.HELD).tolist():
            reasons[i].append(f"no data for {component.id} (missing: hold)")
    for gate, result in zip(ruleset.gates, ev.gates, strict=True):
        if gate.if_missing.value == "hold":
            for i in np.flatnonzero(result.missing).tolist():
                reasons[i].append(f"gate {gate.id}: a value it reads has no data "
                                  "(if_missing: hold)")
    for i in np.flatnonzero(ev.no_component_data).tolist():
        reasons[i].append("no paying component has data")
    for i in np.flatnonzero(ev.eligible & np.isnan(ev.target)).tolist():
        reasons[i].append(_no_target_reason(ev, i))
    roles = ev.attributes.get("role")
    for i in np.flatnonzero(ev.ineligibility == Ineligibility.ROLE).tolist():
        role = None if roles is None else roles[i]
        reasons[i] = [f"role {role!r} is not among the eligible roles "
                      f"({', '.join(ruleset.eligibility.roles or ())})"]
    for i in np.flatnonzero(ev.ineligibility == Ineligibility.DAYS).tolist():
        reasons[i] = [f"fewer than {ruleset.eligibility.min_days} eligible days in the period"]
    return [dumps_plain(r) if r else "[]" for r in reasons]


def _money(minor: np.ndarray, ev: Evaluation) -> list[str]:
    """Rounded amounts as JSON strings of the exact decimal (no escaping needed)."""
    decimals = ev.ruleset.rounding.decimals
    if decimals == 0:
        return ['"' + str(x) + '"' for x in minor.tolist()]
    scale = 10**decimals
    out = []
    for x in minor.tolist():
        whole, fraction = divmod(abs(x), scale)
        out.append(f'"{"-" if x < 0 else ""}{whole}.{fraction:0{decimals}d}"')
    return out


def output_records(ev: Evaluation) -> list[str]:
    """Per KAM, the canonical JSON of what the engine computed that varies between KAMs."""
    size = ev.size
    components = []
    for result in ev.components:
        components.append(arrays([
            tokens(result.value), tokens(result.n), tokens(result.treatment.astype(np.int64)),
            _segment_indexes(result.segment.astype(np.int64)),
            tokens(result.raw_factor), tokens(result.multiplier), tokens(result.gate_factor),
            tokens(result.factor), tokens(result.capped), tokens(result.floored),
            tokens(result.weight), tokens(result.effective_weight), tokens(result.contribution),
        ], size))
    gates = [arrays([tokens(g.passed), tokens(g.missing)], size) for g in ev.gates]
    modifiers = [arrays([tokens(m.value), tokens(m.applied), tokens(m.missing)], size)
                 for m in ev.modifiers]
    fields = {
        "amount": tokens(ev.amount), "amount_capped": tokens(ev.amount_capped),
        "components": arrays(components, size), "eligible": tokens(ev.eligible),
        "final_factor": tokens(ev.final_factor), "gates": arrays(gates, size),
        "modifiers": arrays(modifiers, size),
        "parts": objects({k: _money(v, ev) for k, v in ev.part_minor.items()}, size),
        "horizons": objects({k: _money(v, ev) for k, v in ev.horizon_minor.items()}, size),
        "payout": _money(ev.payout_minor, ev), "plan_capped": tokens(ev.plan_capped),
        "plan_floored": tokens(ev.plan_floored), "plan_gate_factor": tokens(ev.plan_gate_factor),
        "plan_multiplier": tokens(ev.plan_multiplier), "proration": tokens(ev.proration),
        "reasons": _reasons(ev), "score": tokens(ev.score),
        "status": [json.dumps(Status(s).label) for s in ev.status.tolist()],
        "target": tokens(ev.target), "variant": tokens(ev.variant.astype(np.int64)),
    }
    fields.update(_shape_fields(ev, size))
    return objects(fields, size)


def _shape_fields(ev: Evaluation, size: int) -> dict[str, list[str]]:
    """Commissions, accelerator gates and ramps: stored only by runs of plans that have
    them (per component: null where it does not apply)."""
    fields: dict[str, list[str]] = {}
    if ev.commission is not None:
        fields["commission"] = tokens(ev.commission)
        fields["commissions"] = arrays([
            arrays([tokens(r.commission), tokens(r.raw_factor)], size)
            if r.commission is not None else constant(_NULL, size) for r in ev.components],
            size)
    if any(r.accelerator is not None for r in ev.components):
        fields["accelerators"] = arrays([
            tokens(r.accelerator) if r.accelerator is not None else constant(_NULL, size)
            for r in ev.components], size)
    if ev.ramp is not None:
        fields["ramp"] = tokens(ev.ramp)
    return fields


def line_details(inputs: list[str], outputs: list[str]) -> list[str]:
    return ['{"in":' + a + ',"out":' + b + "}" for a, b in zip(inputs, outputs, strict=True)]
