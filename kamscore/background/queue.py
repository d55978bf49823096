"""The app's task queue: one Huey instance per app, made on first use, with kamscore's tasks.

``TASK_QUEUE_URL`` chooses where the queue is kept:

- not set: a SQLite file, ``tasks.sqlite`` in the instance folder (one machine);
- ``sqlite:////abs/path/tasks.sqlite``: that SQLite file;
- ``redis://host:6379/0`` (or ``rediss://``, ``unix://``): Redis — production, several hosts.

``TASK_QUEUE_NAME`` names the queue in its store; ``TASK_QUEUE_IMMEDIATE`` runs each task at
once in the process that queues it (tests, the demo), in Huey's immediate mode. Nothing is
opened until the queue is first used: creating an app touches neither the file nor Redis.

Tasks take a job id only; the worker's own app (``kamscore worker`` builds one from the same
settings) gives them the database, the queue's store and the uploads folder.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from kamscore.background.imports import run_import_job
from kamscore.background.plan_reminders import TASK as PLAN_REMINDERS
from kamscore.background.plan_reminders import send_plan_reminders
from kamscore.background.progress import final_progress, live_progress, progress_key
from kamscore.background.score_runs import TASK as SCORE_RUN
from kamscore.background.score_runs import run_score_job
from kamscore.background.snapshots import TASK as SNAPSHOTS
from kamscore.background.snapshots import rebuild_snapshots
from kamscore.background.uploads import uploads_dir
from kamscore.db.session import get_db
from kamscore.mail.sending import get_mailer
from kamscore.models import BackgroundJob, JobState
from kamscore.plugin_host.manager import get_plugin_manager

log = logging.getLogger(__name__)

EXTENSION_KEY = "kamscore.background.queue"
DEFAULT_FILE = "tasks.sqlite"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SQLITE_PREFIX = "sqlite:///"


def queue_location(url: str | None, instance_path: str) -> tuple[str, str]:
    """``("sqlite", path)`` or ``("redis", url)`` for a ``TASK_QUEUE_URL``; ValueError if it
    is neither."""
    if not url:
        return "sqlite", str(Path(instance_path) / DEFAULT_FILE)
    if url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
        return "sqlite", url[len(SQLITE_PREFIX):]
    if url.startswith(REDIS_SCHEMES):
        return "redis", url
    raise ValueError(f"TASK_QUEUE_URL {url!r} is neither sqlite:///<file> nor redis://<host>")


class TaskQueue:
    """One app's Huey instance and its tasks."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.backend, self.location = queue_location(app.config["TASK_QUEUE_URL"],
                                                     app.instance_path)
        self.name = str(app.config["TASK_QUEUE_NAME"])
        self.immediate = bool(app.config["TASK_QUEUE_IMMEDIATE"])
        self._huey: Huey | None = None
        self._tasks: dict[str, Callable[..., Any]] = {}
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        """The Huey instance, made (and its SQLite file created) on first use."""
        return self._ready()[0]

    def describe(self) -> str:
        """Where the queue is, for logs (a Redis URL without its password)."""
        if self.backend == "redis":
            parts = urlsplit(self.location)
            return f"Redis {parts.scheme}://{parts.hostname or ''}" \
                   f"{f':{parts.port}' if parts.port else ''}{parts.path} (queue {self.name})"
        return f"SQLite file {self.location} (queue {self.name})"

    def enqueue(self, task: str, *args: Any) -> None:
        """Queue ``task(*args)`` (or, in immediate mode, run it now)."""
        self._ready()[1][task](*args)

    def progress(self, job_id: str) -> dict[str, Any] | None:
        """The progress a running job last published (None: none yet)."""
        return self.huey.get(progress_key(job_id), peek=True)

    def consumer(self, workers: int) -> Consumer:
        """Huey's consumer for ``kamscore worker``: ``workers`` threads; SIGTERM lets running
        jobs finish, SIGINT (Ctrl+C) stops at once."""
        return self.huey.create_consumer(workers=workers, worker_type="thread",
                                         periodic=False, graceful_signal="TERM")

    def _ready(self) -> tuple[Huey, dict[str, Callable[..., Any]]]:
        with self._lock:
            if self._huey is None:
                huey = self._make_huey()
                self._tasks = register_tasks(huey, self.app)
                self._huey = huey
            return self._huey, self._tasks

    def _make_huey(self) -> Huey:
        options: dict[str, Any] = {"immediate": self.immediate, "results": False, "utc": True}
        if self.backend == "redis":
            return RedisHuey(self.name, url=self.location, **options)
        if not self.immediate:
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(self.name, filename=self.location, **options)


def register_tasks(huey: Huey, app: Flask) -> dict[str, Callable[..., Any]]:
    """kamscore's tasks on ``huey``, each run with ``app``'s database and settings."""

    @huey.task(name="import_file")
    def import_file(job_id: str) -> None:
        with app.app_context():
            run_import_job(get_db(app), huey, uploads_dir(app.config, app.instance_path),
                           job_id)

    @huey.task(name="score_run")
    def score_run(job_id: str) -> None:
        with app.app_context():
            run_score_job(get_db(app), huey, get_plugin_manager(app), job_id)

    @huey.task(name=PLAN_REMINDERS)
    def plan_reminders(*args: Any) -> None:
        with app.app_context():
            send_plan_reminders(get_db(app), get_plugin_manager(app), get_mailer(app), *args)

    @huey.task(name=SNAPSHOTS)
    def snapshots() -> None:
        with app.app_context():
            rebuild_snapshots(get_db(app))

    return {"import": import_file, SCORE_RUN: score_run, PLAN_REMINDERS: plan_reminders,
            SNAPSHOTS: snapshots}


def job_progress(job: BackgroundJob, app: Flask | None = None) -> dict[str, Any] | None:
    """A job's progress as readers show it: live from the queue's store while it runs, at
    its overall rate once done, None while queued or after a failure."""
    if job.state is JobState.DONE:
        return final_progress(job.rows, job.started_at, job.finished_at)
    if job.state is not JobState.RUNNING:
        return None
    try:
        published = get_queue(app).progress(job.id)
    except Exception:  # the queue's store is down: the job's state is still worth showing
        log.warning("cannot read the progress of job %s from the task queue", job.id,
                    exc_info=True)
        published = None
    return live_progress(published, time.time())


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = TaskQueue(app)


def get_queue(app: Flask | None = None) -> TaskQueue:
    return (app or current_app).extensions[EXTENSION_KEY]
