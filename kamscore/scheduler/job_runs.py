"""One run of a scheduled job per time slot: claimed in the database, retried, logged.

Before running, a scheduler *claims* the job's current slot (``now`` rounded down to the
job's interval) by inserting a ``ScheduledJobRun`` row and committing: the UNIQUE
(job_name, scheduled_for) constraint lets exactly one process win, so two schedulers
started by mistake, or a job fired twice, do the slot's work once. The loser logs and
returns. A job that raises is logged with its traceback, marked ``failed``, and tried again
(at most ``RetryPolicy.attempts`` times in all, with a growing pause); the row keeps the
number of attempts and the last error. A process that dies in the middle leaves its row
``running``; the next slot runs normally.

This guards the *slot*. What the jobs do is idempotent on its own as well (each e-mail is
claimed by a UNIQUE row before it is sent, state changes check the state), so a job run in
two different slots by two badly synchronised schedulers still sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kamscore.models import JobRunStatus, ScheduledJobRun
from kamscore.models.types import utcnow

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
JobFunction = Callable[[SessionFactory, dt.datetime], str]


@dataclass(frozen=True)
class Job:
    """A named job function of (session factory, now) returning a one-line summary."""

    name: str
    function: JobFunction


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # in all, the first one included
    delay_seconds: float = 10.0  # before the second attempt; doubled each time

    def delay(self, attempt: int) -> float:
        return self.delay_seconds * 2 ** (attempt - 1)


@dataclass(frozen=True)
class RunOutcome:
    job: str
    slot: dt.datetime
    status: str  # "succeeded", "failed" or "skipped" (another process has the slot)
    attempts: int = 0
    summary: str | None = None
    error: str | None = None


def slot_of(now: dt.datetime, interval_seconds: int) -> dt.datetime:
    """``now`` rounded down to a multiple of the interval (in UTC, from the epoch)."""
    seconds = int(now.timestamp()) // interval_seconds * interval_seconds
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def run_job(session_factory: SessionFactory, job: Job, now: dt.datetime, *,
            interval_seconds: int, retry: RetryPolicy = RetryPolicy(),
            sleep: Callable[[float], None] = time.sleep) -> RunOutcome:
    """Run ``job`` for the slot of ``now`` unless another process has claimed it."""
    slot = slot_of(now, interval_seconds)
    run_id = _claim(session_factory, job.name, slot)
    if run_id is None:
        log.info("job %s, slot %s: claimed by another run; skipped", job.name, slot.isoformat())
        return RunOutcome(job.name, slot, "skipped")
    attempt = 1
    while True:
        try:
            summary = job.function(session_factory, now)
        except Exception as exc:
            error = "".join(traceback.format_exception(exc))
            log.exception("job %s, slot %s: attempt %d of %d failed", job.name,
                          slot.isoformat(), attempt, retry.attempts)
            _finish(session_factory, run_id, JobRunStatus.FAILED, error=error)
            if attempt >= retry.attempts or not _reclaim(session_factory, run_id, attempt):
                return RunOutcome(job.name, slot, "failed", attempt, error=f"{exc}")
            sleep(retry.delay(attempt))
            attempt += 1
            continue
        _finish(session_factory, run_id, JobRunStatus.SUCCEEDED, summary=summary)
        log.info("job %s, slot %s: %s", job.name, slot.isoformat(), summary)
        return RunOutcome(job.name, slot, "succeeded", attempt, summary)


def _claim(session_factory: SessionFactory, name: str, slot: dt.datetime) -> int | None:
    with session_factory() as session:
        run = ScheduledJobRun(job_name=name, scheduled_for=slot, status=JobRunStatus.RUNNING,
                              attempts=1, started_at=utcnow())
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return run.id


def _reclaim(session_factory: SessionFactory, run_id: int, attempts: int) -> bool:
    """failed → running for one more attempt, atomically (False if someone else did)."""
    with session_factory() as session, session.begin():
        claimed = session.execute(
            update(ScheduledJobRun)
            .where(ScheduledJobRun.id == run_id, ScheduledJobRun.attempts == attempts,
                   ScheduledJobRun.status == JobRunStatus.FAILED)
            .values(status=JobRunStatus.RUNNING, attempts=attempts + 1, started_at=utcnow(),
                    finished_at=None)
        ).rowcount
    return claimed == 1


def _finish(session_factory: SessionFactory, run_id: int, status: JobRunStatus, *,
            summary: str | None = None, error: str | None = None) -> None:
    with session_factory() as session, session.begin():
        session.execute(
            update(ScheduledJobRun).where(ScheduledJobRun.id == run_id)
            .values(status=status, finished_at=utcnow(), error=error,
                    summary=None if summary is None else summary[:500])
        )


def recent_runs(session: Session, limit: int = 20) -> list[ScheduledJobRun]:
    """The latest runs, newest slot first."""
    return list(session.scalars(
        select(ScheduledJobRun)
        .order_by(ScheduledJobRun.scheduled_for.desc(), ScheduledJobRun.id.desc()).limit(limit)
    ))
