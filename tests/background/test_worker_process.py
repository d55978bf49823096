"""A real ``kamscore worker`` process runs queued imports: against the default queue (a SQLite
file in the instance folder) and against Redis, on every database backend.

The upload goes through the API of an app in the test process; the job waits in the queue
until the worker starts (the queue is kept, not in memory), then the worker — another
process, with its own app built from the same settings — runs it, and the API reports the
synchronous import's report. SIGTERM stops the worker cleanly.
"""

from __future__ import annotations

import io
import signal
import socket
import time
import uuid

import pytest
from background_jobs import many_facts, start_worker, stop_worker, wait_for_job
from sqlalchemy import func, select

from kamscore import create_app
from kamscore.background.queue import get_queue
from kamscore.db.session import get_db
from kamscore.importing import import_csv
from kamscore.models import AuditEvent, Fact

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]

ROWS = 3_000


def _redis_or_skip() -> str:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["sqlite-file", "redis"])
def queue_url(request) -> str | None:
    """The queue's setting: None (the SQLite file in the instance folder) or Redis."""
    return _redis_or_skip() if request.param == "redis" else None


def test_a_real_worker_runs_a_queued_import(app, org, uploader, database_url, tmp_path,
                                            queue_url):
    instance = tmp_path / "shared-instance"
    name = f"kamscore-test-{uuid.uuid4().hex[:8]}"
    settings = {"DATABASE_URL": database_url, "IMPORT_INLINE_MAX_BYTES": 4096,
                "TASK_QUEUE_NAME": name}
    if queue_url:
        settings["TASK_QUEUE_URL"] = queue_url
    web = create_app({"TESTING": True, "SECRET_KEY": "s", **settings},
                     instance_path=str(instance))
    _, headers = uploader
    data = many_facts(ROWS)
    try:
        with get_db(web).sessionmaker() as session:  # what a synchronous import reports
            expected = import_csv(session, "facts", data, filename="facts.csv").as_dict()
            session.rollback()
        client = web.test_client()
        response = client.post("/api/v1/imports/facts",
                               data={"file": (io.BytesIO(data), "facts.csv")}, headers=headers)
        assert response.status_code == 202, response.json
        location = response.headers["Location"]
        assert client.get(location, headers=headers).json["state"] == "queued"
        assert len(get_queue(web).huey) == 1  # waiting in the queue, no worker yet

        env = {"KAMSCORE_INSTANCE_PATH": str(instance),
               **{f"KAMSCORE_{key}": str(value) for key, value in settings.items()}}
        worker = start_worker(env)
        try:
            job = wait_for_job(client, location, headers)
        finally:
            code, output = stop_worker(worker)
        assert job["state"] == "done", (job, output)
        assert job["result"] == expected
        assert job["progress"]["rows_done"] == job["progress"]["rows_total"] == ROWS
        assert code == 0 and "kamscore worker: stopped" in output, output
        where = f"Redis {queue_url}" if queue_url else str(instance / "tasks.sqlite")
        assert where in output
        assert len(get_queue(web).huey) == 0
        assert list((instance / "job-uploads").iterdir()) == []
        with get_db(web).session() as session:
            assert session.scalar(select(func.count()).select_from(Fact)) == ROWS + 13
            event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")
                                    .order_by(AuditEvent.id.desc())).first()
            assert event.actor == "ana"  # the uploader, not the worker's operating-system user
    finally:
        if queue_url:
            get_queue(web).huey.storage.flush_all()
        get_db(web).dispose()


def test_sigterm_lets_a_running_import_finish(app, org, uploader, database_url, tmp_path):
    """``systemctl stop`` sends SIGTERM: the worker takes no new job and finishes the one it
    runs before it exits."""
    instance = tmp_path / "shared-instance"
    settings = {"DATABASE_URL": database_url, "IMPORT_INLINE_MAX_BYTES": 4096}
    web = create_app({"TESTING": True, "SECRET_KEY": "s", **settings},
                     instance_path=str(instance))
    _, headers = uploader
    rows = 40_000
    try:
        client = web.test_client()
        response = client.post("/api/v1/imports/facts",
                               data={"file": (io.BytesIO(many_facts(rows)), "facts.csv")},
                               headers=headers)
        location = response.headers["Location"]
        worker = start_worker({"KAMSCORE_INSTANCE_PATH": str(instance),
                               "KAMSCORE_DATABASE_URL": database_url})
        signalled = False
        try:
            deadline = time.monotonic() + 60
            state_of = _state_reader(database_url, location, client, headers)
            while (state := state_of()) == "queued":
                assert time.monotonic() < deadline, "the worker did not take the job"
                time.sleep(0.05)
            assert state == "running", "the import ended before the test could stop the worker"
            worker.send_signal(signal.SIGTERM)
            signalled = True
        finally:  # one SIGTERM only: a second one while the job runs means "stop now"
            code, output = stop_worker(worker, signalled=signalled)
        assert code == 0, output
        job = client.get(location, headers=headers).json
        assert job["state"] == "done", (job, output)
        assert job["result"]["totals"]["created"] == rows
        assert "Received SIGTERM" in output and "All workers have stopped" in output
    finally:
        get_db(web).dispose()


def _state_reader(database_url: str, location: str, client, headers):  # type: ignore[no-untyped-def]
    """How the test reads the job's state while the worker imports. On SQLite the API's
    read would wait for the import's write lock (every kamscore transaction there begins
    IMMEDIATE) and see the job only when it is done; a plain read-only connection reads the
    committed state beside the writer (WAL), as ``running``."""
    if not database_url.startswith("sqlite"):
        return lambda: client.get(location, headers=headers).json["state"]
    import sqlite3

    path = database_url.split("///", 1)[1]
    job_id = location.rstrip("/").rsplit("/", 1)[1]

    def read() -> str:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return str(db.execute("SELECT state FROM background_job WHERE id = ?",
                                  (job_id,)).fetchone()[0])
    return read
