"""Running metrics: :func:`compute_metrics`, the single entry point for every caller.

Score runs, statements and what-if all compute metric values through this function, so a
metric behaves the same everywhere. Each request names a metric and its parameters; each
outcome is either :class:`MetricValues` (numpy arrays aligned to ``ctx.kams``: value with NaN
for no data, ``n`` with -1 where it does not apply, and per-KAM inputs and reasons) or
:class:`MetricFailure` (the plugin, the metric, the error and its traceback).

Isolation: a metric that raises, returns something other than a :class:`MetricResult`,
returns values for subjects that do not exist, or returns values that are not finite numbers
fails *alone*. Its outcome is a failure naming its plugin; the other metrics are unaffected,
and no failure ever becomes a zero — it is up to the ruleset's missing-data rule (or the
score run's review hold) what a failure means for the KAMs.
"""

from __future__ import annotations

import json
import logging
import math
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import marshmallow
import numpy as np

from kamscore.metrics.context import MetricContext
from kamscore.metrics.contract import (
    N_NOT_APPLICABLE,
    SUBJECT_KAM,
    SUBJECT_TEAM,
    SUBJECT_TYPES,
    MetricResult,
    MetricValue,
    json_scalar,
)
from kamscore.metrics.needs import FactNeeds
from kamscore.metrics.positions import positions_of
from kamscore.metrics.record_lists import RecordLists
from kamscore.metrics.registry import MetricRegistry, RegisteredMetric
from kamscore.metrics.team_table import known_teams

log = logging.getLogger(__name__)

NO_TEAM_REASON = "not a member of an account team"


def request_key(metric: str, params: Mapping[str, Any] | None = None) -> str:
    """The default key of a request: the metric's name, plus its parameters when it has any
    (canonical JSON, so the same parameters always give the same key)."""
    if not params:
        return metric
    return metric + json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class MetricRequest:
    """One metric to compute with given parameters; ``key`` names the outcome (default:
    :func:`request_key`). A ruleset component would use its own id as the key."""

    metric: str
    params: Mapping[str, Any] = field(default_factory=dict)
    key: str | None = None

    @property
    def resolved_key(self) -> str:
        return self.key if self.key is not None else request_key(self.metric, self.params)


@dataclass(frozen=True, eq=False)
class MetricValues:
    """A metric's values for the whole population, aligned to ``ctx.kams``.

    ``values[i]`` is KAM i's value (NaN: no data, ``reasons[i]`` says why), ``n[i]`` the
    responses behind it (-1 where that does not apply). ``params`` are the parameters after
    loading with the metric's schema (defaults filled in).
    """

    ok: ClassVar[bool] = True

    key: str
    metric: str
    plugin: str
    plugin_version: str | None
    version: str
    kind: str
    unit: str
    direction: str
    subject_type: str
    params: Mapping[str, Any]
    kams: np.ndarray
    values: np.ndarray
    n: np.ndarray
    reasons: np.ndarray
    input_columns: Mapping[str, np.ndarray]
    input_rows: Sequence[Mapping[str, Any]] | None = None
    # the transactions behind an amount: KAM position (in ``kams``) and credited amount
    item_owner: np.ndarray | None = None
    item_value: np.ndarray | None = None

    @property
    def has_data(self) -> np.ndarray:
        return ~np.isnan(self.values)

    def inputs(self, i: int) -> dict[str, Any]:
        """The inputs behind KAM i's value, as plain JSON-serialisable data."""
        out = {name: json_scalar(col[i]) for name, col in self.input_columns.items()}
        if self.input_rows is not None:
            out.update(self.input_rows[i])
        return out

    def value(self, i: int) -> MetricValue:
        """KAM i's value in the contract's form (for statements)."""
        v = float(self.values[i])
        n = int(self.n[i])
        return MetricValue(None if math.isnan(v) else v, self.inputs(i),
                           None if n < 0 else n, self.reasons[i])

    def by_kam(self) -> dict[str, MetricValue]:
        return {code: self.value(i) for i, code in enumerate(self.kams)}


@dataclass(frozen=True)
class MetricFailure:
    """A metric that could not be computed. ``plugin`` is None when no plugin provides it."""

    ok: ClassVar[bool] = False

    key: str
    metric: str
    plugin: str | None
    params: Mapping[str, Any]
    error: str
    traceback: str = ""

    def __str__(self) -> str:
        who = f"plugin {self.plugin!r}" if self.plugin else "no plugin"
        return f"metric {self.metric!r} ({who}) failed: {self.error}"


MetricOutcome = MetricValues | MetricFailure


class _ShapeError(Exception):
    """A metric returned something that is not a valid result (a failure of that metric)."""


def compute_metrics(
    pm: Any,
    ctx: MetricContext,
    requests: Iterable[MetricRequest | tuple[str, Mapping[str, Any]]],
) -> dict[str, MetricOutcome]:
    """Compute every request over ``ctx``'s population; one outcome per request key.

    ``pm`` is the plugin manager built by ``kamscore.plugin_host.manager.build_plugin_manager``
    (or its ``MetricRegistry``). A request is a :class:`MetricRequest` or a
    ``(metric name, params)`` tuple. Requests with the same key are computed once. Nothing
    here raises because of a metric: see the module docstring.
    """
    registry: MetricRegistry = getattr(pm, "metrics", pm)
    outcomes: dict[str, MetricOutcome] = {}
    for raw in requests:
        request = raw if isinstance(raw, MetricRequest) else MetricRequest(raw[0], raw[1] or {})
        key = request.resolved_key
        if key not in outcomes:
            outcomes[key] = _compute_one(registry, ctx, request, key)
    return outcomes


def request_needs(pm: Any, requests: Iterable[MetricRequest]) -> FactNeeds:
    """What computing ``requests`` reads: the union of each metric's ``fact_needs`` for its
    parameters. A metric whose declaration fails (or is not a ``FactNeeds``) needs
    everything; an unknown metric or invalid parameters need nothing — ``compute_metrics``
    reports those as failures without reading anything."""
    registry: MetricRegistry = getattr(pm, "metrics", pm)
    needs = FactNeeds()
    for request in requests:
        registered = registry.get(request.metric)
        if registered is None:
            continue
        try:
            params = registered.cls.Params().load(dict(request.params or {}))
        except marshmallow.ValidationError:
            continue
        try:
            declared = registered.cls.fact_needs(params)
        except Exception:  # the metric's own failure is reported when it is computed
            declared = FactNeeds.everything()
        needs = needs.union(declared if isinstance(declared, FactNeeds)
                            else FactNeeds.everything())
    return needs


def _compute_one(registry: MetricRegistry, ctx: MetricContext, request: MetricRequest,
                 key: str) -> MetricOutcome:
    registered = registry.get(request.metric)
    params = dict(request.params or {})
    if registered is None:
        return MetricFailure(key, request.metric, None, params,
                             f"no plugin provides a metric named {request.metric!r}")
    try:
        loaded = registered.cls.Params().load(params)
    except marshmallow.ValidationError as exc:
        return MetricFailure(key, request.metric, registered.plugin, params,
                             f"invalid parameters: {exc.messages}")
    try:  # the metric sees only the facts it declares (kamscore.metrics.needs)
        result = registered.cls().compute(ctx.for_needs(registered.cls.fact_needs(loaded)),
                                          loaded)
    except Exception as exc:
        return _failure(key, registered, params, f"{type(exc).__name__}: {exc}",
                        traceback.format_exc())
    try:
        return _align(key, registered, loaded, ctx, result)
    except _ShapeError as exc:
        return _failure(key, registered, params, f"wrong result: {exc}", "")


def _failure(key: str, registered: RegisteredMetric, params: Mapping[str, Any], error: str,
             tb: str) -> MetricFailure:
    failure = MetricFailure(key, registered.name, registered.plugin, params, error, tb)
    log.warning("%s", failure)
    return failure


def _align(key: str, reg: RegisteredMetric, params: Mapping[str, Any], ctx: MetricContext,
           result: object) -> MetricValues:
    if not isinstance(result, MetricResult):
        raise _ShapeError(f"compute() must return a MetricResult, not {type(result).__name__}")
    if result.subject_type not in SUBJECT_TYPES:
        raise _ShapeError(f"subject_type {result.subject_type!r} is not one of {SUBJECT_TYPES}")
    # a result made from ctx.kams.codes itself: its subjects are the population, in order
    population = result.subject_type == SUBJECT_KAM and result.has_subjects(ctx.kams.codes)
    values, n, reasons, columns, rows = _subject_arrays(result, distinct=population)
    if result.subject_type == SUBJECT_KAM:
        if population:
            positions = np.arange(len(ctx.kams), dtype=np.int64)
            unknown = []
        else:
            positions = positions_of(result.subjects, ctx.kams.index)
            unknown = [s for s, p in zip(result.subjects, positions.tolist(), strict=True)
                       if p < 0]
        kind = "KAMs of the population"
        missing_reason = "the metric returned no value for this KAM"
    else:
        team_index = {code: i for i, code in enumerate(result.subjects)}
        subjects = list(result.subjects)
        unknown = [s for s, known in zip(subjects, known_teams(ctx.teams, subjects).tolist(),
                                         strict=True) if not known]
        positions = np.array([team_index.get(t, -1) if t is not None else -1
                              for t in ctx.kams.teams], dtype=np.int64)
        kind = "teams"
        missing_reason = "the metric returned no value for this KAM's team"
    if unknown:
        raise _ShapeError(f"values for subjects that are not {kind}: {', '.join(unknown[:5])}"
                          + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""))
    size = len(ctx.kams)
    out_values = np.full(size, np.nan)
    out_n = np.full(size, N_NOT_APPLICABLE, dtype=np.int64)
    out_reasons = np.empty(size, dtype=object)
    out_reasons[:] = missing_reason
    out_columns: dict[str, np.ndarray] = {}
    if result.subject_type == SUBJECT_KAM:
        src, dst = np.arange(len(positions)), positions
    else:  # KAM i takes team positions[i]'s value
        dst = np.flatnonzero(positions >= 0)
        src = positions[dst]
        out_reasons[positions < 0] = NO_TEAM_REASON
    out_values[dst] = values[src]
    out_n[dst] = n[src]
    out_reasons[dst] = reasons[src]
    every_kam = len(dst) == size  # KAM subjects are distinct: each KAM has his entry
    for name, col in columns.items():
        if isinstance(col, RecordLists):
            out_columns[name] = col.placed(size, dst, src)
            continue
        if every_kam and col.dtype.kind in "iub":  # no gap to fill with None: kept typed
            out_columns[name] = _placed(col, dst, src)
            continue
        is_float = col.dtype.kind == "f"
        full = np.empty(size, dtype=float if is_float else object)
        full[:] = np.nan if is_float else None
        full[dst] = col[src]
        out_columns[name] = full
    out_rows = None
    if rows is not None:
        out_rows = [{} for _ in range(size)]
        for d, s in zip(dst, src, strict=True):
            out_rows[d] = rows[s]
    if result.subject_type == SUBJECT_TEAM:
        team_col = np.empty(size, dtype=object)
        team_col[:] = ctx.kams.teams
        out_columns = {"team": team_col, **out_columns}
    out_reasons[~np.isnan(out_values)] = None
    item_owner, item_value = _items(result, positions)
    return MetricValues(
        key=key, metric=reg.name, plugin=reg.plugin, plugin_version=reg.plugin_version,
        version=reg.cls.version, kind=reg.cls.kind, unit=reg.cls.unit,
        direction=reg.cls.direction, subject_type=result.subject_type, params=dict(params),
        kams=ctx.kams.codes, values=out_values, n=out_n, reasons=out_reasons,
        input_columns=out_columns, input_rows=out_rows, item_owner=item_owner,
        item_value=item_value,
    )


def _placed(col: np.ndarray, dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``col``'s entries at their KAMs' positions, every KAM having one (``dst`` covers the
    population): the column keeps its dtype. An integer or boolean column written as Python
    objects took about 36 bytes a KAM (a pointer and an int object) instead of 8 — tens of
    MB in a run of 100,000 KAMs; its tokens and ``inputs`` are the same."""
    out = np.empty(len(dst), dtype=col.dtype)
    out[dst] = col[src]
    return out


def _items(result: MetricResult, positions: np.ndarray
           ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The result's transactions with their owners as positions in ``ctx.kams``."""
    cols = result.columns
    if cols is None or cols.items is None:
        return None, None
    owner, value = cols.items
    if result.subject_type != SUBJECT_KAM:
        raise _ShapeError("items (transactions) go with KAM subjects only")
    if owner.shape != value.shape or owner.ndim != 1:
        raise _ShapeError("items must be two aligned 1-D arrays (owner, amount)")
    if len(owner) and (owner.min() < 0 or owner.max() >= len(positions)):
        raise _ShapeError("an item's owner is not the position of a subject")
    if not np.isfinite(value).all():
        raise _ShapeError("item amounts must be finite numbers")
    return positions[owner] if len(owner) else owner, value


def _subject_arrays(result: MetricResult, *, distinct: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray],
                               list | None]:
    """Values, n, reasons, input columns and input rows of a result, validated
    (``distinct``: its subjects are known to be distinct)."""
    count = len(result)
    if not distinct and len(set(result.subjects)) != count:
        raise _ShapeError("a subject appears more than once")
    cols = result.columns
    if cols is None:
        items = [result[s] for s in result.subjects]
        bad = [s for s, v in zip(result.subjects, items, strict=True)
               if not isinstance(v, MetricValue)]
        if bad:
            raise _ShapeError(f"values must be MetricValue objects (subject {bad[0]!r})")
        values = np.array([np.nan if v.value is None else v.value for v in items], dtype=float)
        n = np.array([N_NOT_APPLICABLE if v.n is None else v.n for v in items], dtype=np.int64)
        reasons = np.empty(count, dtype=object)
        reasons[:] = [v.reason or "no data" if v.value is None else None for v in items]
        rows = [dict(v.inputs) for v in items]
        return values, n, reasons, {}, rows
    values = cols.values
    if values.ndim != 1 or len(values) != count:
        raise _ShapeError(f"{len(values)} values for {count} subjects")
    if np.isinf(values).any():
        raise _ShapeError("values must be finite numbers or NaN for no data, not infinite")
    if cols.n is None:
        n = np.full(count, N_NOT_APPLICABLE, dtype=np.int64)
    else:
        if len(cols.n) != count or not np.issubdtype(cols.n.dtype, np.integer):
            raise _ShapeError("n must hold one whole number per subject")
        n = cols.n.astype(np.int64)
        if (n < N_NOT_APPLICABLE).any():
            raise _ShapeError("n must be >= 0, or -1 where it does not apply")
    reasons = np.empty(count, dtype=object)
    if cols.reasons is not None:
        if len(cols.reasons) != count:
            raise _ShapeError(f"{len(cols.reasons)} reasons for {count} subjects")
        reasons[:] = cols.reasons
    nodata = np.isnan(values)
    reasons[nodata & (reasons == None)] = "no data"  # noqa: E711
    for name, col in cols.inputs.items():
        if col.ndim != 1 or len(col) != count:
            raise _ShapeError(f"input column {name!r} has {len(col)} entries for {count} "
                              "subjects")
    return values, n, reasons, dict(cols.inputs), None
