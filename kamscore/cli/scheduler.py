"""``kamscore scheduler``: the scheduler process, one-off runs of its jobs, and their history."""

from __future__ import annotations

import datetime as dt
import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from kamscore.db.session import get_db
from kamscore.models.types import utcnow

# The scheduler modules (and APScheduler) are imported by the commands, not here: this module
# is loaded by every app, web workers included, and they never schedule anything.

JOB_NAMES = ("open_campaigns", "send_reminders", "close_campaigns", "recompute_aggregates")


@click.group("scheduler", cls=AppGroup, invoke_without_command=True)
@with_appcontext
@click.pass_context
def scheduler_group(ctx: click.Context) -> None:
    """Run the scheduler: open and close campaigns on time, send reminders, compute results.

    Run exactly one of these processes beside the web server (never inside it). Stop it with
    Ctrl+C or SIGTERM; running jobs finish first.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kamscore.scheduler.process import build_scheduler, scheduled_jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = build_scheduler(app)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown())
    names = ", ".join(job.name for job in scheduled_jobs(app))
    click.echo(f"kamscore scheduler: {names} every "
               f"{app.config['SCHEDULER_INTERVAL_SECONDS']} s (Ctrl+C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown()
    click.echo("kamscore scheduler: stopped")


@scheduler_group.command("once")
@click.option("--job", "jobs", multiple=True, type=click.Choice(JOB_NAMES),
              help="run only this job (repeat); default: all, in order")
@click.option("--at", "at", help="run as of this ISO 8601 instant (default: now)")
def once_command(jobs: tuple[str, ...], at: str | None) -> None:
    """Run the jobs once, as the scheduler would (for cron, or to catch up by hand)."""
    from kamscore.scheduler.process import run_once

    now = _instant(at) if at else utcnow()
    failed = False
    for outcome in run_once(current_app._get_current_object(),  # type: ignore[attr-defined]
                            now, list(jobs) or None):
        failed |= outcome.status == "failed"
        detail = outcome.summary or outcome.error or "claimed by another run"
        click.echo(f"{outcome.job}: {outcome.status} — {detail}")
    if failed:
        raise click.ClickException("a job failed; see the log above and `kamscore scheduler runs`")


@scheduler_group.command("runs")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def runs_command(limit: int) -> None:
    """The latest job runs: slot, job, status, attempts, summary or error."""
    from kamscore.scheduler.job_runs import recent_runs

    with get_db().sessionmaker() as session:
        for run in recent_runs(session, limit):
            error = run.error.strip().splitlines()[-1] if run.error else ""
            text = run.summary or error
            click.echo(f"{run.scheduled_for.isoformat()}  {run.job_name:<22} "
                       f"{run.status.value:<9} x{run.attempts}  {text}")


def _instant(value: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date-time such as "
                                 "2026-03-31T18:00+08:00", param_hint="--at") from exc
    if instant.tzinfo is None:
        raise click.BadParameter("give a time zone offset, e.g. 2026-03-31T18:00+08:00",
                                 param_hint="--at")
    return instant
