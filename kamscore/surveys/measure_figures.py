"""One measure's figures for many groups at once, and the ``Cell`` of each reported one (pure).

``figures`` computes, for every group of a membership list (see ``group_statistics``), what
``aggregation`` reports about a measure: n, mean, sd, and lazily the histogram and the
figures of its kind (CSAT, NPS with its interval, share, a scale's items and Cronbach's
alphas). ``cells`` turns the groups that are reported into ``Cell`` rows; ``add_gaps`` adds
the self-versus-others gap to self-rating cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.surveys.cell import Cell
from kamscore.surveys.group_statistics import (
    Histograms,
    NetPromoters,
    ScaleFigures,
    gap_intervals,
    histograms,
    net_promoters,
    scale_figures,
    spread,
    top_box_shares,
)
from kamscore.surveys.measures import BINARY, CHOICE, NPS, RATING, Measure
from kamscore.surveys.response_table import ResponseTable


def _maybe(value: float) -> float | None:
    return None if math.isnan(value) else value


def _floats(values: np.ndarray) -> list[float | None]:
    """``values`` as Python floats, NaN as None."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def _from_rows(rows: np.ndarray, make: Any) -> list[dict[str, Any]]:
    """``make(row)`` of each row of ``rows``, made once per distinct row (then copied)."""
    if not len(rows):
        return []
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    made = [make(row) for row in distinct.tolist()]
    return [dict(made[i]) for i in inverse.reshape(-1).tolist()]


@dataclass
class Figures:
    """A measure's figures per group (NaN / 0 where undefined)."""

    measure: Measure
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    hist: Histograms | None = None
    option_counts: np.ndarray | None = None  # single choice: groups x options
    csat: np.ndarray | None = None
    nps: NetPromoters | None = None
    scale: ScaleFigures | None = None
    included: np.ndarray | None = None  # scale: groups x items reported


def figures(measure: Measure, table: ResponseTable, resp: np.ndarray, key: np.ndarray,
            nkeys: int, *, included: np.ndarray | None = None, allowed: np.ndarray | None = None,
            item_means: np.ndarray | None = None) -> Figures:
    """``measure`` over the responses ``resp`` in groups ``key`` (a scale: ``included``
    items per group, spread ``allowed`` per group, optional given ``item_means``)."""
    if measure.is_scale:
        columns = [table.columns[i] for i in measure.items]
        x = table.values[resp][:, columns]
        if included is None:
            included = np.ones((nkeys, len(columns)), dtype=bool)
        if allowed is None:
            allowed = np.ones(nkeys, dtype=bool)
        s = scale_figures(x, key, nkeys, included, allowed, item_means)
        return Figures(measure, s.n, s.mean, s.sd, scale=s, included=included)
    column = table.columns[measure.id]
    if measure.kind == CHOICE:
        chosen = table.choices[measure.id][resp]
        answered = np.fromiter((v is not None for v in chosen), dtype=bool, count=len(chosen))
        position = {o: p for p, o in enumerate(measure.options)}
        option = np.fromiter((position.get(v, -1) for v in chosen[answered]), dtype=np.int64)
        k = key[answered]
        width = len(measure.options)
        counts = np.bincount(k[option >= 0] * width + option[option >= 0],
                             minlength=nkeys * width).reshape(nkeys, width)
        raw = table.numbers[resp, column]
        numbered = ~np.isnan(raw)
        summary = spread(raw[numbered], key[numbered], nkeys)
        return Figures(measure, np.bincount(k, minlength=nkeys), summary.mean, summary.sd,
                       option_counts=counts)
    x = table.values[resp, column]
    answered = ~np.isnan(x)
    values, k = x[answered], key[answered]
    summary = spread(values, k, nkeys)
    found = Figures(measure, summary.n, summary.mean, summary.sd, hist=histograms(values, k, nkeys))
    if measure.kind == RATING and measure.scale_max is not None:
        found.csat = top_box_shares(found.hist, measure.scale_max)
    elif measure.kind == NPS:
        found.nps = net_promoters(found.hist)
    return found


def cells(f: Figures, index: np.ndarray, subject_type: str, subjects: Sequence[str],
          groups: Sequence[str]) -> list[Cell]:
    """The ``Cell`` of each group in ``index`` (about ``subjects[i]``, ``groups[i]``)."""
    m = f.measure
    ns, means, sds = f.n[index].tolist(), _floats(f.mean[index]), _floats(f.sd[index])
    return [Cell(subject_type, subject, m.id, group, n, mean, sd, m.scale_min,
                 m.scale_max, histogram, details)
            for subject, group, n, mean, sd, histogram, details
            in zip(subjects[:len(index)], groups[:len(index)], ns, means, sds,
                   _histograms(f, index), _details(f, index), strict=True)]


def _histograms(f: Figures, index: np.ndarray) -> list[dict[str, int]]:
    if f.option_counts is not None:
        options = f.measure.options
        return _from_rows(f.option_counts[index], lambda row: {
            o: c for o, c in zip(options, row, strict=True) if c})
    if f.hist is None:
        return [{} for _ in range(len(index))]
    labels = f.hist.labels()
    rows = np.concatenate([f.hist.fractional[index, None], f.hist.counts[index]], axis=1)
    return _from_rows(rows, lambda row: {} if row[0] else {
        label: c for label, c in zip(labels, row[1:], strict=True) if c})


def _details(f: Figures, index: np.ndarray) -> list[dict[str, Any]]:
    m, size = f.measure, len(index)
    if f.scale is not None:
        return _scale_details(f, index)
    if f.csat is not None:
        whole = (f.hist.fractional[index] == 0).tolist()  # type: ignore[union-attr]
        return [{"csat": c} if w else {}
                for c, w in zip(_floats(f.csat[index]), whole, strict=True)]
    if f.nps is not None:
        p = f.nps
        return [dict(nps=score, nps_ci_low=low, nps_ci_high=high, nps_confidence=p.confidence,
                     nps_method=p.method, promoters=pro, passives=pas, detractors=det)
                for score, low, high, pro, pas, det in zip(
                    p.score[index].tolist(), p.ci_low[index].tolist(),
                    p.ci_high[index].tolist(), p.promoters[index].tolist(),
                    p.passives[index].tolist(), p.detractors[index].tolist(), strict=True)]
    if m.kind == BINARY:
        return [{"share": v} for v in _floats(f.mean[index])]
    return [{} for _ in range(size)]


def _scale_details(f: Figures, index: np.ndarray) -> list[dict[str, Any]]:
    s, items = f.scale, f.measure.items
    assert s is not None and f.included is not None
    found = []
    for included, complete, alpha, both, listwise, pairwise in zip(
            f.included[index].tolist(), s.complete[index].tolist(), _floats(s.alpha[index]),
            s.both_alphas[index].tolist(), _floats(s.alpha_listwise[index]),
            _floats(s.alpha_pairwise[index]), strict=True):
        details: dict[str, Any] = {
            "items": [i for i, use in zip(items, included, strict=True) if use],
            "complete": complete, "alpha": alpha}
        if both:
            details["alpha_listwise"] = listwise
            details["alpha_pairwise"] = pairwise
        found.append(details)
    return found


def add_gaps(own: Sequence[Cell], own_figures: Figures, own_index: np.ndarray,
             others: Figures, others_index: np.ndarray) -> None:
    """Self minus others on each self-rating cell, with its confidence interval."""
    g = gap_intervals(own_figures.n[own_index], own_figures.mean[own_index],
                      own_figures.sd[own_index], others.n[others_index],
                      others.mean[others_index], others.sd[others_index])
    for cell, gap, low, high, fixed in zip(own, g.gap.tolist(), g.low.tolist(),
                                           g.high.tolist(), g.fixed_self.tolist(), strict=True):
        cell.details["gap"] = _maybe(gap)
        if not math.isnan(gap) and not math.isnan(low):
            cell.details.update(gap_ci_low=low, gap_ci_high=high, gap_confidence=g.confidence,
                                gap_method="fixed_self" if fixed else "welch")
