"""One measure's figures for many groups at once, and the cells of the reported ones (pure).

``figures`` computes, for every group of a membership list (see ``group_statistics``), what
``aggregation`` reports about a measure: n, mean, sd, and lazily the histogram and the
figures of its kind (CSAT, NPS with its interval, share, a scale's items and Cronbach's
alphas). ``cell_columns`` turns the groups that are reported into ``CellColumns`` (histogram
and details as JSON text, built column-wise, once per distinct value where they repeat), with
the self-versus-others gap (``gaps_of``) on self-rating rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from kamscore.surveys.cell_columns import (
    CellColumns,
    bool_texts,
    float_texts,
    int_texts,
    json_objects,
    objects,
    repeat,
    texts_of_rows,
)
from kamscore.surveys.group_statistics import (
    GapIntervals,
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


def _floats(values: np.ndarray) -> np.ndarray:
    """``values`` as Python floats in an object array, NaN as None."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out


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


def cell_columns(f: Figures, index: np.ndarray, subject_type: str, subjects: np.ndarray,
                 groups: np.ndarray, gaps: Gaps | None = None) -> CellColumns:
    """The cells of the groups in ``index`` (about ``subjects[i]``, ``groups[i]``: object
    arrays), with the self-versus-others ``gaps`` of some of them."""
    m, size = f.measure, len(index)
    if not size:
        return CellColumns.empty()
    details = _details(f, index)
    if gaps is not None:
        details = _with_gaps(details, gaps)
    return CellColumns(
        repeat(subject_type, size), subjects, repeat(m.id, size), groups,
        objects(f.n[index]), _floats(f.mean[index]), _floats(f.sd[index]),
        repeat(m.scale_min, size), repeat(m.scale_max, size), _histograms(f, index),
        json_objects(size, details))


Entries = list[tuple[str, "np.ndarray | str", "np.ndarray | None"]]


@dataclass(frozen=True)
class Gaps:
    """Self minus others for the rows ``at`` (a mask over the cells' rows)."""

    at: np.ndarray
    intervals: GapIntervals


def gaps_of(at: np.ndarray, own_figures: Figures, own_index: np.ndarray, others: Figures,
            others_index: np.ndarray) -> Gaps:
    """The gaps of the self-rating rows ``at`` (groups ``own_index`` of ``own_figures``)
    against the others' groups ``others_index``."""
    return Gaps(at, gap_intervals(
        own_figures.n[own_index], own_figures.mean[own_index], own_figures.sd[own_index],
        others.n[others_index], others.mean[others_index], others.sd[others_index]))


def _spread(size: int, at: np.ndarray, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    out = np.full(size, fill)
    out[at] = values
    return out


def _with_gaps(details: Entries, gaps: Gaps) -> Entries:
    """``details`` and the gap with its interval (``add_gaps`` of the former ``Cell``s)."""
    size = len(gaps.at)
    g = gaps.intervals
    at = np.asarray(gaps.at, dtype=bool)
    gap = _spread(size, at, g.gap)
    low, high = _spread(size, at, g.low), _spread(size, at, g.high)
    bounded = at & ~np.isnan(gap) & ~np.isnan(low)
    fixed = _spread(size, at, g.fixed_self.astype(float), 0.0) > 0
    method = np.where(fixed, '"fixed_self"', '"welch"').astype(object)
    return [*details, ("gap", float_texts(gap), at),
            ("gap_ci_low", float_texts(low, nan="NaN"), bounded),
            ("gap_ci_high", float_texts(high, nan="NaN"), bounded),
            ("gap_confidence", float_texts(np.array([g.confidence]))[0], bounded),
            ("gap_method", method, bounded)]


def _histograms(f: Figures, index: np.ndarray) -> np.ndarray:
    if f.option_counts is not None:
        options = f.measure.options
        return texts_of_rows(f.option_counts[index], lambda row: {
            o: c for o, c in zip(options, row, strict=True) if c})
    if f.hist is None:
        return repeat("{}", len(index))
    labels = f.hist.labels()
    rows = np.concatenate([f.hist.fractional[index, None], f.hist.counts[index]], axis=1)
    return texts_of_rows(rows, lambda row: {} if row[0] else {
        label: c for label, c in zip(labels, row[1:], strict=True) if c})


def _details(f: Figures, index: np.ndarray) -> Entries:
    m = f.measure
    if f.scale is not None:
        return _scale_details(f, index)
    if f.csat is not None:
        whole = f.hist.fractional[index] == 0  # type: ignore[union-attr]
        return [("csat", float_texts(f.csat[index]), whole)]
    if f.nps is not None:
        p = f.nps
        return [("nps", float_texts(p.score[index], nan="NaN"), None),
                ("nps_ci_low", float_texts(p.ci_low[index], nan="NaN"), None),
                ("nps_ci_high", float_texts(p.ci_high[index], nan="NaN"), None),
                ("nps_confidence", json.dumps(p.confidence), None),
                ("nps_method", json.dumps(p.method), None),
                ("promoters", int_texts(p.promoters[index]), None),
                ("passives", int_texts(p.passives[index]), None),
                ("detractors", int_texts(p.detractors[index]), None)]
    if m.kind == BINARY:
        return [("share", float_texts(f.mean[index]), None)]
    return []


def _scale_details(f: Figures, index: np.ndarray) -> Entries:
    s, items = f.scale, f.measure.items
    assert s is not None and f.included is not None
    both = s.both_alphas[index]
    return [("items", texts_of_rows(f.included[index], lambda row: [
                i for i, use in zip(items, row, strict=True) if use]), None),
            ("complete", bool_texts(s.complete[index]), None),
            ("alpha", float_texts(s.alpha[index]), None),
            ("alpha_listwise", float_texts(s.alpha_listwise[index]), both),
            ("alpha_pairwise", float_texts(s.alpha_pairwise[index]), both)]
