"""``kamscore worker``: the process that runs background jobs (large imports) from the task
queue. Run it beside the web server, with the same settings; never inside a web worker."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

# The queue's consumer is made by the command, not here: this module is loaded by every app.


@click.command("worker")
@click.option("-w", "--workers", type=click.IntRange(1, 64), default=None,
              help="jobs run at once, one thread each  [default: WORKER_THREADS, 2]")
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run background jobs (large imports) from the task queue until stopped.

    The queue is TASK_QUEUE_URL: a SQLite file in the instance folder by default, Redis in
    production. SIGTERM (systemctl stop) lets running jobs finish first; Ctrl+C stops at once,
    and an import it stops writes nothing.
    """
    from kamscore.background.queue import get_queue
    from kamscore.db.schema_guard import assert_schema_current

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue = get_queue(app)
    if queue.immediate:
        raise click.ClickException("TASK_QUEUE_IMMEDIATE is on: tasks run where they are "
                                   "queued, so there is nothing for a worker to do")
    try:  # a job on a schema behind the code would fail: refuse to start, as gunicorn does
        assert_schema_current(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    count = workers or int(app.config["WORKER_THREADS"])
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    consumer = queue.consumer(count)
    click.echo(f"kamscore worker: {count} thread(s) on {queue.describe()} "
               "(SIGTERM: finish and stop; Ctrl+C: stop now)")
    consumer.run()
    click.echo("kamscore worker: stopped")
