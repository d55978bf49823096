"""The snapshots task: build the fact and table snapshots that writes dropped.

Snapshots are a cache (``kamscore.facts.columns``, ``kamscore.facts.table_snapshots``): any
write drops the ones it makes stale, and the next score run builds what is missing. After an
import the queue builds them at once, off the request that imported, so that the next run,
what-if or page reading a period's facts does not pay for them: an import job calls
:func:`rebuild_snapshots` itself once its import has committed; the API's small inline
imports queue the task :data:`TASK`. A failure is logged and changes nothing (the run builds
them).
"""

from __future__ import annotations

import logging

from kamscore.db.session import Database
from kamscore.facts.columns import refresh_snapshots
from kamscore.facts.table_snapshots import refresh_table_snapshots

log = logging.getLogger(__name__)

#: The task's name in the queue.
TASK = "snapshots"


def rebuild_snapshots(database: Database, why: str = "snapshots task") -> dict[str, int]:
    """Build every missing fact and table snapshot, in a transaction of their own; returns
    ``{period or table: rows}`` of those built (none: two small queries). Never raises."""
    try:
        with database.session() as session:
            facts = refresh_snapshots(session)
            tables = refresh_table_snapshots(session)
    except Exception:
        log.exception("%s: the snapshots could not be rebuilt (the next score run builds "
                      "them)", why)
        return {}
    for what, built in (("fact snapshots", facts), ("table snapshots", tables)):
        if built:
            log.info("%s: %s rebuilt: %s", why, what,
                     ", ".join(f"{name} ({rows} rows)" for name, rows in built.items()))
    return {**facts, **tables}
