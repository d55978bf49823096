"""A job's progress while it runs: the worker publishes rows done of rows total to the queue's
store as the import validates and writes, and clears it at the end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from background_jobs import many_facts
from huey import MemoryHuey
from sqlalchemy import func, select, text

from kamscore.background import progress
from kamscore.background.imports import import_params, run_import_job
from kamscore.background.progress import estimate_rows, live_progress, progress_figures
from kamscore.background.records import new_job
from kamscore.background.uploads import store_upload
from kamscore.db.session import get_db
from kamscore.models import BackgroundJob, Fact, JobState, User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"


class RecordingStore:
    """Huey's in-memory key-value store, keeping every value put (what a reader could see)."""

    def __init__(self) -> None:
        self.huey = MemoryHuey("progress-test")
        self.published: list[dict] = []

    def put(self, key, data):  # type: ignore[no-untyped-def]
        self.published.append(dict(data))
        return self.huey.put(key, data)

    def get(self, key, peek=False):  # type: ignore[no-untyped-def]
        return self.huey.get(key, peek)

    def delete(self, key):  # type: ignore[no-untyped-def]
        return self.huey.delete(key)


def _queue_job(app, tmp_path: Path, data: bytes, *, dry_run: bool) -> str:
    with get_db(app).session() as session:
        user = session.scalar(select(User).where(User.username == "ana"))
        job = new_job(session, user, "import", import_params("facts", "big.csv", dry_run,
                                                             len(data)))
        store_upload(tmp_path / "uploads", job.id, io.BytesIO(data))
        return job.id


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_progress_moves_from_nothing_to_every_row(app, org, uploader, tmp_path, monkeypatch,
                                                  dry_run):
    monkeypatch.setattr(progress, "PUBLISH_EVERY", 0)  # publish at every step
    rows = 12_000
    job_id = _queue_job(app, tmp_path, many_facts(rows), dry_run=dry_run)
    store = RecordingStore()
    state = run_import_job(get_db(app), store, tmp_path / "uploads", job_id)
    assert state is JobState.DONE
    done = [p["rows_done"] for p in store.published]
    assert {p["rows_total"] for p in store.published} == {rows}
    assert done[0] == 0 and done == sorted(done)  # never backwards
    assert len(set(done)) >= 5  # it moved in steps: validation every 1,000 rows, writes
    assert any(0 < d < rows // 2 for d in done) and done[-1] >= rows * 0.9
    assert store.get(progress.progress_key(job_id), peek=True) is None  # cleared
    assert not (tmp_path / "uploads" / f"{job_id}.upload").exists()
    with get_db(app).session() as session:
        job = session.get(BackgroundJob, job_id)
        assert job.state is JobState.DONE and job.rows == rows
        assert job.result["dry_run"] is dry_run
        assert session.scalar(select(func.count()).select_from(Fact)) == (
            0 if dry_run else rows) + 13  # the example facts


def test_a_job_runs_once(app, org, uploader, tmp_path):
    """A job delivered twice (a queue may redeliver) is claimed by the first run only."""
    job_id = _queue_job(app, tmp_path, many_facts(50), dry_run=True)
    store = RecordingStore()
    assert run_import_job(get_db(app), store, tmp_path / "uploads", job_id) is JobState.DONE
    store_upload(tmp_path / "uploads", job_id, io.BytesIO(many_facts(50)))
    assert run_import_job(get_db(app), store, tmp_path / "uploads", job_id) is None
    assert not (tmp_path / "uploads" / f"{job_id}.upload").exists()


def test_a_missing_upload_fails_the_job_and_says_why(app, org, uploader, tmp_path):
    job_id = _queue_job(app, tmp_path, many_facts(50), dry_run=False)
    (tmp_path / "uploads" / f"{job_id}.upload").unlink()
    assert run_import_job(get_db(app), RecordingStore(), tmp_path / "uploads",
                          job_id) is JobState.FAILED
    with get_db(app).session() as session:
        job = session.get(BackgroundJob, job_id)
        assert job.error["code"] == 500 and "JOB_UPLOADS_DIR" in job.error["message"]
        assert job.finished_at is not None


def test_the_figures(tmp_path):
    def estimate(data: bytes) -> int:
        path = tmp_path / "upload"
        path.write_bytes(data)
        return estimate_rows(path)

    assert estimate(b"a,b\n1,2\n3,4\n") == 2
    assert estimate(b"a,b\n1,2\n3,4") == 2
    assert estimate(b"a,b\n") == 0 and estimate(b"") == 0
    assert estimate(b"PK\x03\x04" + b"\0" * 296) == 10  # a workbook: by its size
    assert progress_figures(500, 1000, 5.0) == {"rows_done": 500, "rows_total": 1000,
                                                "rows_per_second": 100.0, "seconds_left": 5.0}
    assert progress_figures(0, 1000, 5.0)["seconds_left"] is None  # no rate yet
    assert progress_figures(1000, 1000, 5.0)["seconds_left"] == 0.0
    assert live_progress(None, 0.0) == {"rows_done": 0, "rows_total": None,
                                        "rows_per_second": None, "seconds_left": None}
    assert live_progress({"rows_done": 10, "rows_total": 30, "started": 100.0}, 102.0) == {
        "rows_done": 10, "rows_total": 30, "rows_per_second": 5.0, "seconds_left": 4.0}


def _table_snapshots(app) -> set[str]:
    from kamscore.models import TableSnapshot
    with get_db(app).session() as session:
        return set(session.scalars(select(TableSnapshot.name)))


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_an_import_job_rebuilds_the_table_snapshots_its_import_dropped(app, org, uploader,
                                                                       tmp_path, dry_run):
    """The accounts file writes ``account`` (its trigger drops that table's snapshot): the
    job builds it again after committing the import, so the next score run finds every
    snapshot; a dry run writes nothing and builds nothing."""
    from kamscore.facts.table_snapshots import COLUMNS, decode, read_rows, refresh_table_snapshots
    from kamscore.models import TableSnapshot

    with get_db(app).session() as session:
        refresh_table_snapshots(session)
    assert _table_snapshots(app) == set(COLUMNS)
    data = (EXAMPLES / "accounts.csv").read_text().replace("A001,", "A001x,", 1).encode()
    with get_db(app).session() as session:
        user = session.scalar(select(User).where(User.username == "ana"))
        job = new_job(session, user, "import", import_params("accounts", "accounts.csv",
                                                             dry_run, len(data)))
        store_upload(tmp_path / "uploads", job.id, io.BytesIO(data))
        job_id = job.id
    with get_db(app).session() as session:  # what a run would read from the rows
        session.execute(text("DELETE FROM table_snapshot WHERE name = 'plan_action'"))
    assert run_import_job(get_db(app), RecordingStore(), tmp_path / "uploads",
                          job_id) is JobState.DONE
    if dry_run:
        assert _table_snapshots(app) == set(COLUMNS) - {"plan_action"}
        return
    assert _table_snapshots(app) == set(COLUMNS)
    with get_db(app).session() as session:  # the snapshot itself, as the rows are now
        stored = session.scalar(select(TableSnapshot.data).where(TableSnapshot.name == "account"))
        assert decode("account", bytes(stored))["code"].tolist() == \
            read_rows(session, "account")["code"].tolist()
        assert "A001x" in read_rows(session, "account")["code"].tolist()


def test_an_import_job_rebuilds_the_fact_snapshots_its_import_dropped(app, org, uploader,
                                                                      tmp_path):
    """A facts import drops the snapshot of each period whose facts it writes and builds
    none: the job builds them once the import has committed, from the rows as they are."""
    from kamscore.facts.columns import has_snapshot, read_fact_columns, refresh_snapshots
    from kamscore.models import Period

    with get_db(app).session() as session:
        refresh_snapshots(session)
    data = b"period,name,account,value,unit\n2026-Q2,visits,A001,4,count\n"
    job_id = _queue_job(app, tmp_path, data, dry_run=False)
    with get_db(app).session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
    assert run_import_job(get_db(app), RecordingStore(), tmp_path / "uploads",
                          job_id) is JobState.DONE
    with get_db(app).session() as session:
        assert has_snapshot(session, q2)
        assert read_fact_columns(session, q2, ["visits"])["visits"].value.tolist() == [4.0]
