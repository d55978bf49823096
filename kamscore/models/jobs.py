"""Runs of scheduled jobs, recorded so that a job runs once per scheduled instant."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
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
