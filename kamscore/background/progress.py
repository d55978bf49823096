"""A running job's progress: rows done of rows total, rows per second, time left.

The worker publishes it to the queue's key-value store (Huey's ``put``: the SQLite file or
Redis), at most every :data:`PUBLISH_EVERY` seconds, and deletes it when the job ends; the
web workers read it from there. Not the database: on SQLite an import holds the database's
write lock for its whole transaction, so a progress row written beside it would wait for the
very import it reports on.

An import of N rows reports one step per row validated and one per row written (a dry run
validates only): ``rows_done`` is the work done, counted in rows. ``rows_total`` is estimated
from the file's line count until the job ends, then it is the number of rows read.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, Protocol

#: Seconds between two publications of a running job's progress.
PUBLISH_EVERY = 0.5


class ProgressStore(Protocol):
    """Where progress is kept: Huey's key-value API."""

    def put(self, key: str, data: Any) -> Any: ...

    def get(self, key: str, peek: bool = False) -> Any: ...

    def delete(self, key: str) -> Any: ...


def progress_key(job_id: str) -> str:
    return f"kamscore.job.{job_id}.progress"


def estimate_rows(path: Path) -> int:
    """Data rows in an uploaded file: a CSV file's line count (blank lines and quoted line
    breaks make it a little high), a workbook's size over 30 bytes a row; the report's
    count replaces it when the job ends."""
    with path.open("rb") as stream:
        if stream.read(4) == b"PK\x03\x04":
            return path.stat().st_size // 30
        stream.seek(0)
        lines = 0
        last = b""
        while block := stream.read(1024 * 1024):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += 0 if last in (b"\n", b"") else 1
    return max(lines - 1, 0)


class ProgressTracker:
    """The ``progress`` callback of ``import_csv`` for one job: counts steps and publishes
    ``{"rows_done", "rows_total", "started"}`` (``started``: Unix time) to ``store``."""

    def __init__(self, store: ProgressStore, job_id: str, *, rows_total: int, passes: int,
                 clock: Any = time.time) -> None:
        self.store = store
        self.key = progress_key(job_id)
        self.rows_total = rows_total
        self.passes = max(passes, 1)
        self.clock = clock
        self.started = clock()
        self.steps = 0
        self._published_at: float | None = None
        self.publish()

    def __call__(self, steps: int) -> None:
        self.steps += steps
        if self._published_at is None or self.clock() - self._published_at >= PUBLISH_EVERY:
            self.publish()

    @property
    def rows_done(self) -> int:
        return min(self.steps // self.passes, self.rows_total)

    def publish(self) -> None:
        self._published_at = self.clock()
        self.store.put(self.key, {"rows_done": self.rows_done, "rows_total": self.rows_total,
                                  "started": self.started})

    def clear(self) -> None:
        self.store.delete(self.key)


def live_progress(published: dict[str, Any] | None, now: float) -> dict[str, Any]:
    """What a reader shows of a running job's published progress (zeros before the first)."""
    if not published:
        return progress_figures(0, None, None)
    elapsed = max(now - float(published["started"]), 0.0)
    return progress_figures(int(published["rows_done"]), int(published["rows_total"]), elapsed)


def final_progress(rows: int | None, started: dt.datetime | None,
                   finished: dt.datetime | None) -> dict[str, Any]:
    """A finished job's progress: every row done, at the job's overall rate."""
    elapsed = (finished - started).total_seconds() if started and finished else None
    return progress_figures(rows or 0, rows or 0, elapsed)


def progress_figures(done: int, total: int | None, elapsed: float | None) -> dict[str, Any]:
    """``rows_done``, ``rows_total``, ``rows_per_second`` and ``seconds_left`` (None when
    not known yet)."""
    rate = done / elapsed if elapsed and done else None
    left = None
    if total is not None:
        left = 0.0 if done >= total else ((total - done) / rate if rate else None)
    return {
        "rows_done": done,
        "rows_total": total,
        "rows_per_second": round(rate, 1) if rate is not None else None,
        "seconds_left": round(left, 1) if left is not None else None,
    }


class DiscardedProgress:
    """A store that keeps nothing: for an import run inside the request that shows its
    result (nobody follows its progress)."""

    def put(self, key: str, data: Any) -> None:
        return None

    def get(self, key: str, peek: bool = False) -> None:
        return None

    def delete(self, key: str) -> None:
        return None
