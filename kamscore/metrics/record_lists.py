"""``RecordLists``: an input column whose entry per subject is a list of records, kept as columns.

A metric's input column usually holds one number or text per KAM. Some inputs are lists:
the sales metric shows each KAM the assignments it credited him with (account, days, share,
weight). Built as one list of dicts per KAM, that is about 800,000 dicts at 100,000 KAMs —
the largest single part of a run's memory after its context, and slow to make. A
``RecordLists`` holds the same thing as flat, aligned record columns plus where each
subject's records start:

    RecordLists.grouped(owner, size, {"account": codes, "days": days, "share": share,
                                      "weight": weight}, digits={"weight": 6})

Reading entry ``i`` gives exactly the list of dicts the metric would have built (keys in the
given order, Python numbers, ``round(x, digits)`` where asked), so statements, the API and
tests see no difference; the score lines write the column's canonical JSON column-wise
(``kamscore.scoring.codec``), byte for byte the text the dicts would give.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np


class RecordLists:
    """Per subject, a list of records (dicts with the same keys), stored column-wise.

    ``fields``: name → array with one value per record, in record order; ``rows`` the
    records of the subjects in subject order (positions in the field arrays) and ``starts``
    (length subjects + 1) where each subject's run of ``rows`` begins. ``digits``: fields
    whose values are shown rounded (Python's ``round``) to that many decimals.
    """

    __slots__ = ("digits", "fields", "plain", "rows", "starts")
    ndim = 1
    dtype = np.dtype(object)

    def __init__(self, fields: Mapping[str, np.ndarray], rows: np.ndarray, starts: np.ndarray,
                 digits: Mapping[str, int] | None = None, *, plain: bool = False) -> None:
        self.fields = {name: np.asarray(values) for name, values in fields.items()}
        self.plain = plain
        if plain and len(self.fields) != 1:
            raise ValueError("a column of plain values has exactly one field")
        self.rows = np.asarray(rows, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.digits = dict(digits or {})
        if self.starts.ndim != 1 or len(self.starts) < 1 or self.starts[0] != 0 \
                or self.starts[-1] != len(self.rows) or (np.diff(self.starts) < 0).any():
            raise ValueError("starts must rise from 0 to the number of rows")
        unknown = set(self.digits) - set(self.fields)
        if unknown:
            raise ValueError(f"digits for fields that are not given: {sorted(unknown)}")

    @classmethod
    def grouped(cls, owner: np.ndarray, size: int, fields: Mapping[str, np.ndarray], *,
                digits: Mapping[str, int] | None = None, plain: bool = False) -> RecordLists:
        """Records ``fields`` (aligned arrays), record j belonging to subject ``owner[j]``
        (0 ≤ owner < size); each subject's records keep their order."""
        owner = np.asarray(owner, dtype=np.int64)
        for name, values in fields.items():
            if len(values) != len(owner):
                raise ValueError(f"field {name!r} has {len(values)} values for "
                                 f"{len(owner)} records")
        if len(owner) and (owner.min() < 0 or owner.max() >= size):
            raise ValueError("a record's owner is not the position of a subject")
        starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=size), out=starts[1:])
        return cls(fields, np.argsort(owner, kind="stable"), starts, digits, plain=plain)

    @classmethod
    def of_values(cls, owner: np.ndarray, size: int, values: np.ndarray) -> RecordLists:
        """Per subject, a list of plain values (``values[j]`` belonging to subject
        ``owner[j]``), e.g. the account codes behind a KAM's figure."""
        return cls.grouped(owner, size, {"value": values}, plain=True)

    # -- as a column ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __iter__(self) -> Iterator[list[Any]]:
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index: Any) -> Any:
        """``col[i]``: subject i's records as a list of dicts (or of plain values);
        ``col[array]``: the column of
        those subjects (-1: a subject with no records)."""
        if isinstance(index, int | np.integer):
            i = int(index)
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(index)
            return self.records(self.rows[self.starts[i]:self.starts[i + 1]])
        return self.take(np.asarray(index, dtype=np.int64))

    def records(self, rows: np.ndarray) -> list[Any]:
        """The records at positions ``rows`` of the field arrays, as dicts (plain values for
        a column made by :meth:`of_values`)."""
        if self.plain:
            return self.values(next(iter(self.fields)), rows)
        columns = [self.values(name, rows) for name in self.fields]
        names = list(self.fields)
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def values(self, name: str, rows: np.ndarray) -> list[Any]:
        """Field ``name`` at ``rows`` as Python values (rounded where ``digits`` says)."""
        found = self.fields[name][rows].tolist()
        places = self.digits.get(name)
        if places is not None:
            found = [None if x is None else round(x, places) for x in found]
        return found

    def take(self, index: np.ndarray) -> RecordLists:
        """The column of subjects ``index`` (positions here; -1 gives no records)."""
        index = np.asarray(index, dtype=np.int64).reshape(-1)
        if len(index) and index.max() >= len(self):
            raise IndexError("a subject position is out of range")
        valid = index >= 0
        if len(self):
            safe = np.where(valid, index, 0)
            low = np.where(valid, self.starts[safe], 0)
            count = np.where(valid, self.starts[safe + 1] - low, 0)
        else:
            low = count = np.zeros(len(index), dtype=np.int64)
        starts = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(count, out=starts[1:])
        positions = np.repeat(low - starts[:-1], count) + np.arange(starts[-1])
        return RecordLists(self.fields, self.rows[positions], starts, self.digits,
                           plain=self.plain)

    def placed(self, size: int, dst: np.ndarray, src: np.ndarray) -> RecordLists:
        """A column of ``size`` subjects where subject ``dst[j]`` has this column's entry
        ``src[j]`` and every other subject has no records."""
        index = np.full(size, -1, dtype=np.int64)
        index[np.asarray(dst, dtype=np.int64)] = src
        return self.take(index)

    def flat(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Every record of every subject in subject order: field arrays, and ``starts``."""
        return {name: values[self.rows] for name, values in self.fields.items()}, self.starts

    def __repr__(self) -> str:
        return (f"<RecordLists {len(self)} subjects, {len(self.rows)} records: "
                f"{', '.join(self.fields)}>")
