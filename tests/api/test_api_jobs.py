"""Large imports as background jobs: ``POST /api/v1/imports/<kind>`` answers 202 with a job,
``GET /api/v1/jobs/<id>`` follows it to the synchronous import's report or errors.

These tests are about the API, not the queue: their app runs each task at once where it is
queued (Huey's immediate mode). tests/background/ runs a real ``kamscore worker``.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from background_jobs import many_facts
from sqlalchemy import func, select, text

from kamscore import create_app
from kamscore.background.progress import ProgressTracker
from kamscore.background.queue import get_queue
from kamscore.background.records import claim_job, new_job
from kamscore.db.session import get_db
from kamscore.models import AuditEvent, BackgroundJob, Fact, Person, User

THRESHOLD = 2_000  # bytes: people.csv (about 700) is imported inline, bigger files queued


@pytest.fixture
def job_app(database_url, tmp_path):
    """An app that queues uploads over THRESHOLD bytes and runs each task at once."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
         "IMPORT_INLINE_MAX_BYTES": THRESHOLD, "TASK_QUEUE_IMMEDIATE": True},
        instance_path=str(tmp_path / "jobs-instance"),
    )
    yield app
    get_db(app).dispose()


@pytest.fixture
def client_inline(client):
    """A client of an app with the default threshold (1 MiB): it imports these files at once."""
    return client


def _upload(data: bytes, name: str = "facts.csv") -> dict:
    return {"file": (io.BytesIO(data), name)}


def _count(app, model) -> int:
    with get_db(app).session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _uploads_left(app) -> list[Path]:
    folder = Path(app.instance_path) / "job-uploads"
    return list(folder.iterdir()) if folder.exists() else []


def test_a_large_upload_is_a_job_with_the_synchronous_report(job_app, client_inline, api_org,
                                                              analyst):
    client = job_app.test_client()
    data = many_facts(600)
    assert len(data) > THRESHOLD
    small = many_facts(10)
    assert len(small) < THRESHOLD
    checked = client.post("/api/v1/imports/facts?dry_run=true", data=_upload(small),
                          headers=analyst)
    assert checked.status_code == 200  # under the threshold: answered at once, as before

    before = _count(job_app, Fact)
    dry = client.post("/api/v1/imports/facts?dry_run=true", data=_upload(data), headers=analyst)
    assert dry.status_code == 202, dry.json
    assert dry.headers["Location"] == f"/api/v1/jobs/{dry.json['id']}"
    job = client.get(dry.headers["Location"], headers=analyst).json
    assert job["state"] == "done" and job["user"] == "analyst" and job["error"] is None
    assert job["import"] == {"kind": "facts", "filename": "facts.csv", "dry_run": True,
                             "bytes": len(data)}
    assert job["result"]["dry_run"] is True and job["result"]["rows"] == 600
    assert _count(job_app, Fact) == before

    # the same file, synchronously (the default threshold, 1 MiB): the same report
    synchronous = client_inline.post("/api/v1/imports/facts?dry_run=true", data=_upload(data),
                                     headers=analyst)
    assert synchronous.status_code == 200
    assert job["result"] == synchronous.json

    imported = client.post("/api/v1/imports/facts", data=_upload(data), headers=analyst)
    assert imported.status_code == 202
    done = client.get(imported.headers["Location"], headers=analyst).json
    assert done["state"] == "done"
    assert done["result"] == {**synchronous.json, "dry_run": False}
    assert done["progress"]["rows_done"] == done["progress"]["rows_total"] == 600
    assert done["progress"]["seconds_left"] == 0
    assert _count(job_app, Fact) == before + 600
    assert _uploads_left(job_app) == []
    with get_db(job_app).session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")
                                .order_by(AuditEvent.id.desc())).first()
        assert event.actor == "analyst" and event.details["rows"] == 600


def test_background_true_queues_a_small_file_too(job_app, api_org, analyst, examples):
    client = job_app.test_client()
    response = client.post("/api/v1/imports/people?background=true",
                           data=_upload((examples / "people.csv").read_bytes(), "people.csv"),
                           headers=analyst)
    assert response.status_code == 202
    assert response.json["state"] == "done"
    assert response.json["result"]["totals"] == {"created": 0, "updated": 0, "unchanged": 8,
                                                 "deleted": 0}


def test_a_refused_file_fails_with_every_bad_line_and_writes_nothing(job_app, client_inline,
                                                                     api_org, analyst):
    client = job_app.test_client()
    good = many_facts(300).decode().splitlines()
    good[5] = good[5].replace("2026-Q1", "2031-Q9")  # line 6: an unknown period
    good[9] = good[9].replace(",EUR,", ",,")  # line 10: no unit
    data = ("\n".join(good) + "\n").encode()
    before = _count(job_app, Fact)
    refused = client_inline.post("/api/v1/imports/facts", data=_upload(data), headers=analyst)
    assert refused.status_code == 422

    response = client.post("/api/v1/imports/facts", data=_upload(data), headers=analyst)
    assert response.status_code == 202
    job = client.get(response.headers["Location"], headers=analyst).json
    assert job["state"] == "failed" and job["result"] is None and job["progress"] is None
    assert job["error"] == refused.json  # the 422's content: every bad line
    assert set(job["error"]["errors"]) == {"6", "10"}
    assert "nothing was written" in job["error"]["message"]
    assert _count(job_app, Fact) == before
    assert _uploads_left(job_app) == []


def test_an_unknown_kind_is_404_before_anything_is_queued(job_app, analyst):
    response = job_app.test_client().post("/api/v1/imports/widgets?background=true",
                                          data=_upload(b"a,b\n1,2\n"), headers=analyst)
    assert response.status_code == 404 and "facts" in response.json["message"]
    assert _count(job_app, BackgroundJob) == 0


def test_only_the_uploader_and_administrators_see_a_job(job_app, api_org, analyst, make_user,
                                                        viewer):
    client = job_app.test_client()
    response = client.post("/api/v1/imports/facts?dry_run=true", data=_upload(many_facts(100)),
                           headers=analyst)
    location = response.headers["Location"]
    _, colleague = make_user("colleague", "analyst")
    _, admin = make_user("root", "admin")
    unseen = client.get(location, headers=colleague)
    assert unseen.status_code == 404  # as for a job that does not exist
    assert unseen.json["message"] == f"No job '{response.json['id']}'."
    assert client.get("/api/v1/jobs/" + "0" * 32, headers=analyst).status_code == 404
    assert client.get(location, headers=admin).json["user"] == "analyst"
    assert client.get(location, headers=viewer).status_code == 403  # no imports.write
    assert client.get(location).status_code == 401


def test_a_running_job_shows_its_progress(app, client, analyst):
    """The progress a worker publishes to the queue's store (here the app's real SQLite file
    queue) is what the API shows: rows done of total, rate, time left."""
    with get_db(app).session() as session:
        user = session.scalar(select(User).where(User.username == "analyst"))
        job_id = new_job(session, user, "import", {"kind": "facts", "filename": "f.csv",
                                                   "dry_run": False, "bytes": 1}).id
    queued = client.get(f"/api/v1/jobs/{job_id}", headers=analyst).json
    assert queued["state"] == "queued" and queued["progress"] is None
    with get_db(app).session() as session:
        claim_job(session, job_id)
    started = time.time() - 10  # ten seconds ago
    tracker = ProgressTracker(get_queue(app).huey, job_id, rows_total=10_000, passes=2,
                              clock=lambda: started)
    tracker(8_000)  # 8,000 steps of 20,000: 4,000 rows' worth
    tracker.publish()
    running = client.get(f"/api/v1/jobs/{job_id}", headers=analyst).json
    assert running["state"] == "running" and running["started_at"] is not None
    progress = running["progress"]
    assert progress["rows_done"] == 4_000 and progress["rows_total"] == 10_000
    assert 300 < progress["rows_per_second"] <= 400  # 4,000 rows in a little over 10 s
    assert 14 < progress["seconds_left"] < 21
    tracker(6_000)
    tracker.publish()
    later = client.get(f"/api/v1/jobs/{job_id}", headers=analyst).json["progress"]
    assert later["rows_done"] == 7_000 and later["seconds_left"] < progress["seconds_left"]
    tracker.clear()
    assert get_queue(app).progress(job_id) is None


def test_small_files_are_still_answered_at_once(app, client, analyst, examples):
    response = client.post("/api/v1/imports/people", data=_upload(
        (examples / "people.csv").read_bytes(), "people.csv"), headers=analyst)
    assert response.status_code == 200 and "Location" not in response.headers
    assert _count(app, Person) == 8 and _count(app, BackgroundJob) == 0


def test_a_job_passes_the_file_options_to_its_import(job_app, api_org, analyst):
    client = job_app.test_client()
    data = many_facts(600).decode().replace(",", ";").replace(".5;", ",5;").encode()
    checked = client.post("/api/v1/imports/facts?dry_run=true&decimal=,", data=_upload(data),
                          headers=analyst)
    assert checked.status_code == 202
    job = client.get(checked.headers["Location"], headers=analyst).json
    assert job["state"] == "done", job
    assert job["import"]["decimal"] == ","
    sha = job["result"]["sha256"]
    changed = client.post(f"/api/v1/imports/facts?decimal=,&expected_sha256={sha}",
                          data=_upload(data + b"\n"), headers=analyst)
    failed = client.get(changed.headers["Location"], headers=analyst).json
    assert failed["state"] == "failed" and failed["import"]["expected_sha256"] == sha
    assert failed["error"]["errors"] == {"1": {"_row": [
        "the file changed since its dry run: check it again before applying"]}}
    applied = client.post(f"/api/v1/imports/facts?decimal=,&expected_sha256={sha}",
                          data=_upload(data), headers=analyst)
    done = client.get(applied.headers["Location"], headers=analyst).json
    assert done["state"] == "done" and done["result"]["totals"]["created"] == 600


def _missing_fact_snapshots(app) -> set[str]:
    from kamscore.models import FactSnapshot, Period
    with get_db(app).session() as session:
        return set(session.scalars(select(Period.code).where(
            Period.id.not_in(select(FactSnapshot.period_id)))))


def test_an_inline_facts_import_queues_the_snapshots_its_import_dropped(job_app, api_org,
                                                                       analyst):
    """An import builds no fact snapshot (kamscore.facts.columns): after a small import
    answered at once, the queue builds the ones it dropped (here at once: immediate mode);
    a dry run queues nothing."""
    from kamscore.background.snapshots import rebuild_snapshots

    client = job_app.test_client()
    rebuild_snapshots(get_db(job_app))
    assert _missing_fact_snapshots(job_app) == set()
    small = many_facts(10)
    assert len(small) < THRESHOLD
    with get_db(job_app).session() as session:  # a hand-made write drops one, kept dropped
        session.execute(text("UPDATE fact SET value = value WHERE period_id = (SELECT id FROM "
                             "period WHERE code = '2026-Q1')"))
    assert _missing_fact_snapshots(job_app) == {"2026-Q1"}
    dry = client.post("/api/v1/imports/facts?dry_run=true", data=_upload(small), headers=analyst)
    assert dry.status_code == 200
    assert _missing_fact_snapshots(job_app) == {"2026-Q1"}  # a dry run: nothing queued
    done = client.post("/api/v1/imports/facts", data=_upload(small), headers=analyst)
    assert done.status_code == 200, done.json
    assert done.json["totals"]["created"] == 10
    assert _missing_fact_snapshots(job_app) == set()


def test_an_inline_import_stands_when_the_queue_does_not_answer(database_url, tmp_path,
                                                                api_org, analyst):
    """The snapshots are a cache: a queue that cannot be reached leaves them to the next score
    run, and the import is answered and kept as usual."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
         "TASK_QUEUE_URL": "redis://127.0.0.1:9/0"},  # nothing listens on port 9
        instance_path=str(tmp_path / "no-queue-instance"))
    try:
        before = _count(app, Fact)
        answer = app.test_client().post("/api/v1/imports/facts", data=_upload(many_facts(10)),
                                        headers=analyst)
        assert answer.status_code == 200, answer.json
        assert _count(app, Fact) == before + 10
        assert _missing_fact_snapshots(app)  # left to the next score run
    finally:
        get_db(app).dispose()
