"""Reportable survey aggregates column by column, with their JSON already written (pure).

``aggregation`` computes hundreds of thousands of cells for a large campaign; storing them
needs no ``Cell`` object per row, only columns: ``CellColumns`` holds one array per column
of ``SurveyAggregate`` (``histogram`` and ``details`` as JSON text, exactly what
``json.dumps`` writes for the dicts), built per measure from the figures' arrays and put in
order with one ``take``. ``cells()`` turns them into ``Cell`` objects for the readers that
compute without storing (dicts read back from that JSON, once per distinct text).

The JSON builders here write what ``json.dumps`` (default separators, ``ensure_ascii``)
writes for flat objects of numbers, booleans, ``None`` and strings: a float is its
``repr`` (``NaN`` / ``Infinity`` as ``json.dumps`` allows them), keys in the order given.
``tests/surveys/test_cell_columns.py`` checks them against ``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from kamscore.surveys.cell import Cell

#: Column name in ``SurveyAggregate`` → field of ``CellColumns``, in table order.
STORED_COLUMNS = {"subject_type": "subject_type", "subject_code": "subject",
                  "measure": "measure", "rater_group": "rater_group", "n": "n", "mean": "mean",
                  "sd": "sd", "scale_min": "scale_min", "scale_max": "scale_max",
                  "histogram": "histogram", "details": "details"}


def objects(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """``values`` as a one-dimensional object array (Python values, not numpy scalars)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return out


def repeat(value: Any, size: int) -> np.ndarray:
    out = np.empty(size, dtype=object)
    out[:] = [value] * size
    return out


@dataclass(frozen=True)
class CellColumns:
    """Cells as parallel object arrays (``histogram`` and ``details``: JSON text)."""

    subject_type: np.ndarray
    subject: np.ndarray
    measure: np.ndarray
    rater_group: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    histogram: np.ndarray
    details: np.ndarray

    def __len__(self) -> int:
        return len(self.n)

    @classmethod
    def empty(cls) -> CellColumns:
        return cls(*(np.empty(0, dtype=object) for _ in fields(cls)))

    @classmethod
    def from_cells(cls, cells: Sequence[Cell]) -> CellColumns:
        """Columns of ``Cell`` objects (their dicts through ``json.dumps``)."""
        if not cells:
            return cls.empty()
        columns = {f.name: objects([getattr(c, f.name) for c in cells]) for f in fields(cls)}
        columns["histogram"] = objects([json.dumps(v) for v in columns["histogram"]])
        columns["details"] = objects([json.dumps(v) for v in columns["details"]])
        return cls(**columns)

    @classmethod
    def concat(cls, parts: Sequence[CellColumns]) -> CellColumns:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def take(self, order: np.ndarray) -> CellColumns:
        return CellColumns(*(getattr(self, f.name)[order] for f in fields(self)))

    def stored(self) -> dict[str, list[Any]]:
        """Column name of ``SurveyAggregate`` → values, as lists."""
        return {column: getattr(self, name).tolist() for column, name in STORED_COLUMNS.items()}

    def cells(self) -> list[Cell]:
        """The ``Cell`` of each row; its dicts read from the JSON (once per distinct text,
        then copied: no two cells share a dict)."""
        read: dict[str, dict[str, Any]] = {}

        def load(text: str) -> dict[str, Any]:
            found = read.get(text)
            if found is None:
                found = read[text] = json.loads(text)
            return dict(found) if len(found) < 2 or not _nested(found) else json.loads(text)

        return [Cell(*row[:9], load(row[9]), load(row[10]))
                for row in zip(*(getattr(self, f.name).tolist() for f in fields(self)),
                               strict=True)]


def _nested(value: dict[str, Any]) -> bool:
    return any(isinstance(v, dict | list) for v in value.values())


# -- JSON text, column-wise --------------------------------------------------------------------


def float_texts(values: np.ndarray, *, nan: str = "null") -> np.ndarray:
    """The JSON of each float (``nan``: what NaN becomes — ``null`` where the figure is
    ``None``, ``NaN`` where ``json.dumps`` got a NaN), one ``repr`` per distinct value (most
    figures take a few values: shares of up to a dozen answers, differences of such means)."""
    values = np.ascontiguousarray(values, dtype=float)
    bits, inverse = np.unique(values.view(np.int64), return_inverse=True)  # -0.0 apart
    distinct = bits.view(float)
    texts = objects(list(map(float.__repr__, distinct.tolist())))
    odd = ~np.isfinite(distinct)
    if odd.any():
        texts[np.isnan(distinct)] = nan
        texts[distinct == np.inf] = "Infinity"
        texts[distinct == -np.inf] = "-Infinity"
    return texts[inverse.reshape(-1)]


def int_texts(values: np.ndarray) -> np.ndarray:
    return objects(list(map(str, np.asarray(values, dtype=np.int64).tolist())))


def bool_texts(values: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false").astype(object)


def json_objects(size: int, entries: Sequence[tuple[str, np.ndarray | str, np.ndarray | None]]
                 ) -> np.ndarray:
    """JSON objects of ``size`` rows: ``entries`` are (key, the value's JSON per row or one
    for all, rows that have the key or ``None`` for all), in key order. Rows with the same
    keys are written with one ``%`` template."""
    if not size:
        return np.empty(0, dtype=object)
    pattern = np.zeros(size, dtype=np.int64)
    for bit, (_, _, present) in enumerate(entries):
        if present is not None:
            pattern |= np.asarray(present, dtype=np.int64) << bit
    out = np.empty(size, dtype=object)
    for p in np.unique(pattern).tolist():
        rows = np.flatnonzero(pattern == p)
        used = [(key, texts) for bit, (key, texts, present) in enumerate(entries)
                if present is None or p >> bit & 1]
        template = "{" + ", ".join(
            json.dumps(key).replace("%", "%%") + ": " + ("%s" if isinstance(texts, np.ndarray)
                                                         else texts.replace("%", "%%"))
            for key, texts in used) + "}"
        values = [texts[rows].tolist() for _, texts in used if isinstance(texts, np.ndarray)]
        if values:
            out[rows] = objects([template % row for row in zip(*values, strict=True)])
        else:
            out[rows] = repeat(template.replace("%%", "%"), len(rows))
    return out


def distinct_rows(rows: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """The distinct rows of a non-negative integer matrix and each row's position among
    them (a mixed-radix key per row where it fits in 62 bits: much faster than sorting rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return [], np.zeros(0, dtype=np.int64)
    if rows.shape[1] == 0:
        return [[]], np.zeros(len(rows), dtype=np.int64)
    bases = rows.max(axis=0) + 1
    if float(np.prod(bases.astype(float))) < 2.0 ** 62:
        weights = np.concatenate([[1], np.cumprod(bases[:0:-1])])[::-1]
        _, first, inverse = np.unique(rows @ weights, return_index=True, return_inverse=True)
        return rows[first].tolist(), inverse.reshape(-1)
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    return distinct.tolist(), inverse.reshape(-1)


def texts_of_rows(rows: np.ndarray, make: Callable[[list[int]], Any]) -> np.ndarray:
    """``json.dumps(make(row))`` of each row, made once per distinct row."""
    distinct, inverse = distinct_rows(rows)
    if not distinct:
        return np.empty(0, dtype=object)
    return objects([json.dumps(make(row)) for row in distinct])[inverse]
