"""SQLite: a re-import or an update written into ``fact`` as each chunk is checked, in place.

The staged path (:mod:`kamscore.importing.fact_stage`) writes every row of a file twice: into
the staging table, then into ``fact``. On SQLite, where an import is one writer holding the
lock, that second write was what kept a full update at three times its floor. Here each
checked chunk goes straight into ``fact`` as one ``executemany`` of an upsert (``INSERT ...
ON CONFLICT (period_id, name, subject_key) DO UPDATE ... WHERE`` a compared column differs),
inside a savepoint and without ``fact``'s snapshot row triggers (as the other writers do):

- **the counts** come from SQLite itself: the changes of each period's statements (a row
  created or updated counts one, an unchanged row none), and the facts each period holds
  before its first row and after the last (the difference is the rows created);
- **the snapshots** of exactly the periods with a change are deleted, as the triggers would;
- **a key the file gives twice** would silently update its own first row: the keys' hashes
  are kept (8 bytes a row), and when two are equal at the end (a repeated key, or one
  chance in 10⁹ of two keys alike) the import gives way.

It gives way — the savepoint rolled back, nothing kept — to the staged path, which finds and
reports each case line by line, when a chunk names a closed period (an unchanged row may be
re-imported there, a changed one is refused: only the staged comparison tells them apart) or
when a key may repeat. Then the file is read again from its start if rows had been written.

It also gives way past :data:`MAX_ROWS` rows. Until the savepoint is released SQLite keeps
the original of every page the upserts change in its sub-journal, which kamscore's
connections hold in memory (``temp_store=MEMORY``): about 70 bytes a row written, 1 GB for
a file of 10 million changed facts. The staged path's update runs in no savepoint and keeps
none, so a file past the bound is read again and staged: its memory stays bounded, for a few
seconds more (the first million rows written twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.db.sqlite_insert import insert_tuples
from kamscore.importing.changes import Counts
from kamscore.importing.fact_direct import WriteSavepoint, any_closed, delete_snapshots
from kamscore.importing.kinds.fact_columns import STAGE_COLUMNS
from kamscore.models import Fact

_WRITTEN = STAGE_COLUMNS[1:]  # every staged column but the line
_SAVEPOINT = "kamscore_fact_in_place"
_KEY = itemgetter(1, 2, 3)  # period_id, name, subject_key of a staging tuple
_fact = Fact.__table__

#: Rows upserted in place before an import gives way to the staged path (the sub-journal
#: and the hashes then hold about 70 MB).
MAX_ROWS = 1_000_000


def upsert_clause(compared: Sequence[str]) -> str:
    """The ``ON CONFLICT`` clause that updates the ``compared`` columns of a stored fact
    when one of them differs (``IS NOT``: NULL equals NULL), and else leaves it alone."""
    sets = ", ".join(f"{c} = excluded.{c}" for c in compared)
    differs = " OR ".join(f"fact.{c} IS NOT excluded.{c}" for c in compared)
    return f"ON CONFLICT (period_id, name, subject_key) DO UPDATE SET {sets} WHERE {differs}"


class InPlaceUpdate:
    """The checked chunks of one file upserted into ``fact`` (SQLite), counted as they go."""

    postgres = False  # the import's chunk loop asks every writer

    def __init__(self, session: Session, compared: Sequence[str]) -> None:
        self.connection = session.connection()
        self.clause = upsert_clause(compared)
        self.rows = 0  # rows written (each created, updated or left as it was)
        self.before: dict[int, int] = {}  # facts a period held before its first row
        self.changes: dict[int, int] = defaultdict(int)  # rows created or updated, by period
        self.counts = Counts()
        self._hashes: list[np.ndarray] = []
        self._savepoint = WriteSavepoint(self.connection, _SAVEPOINT)

    def write(self, rows: list[tuple[Any, ...]], *, keep_open: bool = False) -> bool:
        """Upsert the checked ``rows`` (staging tuples); False, writing nothing of them,
        when they name a closed period or would take the rows written past
        :data:`MAX_ROWS`. ``keep_open`` is PostgreSQL's, ignored."""
        if not rows:
            return True
        if self.rows + len(rows) > MAX_ROWS:
            return False
        periods = {row[1] for row in rows}
        new = periods - self.before.keys()
        if new:
            if any_closed(self.connection, new):
                return False
            self._savepoint.start()
            self.before.update(self._facts_by_period(new))
        self._hashes.append(np.fromiter(map(hash, map(_KEY, rows)), np.int64, len(rows)))
        groups = ({rows[0][1]: rows} if len(periods) == 1 else _by_period(rows))
        for period, part in groups.items():
            self.changes[period] += insert_tuples(self.connection, _fact, (None, *_WRITTEN),
                                                  part, on_conflict=self.clause)
        self.rows += len(rows)
        return True

    def _facts_by_period(self, periods: Iterable[int]) -> dict[int, int]:
        """The facts each of ``periods`` holds (0 for none), walked in the unique key's
        index, which leads with the period."""
        wanted = list(periods)
        found = dict(self.connection.execute(
            select(_fact.c.period_id, func.count()).where(_fact.c.period_id.in_(wanted))
            .group_by(_fact.c.period_id)).all())
        return {period: found.get(period, 0) for period in wanted}

    def finish(self) -> bool:
        """Keep what was written (the snapshots of the periods changed deleted, the
        triggers back, the savepoint released) and count it; False, keeping nothing yet,
        when two rows may share a key (then :meth:`abandon`)."""
        if not self._savepoint.open:
            return True
        if _repeats(self._hashes):
            return False
        after = self._facts_by_period(self.before)
        created = sum(after[p] - self.before[p] for p in self.before)
        updated = sum(self.changes.values()) - created
        self.counts = Counts(created=created, updated=updated,
                             unchanged=self.rows - created - updated)
        delete_snapshots(self.connection, sorted(p for p, n in self.changes.items() if n))
        self._savepoint.keep()
        return True

    def abandon(self) -> None:
        """Undo every write of this object (and the triggers' removal)."""
        self._hashes = []
        if not self._savepoint.open:
            return
        self._savepoint.undo()
        self.rows = 0


def _by_period(rows: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        groups[row[1]].append(row)
    return groups


def _repeats(hashes: list[np.ndarray]) -> bool:
    """Whether two of the keys' hashes are equal."""
    if not hashes:
        return False
    every = np.concatenate(hashes)
    hashes.clear()
    every.sort()
    return bool((every[1:] == every[:-1]).any())
