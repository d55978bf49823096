"""Wiring the scheduled jobs into APScheduler (3.x) for the ``kamscore scheduler`` process.

Every job runs on an interval trigger (``SCHEDULER_INTERVAL_SECONDS``, default 60 s), first
at start-up, with these job defaults:

- ``coalesce=True``: when several runs were missed (the process was suspended, or a run
  took longer than the interval), they are merged into one run, not replayed one by one;
- ``misfire_grace_time`` (``SCHEDULER_MISFIRE_GRACE_SECONDS``, default 300 s): a run later
  than that is dropped; nothing is lost, because the jobs look at the state of the
  campaigns and the next run does what fell due;
- ``max_instances=1``: a job never overlaps itself in one process (``job_runs`` keeps two
  processes apart).

Job functions receive the app's session factory and the current instant; the retry policy
is ``SCHEDULER_MAX_ATTEMPTS`` attempts with ``SCHEDULER_RETRY_DELAY_SECONDS`` doubling.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from kamscore.db.session import get_db
from kamscore.mail.sending import get_mailer
from kamscore.models.types import utcnow
from kamscore.scheduler.job_runs import Job, RetryPolicy, RunOutcome, SessionFactory, run_job
from kamscore.surveys import jobs as survey_jobs
from kamscore.surveys.aggregate_store import Minimums

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def scheduled_jobs(app: Flask) -> list[Job]:
    """The jobs of the app, bound to its settings (mailer, public URL, group minimums)."""
    mailer = get_mailer(app)
    base_url = app.config["PUBLIC_BASE_URL"]
    minimums = Minimums.from_config(app.config)
    return [
        Job("open_campaigns", functools.partial(survey_jobs.open_due_campaigns, mailer=mailer,
                                                base_url=base_url)),
        Job("send_reminders", functools.partial(survey_jobs.send_due_reminders, mailer=mailer,
                                                base_url=base_url)),
        Job("close_campaigns", functools.partial(survey_jobs.close_due_campaigns,
                                                 minimums=minimums)),
        Job("recompute_aggregates", functools.partial(survey_jobs.recompute_closed_campaigns,
                                                      minimums=minimums)),
    ]


def job_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    return {"coalesce": True, "max_instances": 1,
            "misfire_grace_time": int(config["SCHEDULER_MISFIRE_GRACE_SECONDS"])}


def retry_policy(config: Mapping[str, Any]) -> RetryPolicy:
    return RetryPolicy(int(config["SCHEDULER_MAX_ATTEMPTS"]),
                       float(config["SCHEDULER_RETRY_DELAY_SECONDS"]))


def run_once(app: Flask, now: dt.datetime, names: list[str] | None = None) -> list[RunOutcome]:
    """Run the app's jobs (or those named) once for ``now``, in order."""
    session_factory = get_db(app).sessionmaker
    interval = int(app.config["SCHEDULER_INTERVAL_SECONDS"])
    chosen = [j for j in scheduled_jobs(app) if names is None or j.name in names]
    return [run_job(session_factory, job, now, interval_seconds=interval,
                    retry=retry_policy(app.config)) for job in chosen]


def add_jobs(scheduler: BaseScheduler, session_factory: SessionFactory, jobs: list[Job], *,
             interval_seconds: int, retry: RetryPolicy, clock: Clock = utcnow,
             first_run: dt.datetime | None = None) -> None:
    """Schedule each job every ``interval_seconds``, first at ``first_run`` (default: now)."""
    for job in jobs:
        scheduler.add_job(
            tick, IntervalTrigger(seconds=interval_seconds, timezone=dt.UTC),
            args=(session_factory, job, clock, interval_seconds, retry),
            id=job.name, name=job.name, replace_existing=True,
            next_run_time=first_run or clock(),
        )


def tick(session_factory: SessionFactory, job: Job, clock: Clock, interval_seconds: int,
         retry: RetryPolicy) -> RunOutcome:
    """One scheduled run; the instant is read when the run starts."""
    return run_job(session_factory, job, clock(), interval_seconds=interval_seconds,
                   retry=retry)


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler
                    ) -> BaseScheduler:
    """A ``BlockingScheduler`` with the app's jobs; ``start()`` runs it until stopped."""
    scheduler = scheduler_class(timezone=dt.UTC, job_defaults=job_defaults(app.config))
    add_jobs(scheduler, get_db(app).sessionmaker, scheduled_jobs(app),
             interval_seconds=int(app.config["SCHEDULER_INTERVAL_SECONDS"]),
             retry=retry_policy(app.config))
    return scheduler
