"""The rows a :class:`~kamscore.metrics.context.MetricContext` is assembled from
(``kamscore.metrics.assemble``), as named tuples: the loader passes query rows positionally,
tests write ``FactRow("net_sales", account="A1", product="P1", value=100.0)``. Also the
columns the loader passes instead where a table is large, and :func:`day_array`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from kamscore.metrics.positions import CodedColumn


class PersonRow(NamedTuple):
    code: str
    name: str
    role: str
    grade: str | None = None
    base_salary: float | None = None
    currency: str = "EUR"
    manager: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class PeopleColumns(NamedTuple):
    """People column-wise, as the loader passes them (``PersonRow`` fields; one array each)."""

    code: np.ndarray  # object
    name: np.ndarray  # object
    role: np.ndarray  # object: the role as text
    grade: np.ndarray  # object
    base_salary: np.ndarray  # float (NaN: none)
    currency: np.ndarray  # object
    manager: np.ndarray  # object: the manager's person code (None: none)
    start_date: np.ndarray  # datetime64[D] (NaT: unknown)
    end_date: np.ndarray  # datetime64[D] (NaT: open-ended)


class AccountRow(NamedTuple):
    code: str
    name: str = ""
    type: str = "hospital"
    segment: str | None = None
    region: str | None = None
    team: str | None = None


class AssignmentRow(NamedTuple):
    person: str
    account: str
    start_date: dt.date
    end_date: dt.date | None = None
    share: float = 1.0


class FactRow(NamedTuple):
    name: str
    account: str | None = None
    person: str | None = None
    team: str | None = None
    product: str | None = None
    value: float | None = None
    category: str | None = None
    item: str | None = None  # the transaction (order, deal); None: the period's figure


class PlanRow(NamedTuple):
    account: str
    owner: str
    quality_rating: int | None = None
    period: str | None = None  # the plan's period when not the context's own (a year plan)


class PlanColumns(NamedTuple):
    """Plans column-wise, as the loader passes them (``PlanRow`` fields)."""

    account: np.ndarray  # int: positions in the accounts sorted by code (-1: unknown)
    owner: np.ndarray | CodedColumn  # object: person codes (or as person ids)
    quality_rating: np.ndarray  # float (NaN: not rated)
    period: np.ndarray  # object: the plan's period code


class ObjectiveRow(NamedTuple):
    account: str  # the plan's account (one plan per account and period)
    code: str
    target: float | None = None
    actual: float | None = None
    met: bool | None = None


class ActionRow(NamedTuple):
    account: str
    code: str
    due_date: dt.date
    done_date: dt.date | None = None


class StakeholderRow(NamedTuple):
    account: str
    role: str = "physician"
    influence: int = 3
    partnership_level: int = 1
    is_key: bool = False


class TeamRow(NamedTuple):
    code: str
    name: str = ""
    lead: str | None = None


class TeamMemberRow(NamedTuple):
    team: str
    person: str
    function: str


class TeamColumns(NamedTuple):
    """Teams column-wise (``TeamRow`` fields), object arrays."""

    code: np.ndarray
    name: np.ndarray
    lead: np.ndarray  # the lead's person code (None: none)


class TeamMemberColumns(NamedTuple):
    """Team members column-wise (``TeamMemberRow`` fields), object arrays; ``function`` as
    text."""

    team: np.ndarray
    person: np.ndarray
    function: np.ndarray


def object_column(values: Iterable[Any]) -> np.ndarray:
    """``values`` (scalars: texts, numbers, None) as a one-dimensional object array."""
    out = list(values)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


def float_column(values: Iterable[Any]) -> np.ndarray:
    """Numbers (ints, floats, Decimals) as floats; None becomes NaN."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # NaT's integer


def day_array(values: Iterable[dt.date | str | None], default: dt.date | None = None
              ) -> np.ndarray:
    """Dates as ``datetime64[D]``; None becomes ``default`` (NaT without one).

    ``date`` objects (what PostgreSQL and SQLAlchemy return) go through their ordinals, ten
    times faster than numpy's conversion of the objects; ISO text (SQLite's raw rows) goes
    through numpy's parser."""
    items = list(values)
    if all(v is None or isinstance(v, dt.date) for v in items):
        fill = _NAT if default is None else default.toordinal() - _EPOCH_ORDINAL
        return np.array([fill if v is None else v.toordinal() - _EPOCH_ORDINAL for v in items],
                        dtype=np.int64).astype("datetime64[D]")
    missing = "NaT" if default is None else default.isoformat()
    return np.array([missing if v is None else v for v in items], dtype="datetime64[D]")


class AssignmentColumns(NamedTuple):
    """Assignments column-wise, as the loader passes them (``AssignmentRow`` fields)."""

    person: np.ndarray | CodedColumn  # object: person codes (or as person ids)
    account: np.ndarray  # int64: positions in the accounts sorted by code (-1: unknown)
    start_date: np.ndarray  # datetime64[D] (NaT: the period's start)
    end_date: np.ndarray  # datetime64[D] (NaT: open-ended)
    share: np.ndarray  # float
