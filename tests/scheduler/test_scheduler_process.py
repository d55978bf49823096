"""The APScheduler wiring: a late scheduler runs missed ticks once (coalesce), the app's
scheduler is configured as documented, the CLI runs jobs once and lists runs, and the web
app never loads the scheduler."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from kamscore.config import DEFAULTS
from kamscore.db.session import get_db
from kamscore.models import ScheduledJobRun
from kamscore.scheduler.job_runs import Job, RetryPolicy, slot_of
from kamscore.scheduler.process import add_jobs, build_scheduler, job_defaults


def run_late_scheduler(app, *, coalesce: bool) -> tuple[int, int]:
    """A job due every hour whose last run was 3.5 hours ago (three runs missed and one due
    now) — a scheduler started late. Returns (runs APScheduler made, job bodies executed)."""
    calls: list[dt.datetime] = []
    executed: list[object] = []
    done = threading.Event()
    defaults = job_defaults(DEFAULTS) | {"coalesce": coalesce, "misfire_grace_time": 6 * 3600}
    scheduler = BackgroundScheduler(timezone=dt.UTC, job_defaults=defaults)

    def on_executed(event):
        executed.append(event)
        done.set()

    scheduler.add_listener(on_executed, EVENT_JOB_EXECUTED)
    now = dt.datetime.now(dt.UTC)
    add_jobs(scheduler, get_db(app).sessionmaker,
             [Job("hourly", lambda _factory, when: calls.append(when) or "ran")],
             interval_seconds=3600, retry=RetryPolicy(1, 0),
             first_run=now - dt.timedelta(hours=3, minutes=30))
    scheduler.start()
    try:
        assert done.wait(30), "the job never ran"
        # give any replayed runs time to show up (they run in the same worker, one by one)
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
        while dt.datetime.now(dt.UTC) < deadline and len(executed) < 4:
            threading.Event().wait(0.05)
    finally:
        scheduler.shutdown(wait=True)
    return len(executed), len(calls)


def test_a_scheduler_started_late_catches_up_once(app):
    runs, bodies = run_late_scheduler(app, coalesce=True)
    assert (runs, bodies) == (1, 1)


def test_without_coalescing_missed_runs_would_be_replayed_but_do_nothing_twice(app):
    """The control: APScheduler replays the 4 missed runs when coalescing is off; the
    job-run claim still lets only one of them do the work (same slot)."""
    runs, bodies = run_late_scheduler(app, coalesce=False)
    assert runs == 4 and bodies == 1
    with get_db(app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(ScheduledJobRun)) == 1


def test_the_app_scheduler_is_configured_as_documented(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults are applied when jobs are stored
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
    assert sorted(jobs) == ["close_campaigns", "open_campaigns", "recompute_aggregates",
                            "send_reminders"]
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 300
        assert job.trigger.interval == dt.timedelta(seconds=60)


def test_slots_are_the_interval_boundaries():
    at = dt.datetime(2026, 3, 2, 8, 0, 59, 999_000, tzinfo=dt.UTC)
    assert slot_of(at, 60) == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    taipei = at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert slot_of(taipei, 60) == slot_of(at, 60)  # the same instant, whatever the zone


def test_cli_runs_the_jobs_once_and_lists_the_runs(runner):
    result = runner.invoke(args=["scheduler", "once", "--at", "2026-03-02T08:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "open_campaigns: succeeded — opened 0 campaign(s) []" in result.output
    assert "close_campaigns: succeeded" in result.output
    again = runner.invoke(args=["scheduler", "once", "--at", "2026-03-02T08:00:30+00:00",
                                "--job", "close_campaigns"])
    assert "close_campaigns: skipped — claimed by another run" in again.output
    listed = runner.invoke(args=["scheduler", "runs"])
    assert listed.exit_code == 0
    assert listed.output.count("2026-03-02T08:00:00+00:00") == 4
    assert "succeeded" in listed.output


def test_cli_refuses_an_instant_without_a_zone(runner):
    result = runner.invoke(args=["scheduler", "once", "--at", "2026-03-02T08:00"])
    assert result.exit_code != 0 and "--at" in result.output and "offset" in result.output


@pytest.mark.slow
def test_the_web_app_does_not_load_the_scheduler(tmp_path):
    code = (
        "import sys, threading\n"
        "from kamscore import create_app\n"
        f"app = create_app({{'TESTING': True, 'SECRET_KEY': 'x', "
        f"'DATABASE_URL': 'sqlite:///{tmp_path}/x.sqlite'}})\n"
        "print(any(m.startswith('apscheduler') for m in sys.modules), "
        "threading.active_count())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "1"]


@pytest.mark.slow
def test_the_scheduler_process_runs_jobs_and_stops_on_sigterm(database_url, tmp_path):
    """`kamscore scheduler` as operators run it: a process of its own, every job run at
    start-up, a clean stop on SIGTERM."""
    import os
    import signal
    import time

    from sqlalchemy import create_engine

    env = dict(os.environ, KAMSCORE_DATABASE_URL=database_url,
               KAMSCORE_INSTANCE_PATH=str(tmp_path / "instance"),
               KAMSCORE_SCHEDULER_INTERVAL_SECONDS="2", KAMSCORE_MAIL_BACKEND="memory")
    kamscore = os.path.join(os.path.dirname(sys.executable), "kamscore")
    process = subprocess.Popen([kamscore, "scheduler"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    engine = create_engine(database_url)
    try:
        deadline = time.monotonic() + 60
        names: set[str] = set()
        while time.monotonic() < deadline and len(names) < 4:
            with engine.connect() as conn:
                names = set(conn.scalars(select(ScheduledJobRun.job_name)))
            time.sleep(0.2)
        assert names == {"open_campaigns", "send_reminders", "close_campaigns",
                         "recompute_aggregates"}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        engine.dispose()
    assert process.returncode == 0, output
    assert "kamscore scheduler: stopped" in output
