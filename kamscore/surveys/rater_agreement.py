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

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.surveys.cell import Cell
from kamscore.surveys.disclosure import Verdict
from kamscore.surveys.measures import RATING, Measure, StoredAnswer, numeric_value
from kamscore.surveys.reliability import (
    ICC_FORMS,
    IntraclassCorrelations,
    KrippendorffAlpha,
    alpha_reading,
    icc_many,
    icc_reading,
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
