"""``GET /api/v1/jobs/<id>``: a background job (a large import) — its state, progress, and its
report or errors once it ended.

A job is seen by the user who started it and by administrators; anyone else gets 404, as for
a job that does not exist. Progress comes from the task queue's store while the job runs.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.errors import error_body
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.jobs import JobSchema
from kamscore.auth.access import current_user_of_request, requires
from kamscore.background.imports import TASK as IMPORT_TASK
from kamscore.background.queue import job_progress
from kamscore.background.records import username_of, visible_job
from kamscore.db.session import get_session
from kamscore.importing.errors import english
from kamscore.models import BackgroundJob, JobState

blp = resource_blueprint(
    "jobs",
    "jobs",
    "Background jobs: imports of large files (or asked for with ?background=true) run by "
    "`kamscore worker`. A job is seen by the user who started it and by administrators.",
)


@blp.route("/<job_id>")
class JobResource(MethodView):
    decorators = [requires("imports.write")]

    @blp.response(200, JobSchema)
    @blp.refusals(401, 403, 404)
    def get(self, job_id: str) -> Any:
        """A background job: queued, running (with progress), done (with its report) or
        failed (with its errors; nothing was written)."""
        job = visible_job(get_session(), job_id, current_user_of_request())
        return job_view(found(job, "job", job_id))


def job_view(job: BackgroundJob) -> dict[str, Any]:
    """What the API shows of ``job`` (dumped with ``JobSchema``)."""
    return {
        "id": job.id,
        "task": job.task,
        "state": job.state.value,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "user": username_of(get_session(), job),
        "params": job.params,
        "progress": job_progress(job),
        "result": job.result if job.state is JobState.DONE else None,
        "error": (_error(job) if job.state is JobState.FAILED and job.error else None),
    }


def _error(job: BackgroundJob) -> dict[str, Any]:
    """A failed job's error, in English (an import's stored sentences read as text: the API
    is a machine interface, its words do not follow the reader's language)."""
    error = job.error
    errors = error["errors"]
    if job.task == IMPORT_TASK and errors:
        errors = english(errors)
    return error_body(error["code"], error["message"], errors)
