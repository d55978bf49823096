"""Runs of scheduled jobs, recorded so that a job runs once per scheduled instant; and the
records of background jobs (work done by ``kamscore worker``: large imports)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kamscore.models.base import Base, str_enum
from kamscore.models.types import UTCDateTime, utcnow


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # may be retried: the same row is claimed again, ``attempts`` grows


class ScheduledJobRun(Base):
    """One run of a scheduled job for one scheduled instant.

    A scheduler claims a run by inserting (``job_name``, ``scheduled_for``); the UNIQUE
    constraint makes a second scheduler — or the same job fired twice — fail to claim it, so
    the work is done once however many processes run the schedule by mistake.
    """

    __tablename__ = "scheduled_job_run"
    __table_args__ = (
        UniqueConstraint("job_name", "scheduled_for"),
        CheckConstraint("attempts >= 1", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[JobRunStatus] = mapped_column(
        str_enum(JobRunStatus, "job_run_status"), default=JobRunStatus.RUNNING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(String(500))  # what it did, for the log/page


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting in the task queue for a worker
    RUNNING = "running"
    DONE = "done"  # ``result`` holds what it did
    FAILED = "failed"  # ``error`` says why; nothing was written


class BackgroundJob(Base):
    """One piece of work handed to the task queue (``kamscore worker``), and what became of it.

    The queue itself is Huey's (``kamscore.background.queue``): this row is the job's record,
    visible to every web worker and host, kept after the job ends. ``id`` is random (the
    ``/api/v1/jobs/<id>`` URL), ``user_id`` the user who started it — he and administrators
    may read it. ``params`` are the task's inputs (an import: kind, file name, dry run, size),
    ``result`` its report when ``done``, ``error`` (``{"code", "message", "errors"}``, the
    API's error shape) when ``failed``; ``rows`` is how many rows a finished import had.
    """

    __tablename__ = "background_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "job_state"),
                                            default=JobState.QUEUED)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rows: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
