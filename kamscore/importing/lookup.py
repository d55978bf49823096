"""Batched look-ups: natural keys (codes) to ids, a few queries per file, never one per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.models import Period, PeriodStatus

#: Values per IN (...) list: well below SQLite's limit on bound parameters.
CHUNK = 900

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ids_by_code(session: Session, model: Any, codes: Iterable[str]) -> dict[str, int]:
    """``{code: id}`` for those of ``codes`` that exist as ``model.code``."""
    wanted = sorted(set(codes))
    found: dict[str, int] = {}
    for part in chunks(wanted):
        found.update(
            session.execute(select(model.code, model.id).where(model.code.in_(part))).all()
        )
    return found


def rows_where_in(
    session: Session, columns: Sequence[Any], column: Any, values: Iterable[Any]
) -> list[tuple[Any, ...]]:
    """``SELECT columns WHERE column IN values``, in chunks."""
    wanted = sorted(set(values))
    result: list[tuple[Any, ...]] = []
    for part in chunks(wanted):
        result.extend(session.execute(select(*columns).where(column.in_(part))).all())
    return result


class PeriodIndex:
    """The periods a file names: ids, and which of them are closed."""

    def __init__(self, session: Session, codes: Iterable[str]) -> None:
        rows = rows_where_in(session, [Period.code, Period.id, Period.status], Period.code, codes)
        self.ids: dict[str, int] = {code: id_ for code, id_, _ in rows}
        self.closed_ids: set[int] = {
            id_ for _, id_, status in rows if status is PeriodStatus.CLOSED
        }
        self.codes: dict[int, str] = {id_: code for code, id_ in self.ids.items()}


def closed_spans(session: Session) -> list[tuple[str, Any, Any]]:
    """``(code, start, end)`` of every closed period (there are few: one per month at most)."""
    stmt = select(Period.code, Period.start_date, Period.end_date).where(
        Period.status == PeriodStatus.CLOSED
    )
    return list(session.execute(stmt).all())
