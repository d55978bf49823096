"""The score-run task: ``run_score`` on a worker, as the user who asked for it in the browser.

The page queues a job (``start_score_run``) and shows its progress — the run's stage, one of
``kamscore.scoring.runs.STAGES`` — until the job ends: ``done`` with the new run's id, or
``failed`` with the service's own message (a closed period, a missing reason, data the plan
cannot score...). ``run_score`` commits the run itself; the job is marked done right after,
in the same session (a run whose job record was not updated is still a complete run).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session

from kamscore.background.progress import ProgressStore, progress_key
from kamscore.background.records import claim_job, fail_job, finish_job, new_job, username_of
from kamscore.db.session import Database
from kamscore.models import BackgroundJob, JobState, User
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.runs import STAGES, run_score

log = logging.getLogger(__name__)

#: The task's name in the queue and in ``background_job.task``.
TASK = "score_run"

INTERNAL_ERROR = ("The run failed on the worker; nothing was stored. The error has been "
                  "logged by `kamscore worker`; please report it with the job's id.")


def score_run_params(*, period: str, ruleset: str, correction_of: int | None = None,
                     reason: str | None = None) -> dict[str, Any]:
    """What a score-run job keeps of its request (``background_job.params``)."""
    return {"period": period, "ruleset": ruleset, "correction_of": correction_of,
            "reason": reason}


def new_score_run_job(session: Session, user: User, params: dict[str, Any]) -> BackgroundJob:
    """A queued score-run job (flushed; the caller commits, then queues it)."""
    return new_job(session, user, TASK, params)


def run_score_job(database: Database, store: ProgressStore, pm: Any,
                  job_id: str) -> JobState | None:
    """Run the queued score run ``job_id``; return its final state (None: it was not
    queued)."""
    with database.session() as session:
        job = claim_job(session, job_id)
        if job is None:
            log.warning("job %s is not queued (already run, or unknown): skipped", job_id)
            return None
        params = dict(job.params)
        actor = username_of(session, job)
    started = time.time()

    def progress(stage: str) -> None:
        store.put(progress_key(job_id), {"rows_done": STAGES.index(stage),
                                         "rows_total": len(STAGES), "started": started,
                                         "stage": stage})

    try:
        with database.sessionmaker() as session:
            run = run_score(session, pm, period=params["period"], ruleset=params["ruleset"],
                            user=actor, correction_of=params.get("correction_of"),
                            reason=params.get("reason"), progress=progress)
            run_id = run.id
            finish_job(session, job_id, rows=run.kam_count,
                       result={"run_id": run_id, "kams": run.kam_count,
                               "total_payout": float(run.total_payout),
                               "currency": run.currency})
            session.commit()
    except ScoringError as exc:
        return _fail(database, job_id, exc.status, exc.message,
                     {exc.field or "run": exc.problems or [exc.message]})
    except Exception:
        log.exception("score run job %s (%s, %s) failed", job_id, params.get("period"),
                      params.get("ruleset"))
        return _fail(database, job_id, 500, INTERNAL_ERROR)
    finally:
        store.delete(progress_key(job_id))
    log.info("score run job %s: run %s", job_id, run_id)
    return JobState.DONE


def _fail(database: Database, job_id: str, code: int, message: str,
          errors: dict[str, Any] | None = None) -> JobState:
    with database.session() as session:
        fail_job(session, job_id, code, message, errors)
    return JobState.FAILED
