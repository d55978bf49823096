"""Uploaded files waiting for their job: one file per job, named by the job's random id, in
``JOB_UPLOADS_DIR`` (by default ``job-uploads`` in the instance folder). The job deletes its
file when it ends, whatever the outcome. Web servers and workers must see the same folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

#: The folder's name in the instance folder when ``JOB_UPLOADS_DIR`` is not set.
DEFAULT_FOLDER = "job-uploads"


def uploads_dir(config: Mapping[str, Any], instance_path: str) -> Path:
    """The folder of waiting uploads: ``JOB_UPLOADS_DIR``, else ``instance/job-uploads``."""
    configured = config.get("JOB_UPLOADS_DIR")
    return Path(configured) if configured else Path(instance_path) / DEFAULT_FOLDER


def upload_path(directory: Path, job_id: str) -> Path:
    if not job_id.isalnum():  # ids are hex: never a path of their own
        raise ValueError(f"not a job id: {job_id!r}")
    return directory / f"{job_id}.upload"


def store_upload(directory: Path, job_id: str, stream: BinaryIO) -> int:
    """Copy ``stream`` (from its start) to the job's file; return its size in bytes.

    The folder is made readable by kamscore's user only: uploads hold people and figures.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = upload_path(directory, job_id)
    stream.seek(0)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        shutil.copyfileobj(stream, target, length=1024 * 1024)
        return target.tell()


def delete_upload(directory: Path, job_id: str) -> None:
    upload_path(directory, job_id).unlink(missing_ok=True)


#: How long a file checked by a dry run on the import page is kept for applying.
CHECKED_KEPT_SECONDS = 24 * 3600


def checked_path(directory: Path, job_id: str) -> Path:
    """Where a dry run's file is kept, once checked, for the import that applies it."""
    return upload_path(directory, job_id).with_suffix(".checked")


def keep_checked(directory: Path, job_id: str) -> None:
    """Keep the job's upload (a dry run that passed) for applying it later."""
    upload_path(directory, job_id).replace(checked_path(directory, job_id))


def take_checked(directory: Path, checked_job_id: str, job_id: str) -> int:
    """Move the file the dry run ``checked_job_id`` kept to the upload of ``job_id`` (so it
    is applied once); its size. FileNotFoundError: applied already, or too old."""
    target = upload_path(directory, job_id)
    checked_path(directory, checked_job_id).rename(target)
    return target.stat().st_size


def sweep_checked(directory: Path, now: float, max_age: float = CHECKED_KEPT_SECONDS) -> int:
    """Delete the checked files older than ``max_age`` seconds (never applied); how many."""
    swept = 0
    for path in directory.glob("*.checked") if directory.is_dir() else ():
        try:
            if now - path.stat().st_mtime > max_age:
                path.unlink()
                swept += 1
        except FileNotFoundError:  # applied or swept meanwhile
            continue
    return swept
