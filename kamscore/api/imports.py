"""``POST /api/v1/imports/<kind>``: the CSV or XLSX import, with the same rules as the CLI.

Multipart form with a ``file`` field; ``?dry_run=true`` validates only; ``sheet``,
``decimal`` and ``date_format`` as the CLI's options; ``expected_sha256`` (the ``sha256`` a
dry run reported) refuses a file that is not the one checked. A file with any bad row
is refused with 422 and every problem in ``errors`` as ``{"<line>": {"<column>": [reasons]}}``.

A file larger than ``IMPORT_INLINE_MAX_BYTES`` (1 MiB), or any file with ``?background=true``,
is imported by a background job instead (``kamscore worker``): the file is stored, the answer
is 202 with the job and a ``Location`` header to ``GET /api/v1/jobs/<id>``, which reports its
progress and then the same report (or the same errors) as a synchronous import.
"""

from __future__ import annotations

import logging
import os
from typing import IO, Any

from flask import current_app, jsonify, url_for
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from kamscore.api.jobs import job_view
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.errors import ErrorSchema
from kamscore.api.schemas.imports import ImportFiles, ImportOptions, ImportReportSchema
from kamscore.api.schemas.jobs import JobSchema
from kamscore.auth.access import current_user_of_request, requires
from kamscore.background.imports import OPTIONS, TASK, import_params
from kamscore.background.queue import get_queue
from kamscore.background.records import fail_job, new_job
from kamscore.background.snapshots import TASK as SNAPSHOTS
from kamscore.background.uploads import delete_upload, store_upload, uploads_dir
from kamscore.db.session import get_session
from kamscore.importing import UnknownKind, check_kind, describe_kinds, import_file

log = logging.getLogger(__name__)

blp = resource_blueprint(
    "imports",
    "imports",
    "CSV and XLSX imports, all or nothing (columns in docs/imports.md). Kinds, in import order: "
    + "; ".join(f"{kind}: {summary}" for kind, summary in describe_kinds().items()),
)


@blp.route("/<kind>")
class ImportResource(MethodView):
    decorators = [requires("imports.write")]

    @blp.arguments(ImportOptions, location="query")
    @blp.arguments(ImportFiles, location="files")
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(202, schema=JobSchema, success=True,
                      description="A large file (or ?background=true): queued as a job; "
                      "Location is its URL under /api/v1/jobs.")
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The file was refused; errors lists every bad row.")
    @blp.refusals(401, 403, 404, 413, 503)
    def post(self, options: dict[str, Any], files: dict[str, Any], kind: str) -> Any:
        """Import a CSV or XLSX file as ``kind``; needs the analyst (or admin) role."""
        upload = files["file"]
        filename = secure_filename(upload.filename or "") or "upload.csv"
        size = _size(upload.stream)
        file_options = {name: options[name] for name in OPTIONS}
        if options["background"] or size > int(current_app.config["IMPORT_INLINE_MAX_BYTES"]):
            return _import_in_background(kind, upload, filename, options["dry_run"], size,
                                         file_options)
        session = get_session()
        report = import_file(
            session,
            kind,
            upload.stream,
            filename=filename,
            dry_run=options["dry_run"],
            actor=current_user_of_request().username,
            **file_options,
        )
        session.commit()
        if report.changed_facts:
            _queue_snapshots()
        return report.as_dict()


def _queue_snapshots() -> None:
    """Have the queue build the fact snapshots the import dropped (a cache: if the queue
    does not answer, the next score run builds them; the import stands)."""
    try:
        get_queue().enqueue(SNAPSHOTS)
    except Exception:
        log.warning("cannot queue the snapshots task on %s", get_queue().describe(),
                    exc_info=True)


def _import_in_background(kind: str, upload: FileStorage, filename: str, dry_run: bool,
                          size: int, file_options: dict[str, str | None]) -> Any:
    """Store the upload, queue its import, answer 202 with the job."""
    try:
        check_kind(kind)
    except UnknownKind as exc:
        abort(404, message=str(exc))
    session = get_session()
    job = new_job(session, current_user_of_request(), TASK,
                  import_params(kind, filename, dry_run, size, **file_options))
    directory = uploads_dir(current_app.config, current_app.instance_path)
    store_upload(directory, job.id, upload.stream)
    session.commit()
    queue = get_queue()
    try:
        queue.enqueue(TASK, job.id)
    except Exception:
        log.exception("cannot queue import job %s on %s", job.id, queue.describe())
        delete_upload(directory, job.id)
        fail_job(session, job.id, 503, "The task queue did not answer; nothing was imported.")
        session.commit()
        abort(503, message="The task queue is not available; try again later.")
    session.refresh(job)  # in immediate mode the job has run already
    response = jsonify(JobSchema().dump(job_view(job)))
    response.status_code = 202
    response.headers["Location"] = url_for("jobs.JobResource", job_id=job.id)
    return response


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size
