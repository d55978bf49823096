"""The import task: ``import_file`` on an upload stored for a job (read as a stream),
as the user who uploaded it.

All or nothing, as a synchronous import: the import and the job's ``done`` state are committed
in one transaction; a refused file (every bad row by line, the API's 422 content) or any
failure rolls the import back and marks the job ``failed``. After an import that wrote, the
job rebuilds the snapshots the import's writes dropped — the fact snapshots of the periods it
changed (``kamscore.facts.columns``) and the table snapshots (accounts, assignments, plans:
``kamscore.facts.table_snapshots``) — in a transaction of their own, so that the next score
run does not pay for them; a failure there is logged and changes nothing of the import (the
snapshots are a cache: the run rebuilds what is missing). The upload is deleted when the job
ends, whatever the outcome — but for a dry run of the import page that passed (``keep`` in its
parameters): its file is kept (``uploads.keep_checked``) for the import that applies it.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from kamscore.background.progress import ProgressStore, ProgressTracker, estimate_rows
from kamscore.background.records import claim_job, fail_job, finish_job, username_of
from kamscore.background.snapshots import rebuild_snapshots
from kamscore.background.uploads import delete_upload, keep_checked, upload_path
from kamscore.db.session import Database
from kamscore.importing import ImportRejected, UnknownKind, import_file
from kamscore.models import JobState
from kamscore.sentences import N_, Sentence

log = logging.getLogger(__name__)

#: The task's name in the queue and in ``background_job.task``.
TASK = "import"

INTERNAL_ERROR = N_("The import failed on the worker; nothing was written. The error has been "
                    "logged by `kamscore worker`; please report it with the job's id.")


#: The options of ``import_file`` an import job passes on when its request gives them.
OPTIONS = ("sheet", "decimal", "date_format", "expected_sha256")


def import_params(kind: str, filename: str, dry_run: bool, size: int,
                  **options: str | None) -> dict[str, object]:
    """What an import job keeps of its request (``background_job.params``): the options of
    :data:`OPTIONS` given (not None) among them."""
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"not import options: {', '.join(sorted(unknown))}")
    return {"kind": kind, "filename": filename, "dry_run": dry_run, "bytes": size,
            **{name: value for name, value in options.items() if value is not None}}


def file_options(params: dict[str, object]) -> dict[str, str]:
    """The options of :data:`OPTIONS` a job's parameters hold."""
    return {name: str(params[name]) for name in OPTIONS if params.get(name) is not None}


def run_import_job(database: Database, store: ProgressStore, uploads: Path,
                   job_id: str) -> JobState | None:
    """Run the queued import ``job_id``; return its final state (None: it was not queued)."""
    try:
        with database.session() as session:
            job = claim_job(session, job_id)
            if job is None:
                log.warning("job %s is not queued (already run, or unknown): skipped", job_id)
                return None
            params = dict(job.params)
            actor = username_of(session, job)
        path = upload_path(uploads, job_id)
        try:
            rows_total = estimate_rows(path)
        except FileNotFoundError:
            return _fail(database, job_id, 500, N_(
                "The uploaded file is not in %(directory)s on %(host)s: web servers and workers "
                "must share JOB_UPLOADS_DIR. Nothing was written.", directory=str(uploads),
                host=socket.gethostname()))
        passes = 1 if params["dry_run"] else 2  # rows are validated, then written
        tracker = ProgressTracker(store, job_id, rows_total=rows_total, passes=passes)
        try:
            state = _import(database, job_id, params, path, tracker, actor)
            if state is JobState.DONE and params["dry_run"] and params.get("keep"):
                keep_checked(uploads, job_id)  # the import page applies it next
            return state
        finally:
            tracker.clear()
    finally:
        delete_upload(uploads, job_id)


def _import(database: Database, job_id: str, params: dict[str, object], path: Path,
            tracker: ProgressTracker, actor: str) -> JobState:
    kind = str(params["kind"])
    try:
        with database.sessionmaker() as session, path.open("rb") as stream:
            report = import_file(session, kind, stream, filename=str(params["filename"]),
                                 dry_run=bool(params["dry_run"]), progress=tracker,
                                 actor=actor, sheet=_option(params, "sheet"),
                                 decimal=_option(params, "decimal"),
                                 date_format=_option(params, "date_format"),
                                 expected_sha256=_option(params, "expected_sha256"))
            finish_job(session, job_id, rows=report.rows, result=report.as_dict())
            session.commit()
    except ImportRejected as rejected:
        layout = {} if rejected.layout is None else {"layout": rejected.layout.as_dict()}
        return _fail(database, job_id, 422, rejected.headline, rejected.stored(), **layout)
    except UnknownKind as exc:
        return _fail(database, job_id, 404, str(exc))
    except Exception:
        log.exception("import job %s (%s, %s) failed", job_id, kind, params["filename"])
        return _fail(database, job_id, 500, INTERNAL_ERROR)
    log.info("import job %s: %s rows of %s %s", job_id, report.rows, kind,
             "checked" if report.dry_run else "imported")
    if not report.dry_run:
        rebuild_snapshots(database, f"import job {job_id}")
    return JobState.DONE


def _option(params: dict[str, object], name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


def _fail(database: Database, job_id: str, code: int, message: str | Sentence,
          errors: dict[str, Any] | None = None, **extra: Any) -> JobState:
    """Mark the job failed: ``message`` and ``errors`` are stored as sentences (read in the
    reader's language on the import page, in English by the API)."""
    with database.session() as session:
        fail_job(session, job_id, code, message, errors, **extra)
    return JobState.FAILED
