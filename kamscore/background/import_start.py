"""Starting the import jobs of the import page: a dry run of an uploaded file, then the
import of exactly the file it checked.

Each is a job (``background_job``), so that its report, or its errors, can be read again.
A file up to ``IMPORT_INLINE_MAX_BYTES`` is imported in the request that starts it (a few
seconds at most); a larger one is queued for ``kamscore worker``, and the page follows it.
A dry run that passes keeps its file (``uploads.keep_checked``); applying it moves that file
to the new job and names the SHA-256 the dry run reported, so a file that changed since is
refused and a file is applied once.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, BinaryIO

from flask import Flask
from sqlalchemy.orm import Session

from kamscore.background.imports import TASK, file_options, import_params, run_import_job
from kamscore.background.progress import DiscardedProgress
from kamscore.background.queue import get_queue
from kamscore.background.records import fail_job, new_job
from kamscore.background.uploads import (
    delete_upload,
    store_upload,
    sweep_checked,
    take_checked,
    uploads_dir,
)
from kamscore.db.session import get_db
from kamscore.importing import check_kind
from kamscore.models import BackgroundJob, JobState, User
from kamscore.sentences import N_

log = logging.getLogger(__name__)


class NotApplicable(ValueError):
    """A dry run that cannot be applied: it failed, was applied already, or is too old."""


def check_upload(app: Flask, session: Session, user: User, kind: str, stream: BinaryIO,
                 filename: str, options: dict[str, str | None]) -> BackgroundJob:
    """A dry run of ``stream`` as ``kind`` (UnknownKind if there is no such kind), run now
    or queued; its file is kept for applying if it passes."""
    check_kind(kind)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    directory = uploads_dir(app.config, app.instance_path)
    sweep_checked(directory, time.time())
    job = new_job(session, user, TASK, {**import_params(kind, filename, True, size, **options),
                                        "keep": True})
    store_upload(directory, job.id, stream)
    session.commit()
    return _run_or_queue(app, session, job, size)


def apply_checked(app: Flask, session: Session, user: User,
                  checked: BackgroundJob) -> BackgroundJob:
    """Import the file the dry run ``checked`` passed, as a new job (NotApplicable: it did
    not pass, or its file was applied already or is gone)."""
    params: dict[str, Any] = dict(checked.params)
    if checked.task != TASK or not params.get("dry_run") or checked.state is not JobState.DONE:
        raise NotApplicable("only a dry run that passed can be applied")
    options = {**file_options(params), "expected_sha256": str(checked.result["sha256"])}
    job = new_job(session, user, TASK, {
        **import_params(str(params["kind"]), str(params["filename"]), False,
                        int(params["bytes"]), **options),
        "checked_by": checked.id})
    try:
        size = take_checked(uploads_dir(app.config, app.instance_path), checked.id, job.id)
    except FileNotFoundError:
        session.rollback()
        raise NotApplicable("this file was imported already, or its dry run is more than a day "
                            "old: upload it again") from None
    session.commit()
    return _run_or_queue(app, session, job, size)


def _run_or_queue(app: Flask, session: Session, job: BackgroundJob,
                  size: int) -> BackgroundJob:
    directory = uploads_dir(app.config, app.instance_path)
    if size <= int(app.config["IMPORT_INLINE_MAX_BYTES"]):
        run_import_job(get_db(app), DiscardedProgress(), directory, job.id)
    else:
        queue = get_queue(app)
        try:
            queue.enqueue(TASK, job.id)
        except Exception:
            log.exception("cannot queue import job %s on %s", job.id, queue.describe())
            delete_upload(directory, job.id)
            fail_job(session, job.id, 503, N_(
                "The task queue did not answer; nothing was imported. Try again later, or ask "
                "an operator to start `kamscore worker`."))
            session.commit()
    session.refresh(job)
    return job
