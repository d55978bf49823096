"""A campaign's responses as arrays, for the vectorised aggregation (pure; no database).

One row per response (its subject's code and rater group), one column per answer item a
measure reads: the number (``numeric_value``: NaN when unanswered or "not applicable"), the
raw number (a single choice's option value, "not applicable" included, as ``describe`` of a
single choice used it) and, for single choices, the chosen option (``choice_value``).
Built from the answers' columns as the database gives them (``from_answers``) or from
``ResponseRecord``-like objects (``from_records``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Protocol

import numpy as np

from kamscore.surveys.definition import NOT_APPLICABLE
from kamscore.surveys.measures import CHOICE, Measure, StoredAnswer


class _Record(Protocol):
    subject: str
    rater_group: str
    answers: Mapping[str, StoredAnswer]


@dataclass(frozen=True)
class ResponseTable:
    subjects: np.ndarray  # (responses,) subject codes, str
    groups: np.ndarray  # (responses,) rater groups, str
    columns: dict[str, int]  # answer item → column
    values: np.ndarray  # (responses, items) numbers, NaN unanswered / not applicable
    numbers: np.ndarray  # (responses, items) numbers as stored, NaN where none
    choices: dict[str, np.ndarray]  # single choice item → (responses,) option id or None

    def __len__(self) -> int:
        return len(self.subjects)

    def take(self, order: np.ndarray) -> ResponseTable:
        """The responses in ``order``."""
        return ResponseTable(self.subjects[order], self.groups[order], self.columns,
                             self.values[order], self.numbers[order],
                             {i: c[order] for i, c in self.choices.items()})

    @classmethod
    def from_answers(cls, measures: Sequence[Measure], subjects: Sequence[str],
                     groups: Sequence[str], response: Sequence[int] | np.ndarray,
                     item: Sequence[str], number: Sequence[float | None],
                     text: Sequence[str | None]) -> ResponseTable:
        """Responses (``subjects``, ``groups``) and their answers: the ``response``'s
        position, ``item``, ``number`` and ``text`` of each answer."""
        columns = _columns(measures)
        size = len(subjects)
        column = np.fromiter(map(columns.get, item, repeat(-1)), dtype=np.int64,
                             count=len(item))
        known = column >= 0
        row = np.asarray(response, dtype=np.int64)[known]
        column = column[known]
        raw = np.array(number, dtype=float)[known]
        texts = np.empty(len(text), dtype=object)
        texts[:] = list(text)
        texts = texts[known]
        applicable = texts != NOT_APPLICABLE
        numbers = np.full((size, len(columns)), np.nan)
        numbers[row, column] = raw
        values = np.full((size, len(columns)), np.nan)
        values[row[applicable], column[applicable]] = raw[applicable]
        choices: dict[str, np.ndarray] = {}
        for m in measures:
            if m.kind == CHOICE:
                chosen = np.full(size, None, dtype=object)
                mine = (column == columns[m.id]) & applicable
                chosen[row[mine]] = texts[mine]
                choices[m.id] = chosen
        return cls(_strings(subjects), _strings(groups), columns, values, numbers, choices)

    @classmethod
    def from_records(cls, measures: Sequence[Measure], records: Iterable[_Record]
                     ) -> ResponseTable:
        subjects, groups, response, item, number, text = [], [], [], [], [], []
        for position, record in enumerate(records):
            subjects.append(record.subject)
            groups.append(record.rater_group)
            for key, (value, words) in record.answers.items():
                response.append(position)
                item.append(key)
                number.append(value)
                text.append(words)
        return cls.from_answers(measures, subjects, groups, response, item, number, text)


def _columns(measures: Sequence[Measure]) -> dict[str, int]:
    ids: list[str] = []
    for m in measures:
        for i in m.items if m.is_scale else (m.id,):
            if i not in ids:
                ids.append(i)
    return {i: c for c, i in enumerate(ids)}


def _strings(values: Sequence[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
