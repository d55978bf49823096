"""The record of each background job (``background_job``): made when the job is queued,
claimed by the worker that runs it, finished in the same transaction as the job's own writes.

A job is read by the user who started it and by administrators only: :func:`visible_job`
applies that in its query. Services here take a session and plain arguments.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kamscore.models import BackgroundJob, JobState, User
from kamscore.models.types import utcnow
from kamscore.sentences import Sentence

#: The role that reads every user's jobs.
ADMIN_ROLE = "admin"


def new_job(session: Session, user: User, task: str, params: dict[str, Any]) -> BackgroundJob:
    """A queued job of ``task`` for ``user``, with a random id (flushed, not committed)."""
    job = BackgroundJob(id=secrets.token_hex(16), task=task, user_id=user.id, params=params,
                        state=JobState.QUEUED, created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def claim_job(session: Session, job_id: str) -> BackgroundJob | None:
    """Mark a queued job running and return it; None if it is not queued (already run by
    another worker, or unknown), so a job delivered twice runs once."""
    claimed = session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=utcnow())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(BackgroundJob, job_id, populate_existing=True)


def finish_job(session: Session, job_id: str, *, rows: int | None,
               result: dict[str, Any]) -> None:
    """Mark the job done with its report; in the caller's transaction (with the job's
    writes, so that a job is done exactly when what it did is stored)."""
    session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id)
        .values(state=JobState.DONE, finished_at=utcnow(), rows=rows, result=result)
    )


def fail_job(session: Session, job_id: str, code: int, message: str | Sentence,
             errors: dict[str, Any] | None = None, **extra: Any) -> None:
    """Mark the job failed, with an error in the API's shape (``code``: the HTTP status the
    same failure gets from a synchronous request, e.g. 422 for a refused file). ``message``
    is kept in English; a sentence is also kept as one (``sentence``: ``Sentence.as_dict``),
    to be read in its reader's language; ``extra`` keys are kept beside (a workbook's
    ``layout``)."""
    if isinstance(message, Sentence):
        extra = {**extra, "sentence": message.as_dict()}
    session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id)
        .values(state=JobState.FAILED, finished_at=utcnow(),
                error={"code": code, "message": str(message), "errors": errors or {}, **extra})
    )


def visible_job(session: Session, job_id: str, user: User) -> BackgroundJob | None:
    """The job ``job_id`` if ``user`` started it or is an administrator, else None."""
    query = select(BackgroundJob).where(BackgroundJob.id == job_id)
    if ADMIN_ROLE not in user.role_names:
        query = query.where(BackgroundJob.user_id == user.id)
    return session.scalar(query)


def username_of(session: Session, job: BackgroundJob) -> str:
    """Who started ``job``: the actor of what it does, in the audit log."""
    return session.execute(select(User.username).where(User.id == job.user_id)).scalar_one()


def recent_jobs(session: Session, user: User, task: str,
                limit: int = 20) -> list[tuple[BackgroundJob, str]]:
    """The latest jobs of ``task`` that ``user`` may read (his own; an administrator's: all),
    newest first, each with the username of who started it."""
    query = (select(BackgroundJob, User.username).join(User, User.id == BackgroundJob.user_id)
             .where(BackgroundJob.task == task))
    if ADMIN_ROLE not in user.role_names:
        query = query.where(BackgroundJob.user_id == user.id)
    rows = session.execute(query.order_by(BackgroundJob.created_at.desc(), BackgroundJob.id)
                           .limit(limit)).all()
    return [(job, username) for job, username in rows]
