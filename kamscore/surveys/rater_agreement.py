"""How far the raters of a 360° rater group agree about their KAM (pure; no database).

For each subject and each rater group that is shown (the top group "others" and every
reported group inside it — never the self-rating), the group's answers to the survey's rating
items form a table: one row per item (the *targets*), one column per respondent (the
*raters*), missing answers empty. Only items reported in that group are used, and only the
items on the most common scale (a 1-5 item and a 0-10 item are not comparable ratings).

- the six intraclass correlations (``reliability.icc``) on the items every rater answered;
- Krippendorff's alpha, ordinal metric, on every item (missing answers allowed).

One cell per subject and group (measure ``agreement``) carries them; the reading in plain
words uses ICC(2,1) (two-way random, absolute agreement, one rater: "does one colleague's
rating agree with another's") against Koo & Li (2016) and alpha against Krippendorff's
0.667 / 0.8. Everything is computed for the whole campaign at once (``agreement_details``),
vectorised; a filter that leaves some responses out (quality flags) only changes the members
handed in.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.surveys.cell import Cell
from kamscore.surveys.cell_columns import (
    CellColumns,
    float_texts,
    int_texts,
    json_objects,
    objects,
    repeat,
)
from kamscore.surveys.disclosure import Verdict
from kamscore.surveys.measures import RATING, Measure, StoredAnswer, numeric_value
from kamscore.surveys.reliability import (
    ALPHA_THRESHOLDS,
    ICC_FORMS,
    ICC_THRESHOLDS,
    IntraclassCorrelations,
    KrippendorffAlpha,
    alpha_reading,
    icc_columns,
    icc_many,
    icc_reading,
    krippendorff_columns,
    krippendorff_many,
)

AGREEMENT_MEASURE = "agreement"
#: The ICC form the plain-words reading is about.
READING_FORM = "ICC2"


@dataclass(frozen=True)
class RaterTable:
    subject: str
    group: str
    items: tuple[str, ...]
    table: np.ndarray  # items x raters, NaN where unanswered
    scale_min: int | None
    scale_max: int | None


def rater_table(measures: Sequence[Measure],
                item_verdicts: Mapping[str, Mapping[Hashable, Verdict]],
                members: Sequence[Any], subject: str, group: str) -> RaterTable | None:
    """The items x raters table of one shown group (``None`` with fewer than two raters
    or two items)."""
    if len(members) < 2:
        return None
    rated = [m for m in measures if m.kind == RATING
             and item_verdicts.get(m.id, {}).get(group) is Verdict.SHOWN]
    if len(rated) < 2:
        return None
    scale, _ = Counter((m.scale_min, m.scale_max) for m in rated).most_common(1)[0]
    items = [m for m in rated if (m.scale_min, m.scale_max) == scale]
    if len(items) < 2:
        return None
    table = np.array([[_number(r.answers.get(m.id)) for r in members] for m in items],
                     dtype=float)
    return RaterTable(subject, group, tuple(m.id for m in items), table, *scale)


def agreement_cells(tables: Sequence[RaterTable], subject_type: str) -> list[Cell]:
    """One ``agreement`` cell per table that has a figure (n: the raters)."""
    return [Cell(subject_type, t.subject, AGREEMENT_MEASURE, t.group, int(t.table.shape[1]),
                 None, None, t.scale_min, t.scale_max, {}, details)
            for t, details in zip(tables, agreement_details(tables), strict=True)
            if details is not None]


def agreement_columns(tables: Sequence[RaterTable], subject_type: str) -> CellColumns:
    """``agreement_cells`` column by column: the details' JSON written from the arrays of
    ``icc_columns`` and ``krippendorff_columns``, as ``json.dumps`` writes ``_details``."""
    if not tables:
        return CellColumns.empty()
    size = len(tables)
    full = [t.table[~np.isnan(t.table).any(axis=1)] for t in tables]  # the items all answered
    complete = np.array([len(f) for f in full], dtype=np.int64)
    icc = icc_columns(full)
    alpha = krippendorff_columns([t.table for t in tables], metric="ordinal")
    has_icc = np.zeros(size, dtype=bool)
    has_icc[icc.where] = True
    has_alpha = ~np.isnan(alpha.alpha)
    keep = has_icc | has_alpha
    where = np.asarray(icc.where, dtype=np.int64)
    forms = []
    reading = np.full(size, np.nan)
    for name in ICC_FORMS:
        value, low, high = (_spread(size, where, v) for v in icc.forms[name])
        shown = np.isfinite(value)
        if name == READING_FORM:
            reading = np.where(shown, value, np.nan)
        low, high = (np.where(np.isfinite(b), b, np.nan) for b in (low, high))
        forms.append((name, json_objects(size, [("value", float_texts(value), None),
                                                ("low", float_texts(low), None),
                                                ("high", float_texts(high), None)]), shown))
    iccs = np.where(has_icc, json_objects(size, forms), "null").astype(object)
    raters = np.array([t.table.shape[1] for t in tables], dtype=np.int64)
    details = json_objects(size, [
        ("raters", int_texts(raters), None),
        ("items", int_texts(np.array([len(t.items) for t in tables])), None),
        ("icc_items", int_texts(complete), None),
        ("confidence", json.dumps(0.95), None),
        ("icc", iccs, None),
        ("icc_reading", _readings(reading, ICC_THRESHOLDS,
                                  ("poor", "moderate", "good", "excellent")), None),
        ("icc_reading_form", json.dumps(READING_FORM), None),
        ("kripp_alpha", float_texts(alpha.alpha), None),
        ("kripp_low", float_texts(alpha.low), None),
        ("kripp_high", float_texts(alpha.high), None),
        ("kripp_metric", json.dumps(alpha.metric), None),
        ("kripp_pairable", np.where(has_alpha, int_texts(alpha.pairable), "null"
                                    ).astype(object), None),
        ("alpha_reading", _readings(alpha.alpha, ALPHA_THRESHOLDS,
                                    ("poor", "moderate", "good")), None)])
    chosen = np.flatnonzero(keep)
    count = len(chosen)
    return CellColumns(
        repeat(subject_type, count), objects([tables[i].subject for i in chosen.tolist()]),
        repeat(AGREEMENT_MEASURE, count), objects([tables[i].group for i in chosen.tolist()]),
        objects(raters[chosen]), repeat(None, count), repeat(None, count),
        objects([tables[i].scale_min for i in chosen.tolist()]),
        objects([tables[i].scale_max for i in chosen.tolist()]), repeat("{}", count),
        details[chosen])


def _spread(size: int, where: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(size, np.nan)
    out[where] = values
    return out


def _readings(values: np.ndarray, thresholds: Sequence[float], words: Sequence[str]
              ) -> np.ndarray:
    """``icc_reading`` / ``alpha_reading`` of each value as JSON (NaN: null)."""
    texts = objects([json.dumps(w) for w in words])
    found = texts[np.searchsorted(np.asarray(thresholds), np.nan_to_num(values), side="right")]
    return np.where(np.isnan(values), "null", found).astype(object)


def _number(answer: StoredAnswer | None) -> float:
    value = numeric_value(answer)
    return math.nan if value is None else float(value)


def agreement_details(tables: Sequence[RaterTable]) -> list[dict[str, Any] | None]:
    """Each table's agreement figures (``None`` where no figure is defined)."""
    complete = [t.table[~np.isnan(t.table).any(axis=1)] for t in tables]
    iccs = icc_many(complete)
    alphas = krippendorff_many([t.table for t in tables], metric="ordinal")
    return [_details(t, c, i, a) for t, c, i, a in zip(tables, complete, iccs, alphas,
                                                       strict=True)]


def _details(table: RaterTable, complete: np.ndarray, iccs: IntraclassCorrelations | None,
             alpha: KrippendorffAlpha | None) -> dict[str, Any] | None:
    if iccs is None and alpha is None:
        return None
    details: dict[str, Any] = {
        "raters": int(table.table.shape[1]), "items": len(table.items),
        "icc_items": int(complete.shape[0]), "confidence": 0.95,
        "icc": None, "icc_reading": None, "icc_reading_form": READING_FORM,
        "kripp_alpha": None, "kripp_low": None, "kripp_high": None, "kripp_metric": "ordinal",
        "kripp_pairable": None, "alpha_reading": None,
    }
    if iccs is not None:
        details["icc"] = {name: {"value": f.value, "low": f.low, "high": f.high}
                          for name, f in iccs.forms.items() if name in ICC_FORMS}
        reading = iccs.forms.get(READING_FORM)
        details["icc_reading"] = icc_reading(reading.value if reading else None)
    if alpha is not None:
        details.update(kripp_alpha=alpha.alpha, kripp_low=alpha.low, kripp_high=alpha.high,
                       kripp_pairable=alpha.pairable, alpha_reading=alpha_reading(alpha.alpha))
    return details
