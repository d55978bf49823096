"""Settings: defaults, then the instance folder's ``config.py``, then ``KAMSCORE_*`` variables.

Every setting can be given in the environment with the ``KAMSCORE_`` prefix; values are parsed
as JSON where they parse (``KAMSCORE_SURVEY_MIN_GROUP=4`` is the number 4).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask

#: kamscore's version: the one place it is written (pyproject.toml reads it from here).
__version__ = "0.1.0"

DEFAULTS: dict[str, Any] = {
    # --- database ---
    # None means a SQLite file "kamscore.sqlite" in the instance folder.
    "DATABASE_URL": None,
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    "DATABASE_ECHO": False,
    # --- security ---
    "SECRET_KEY": None,  # required outside debug/testing; see load_secret_key
    "WTF_CSRF_TIME_LIMIT": 6 * 3600,  # a slow respondent still submits
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # served over HTTPS (behind a TLS proxy too): HSTS and Secure cookies. On in production.
    "HTTPS": False,
    "SESSION_IDLE_MINUTES": 60,  # a session unused this long ends
    "PASSWORD_MIN_LENGTH": 12,
    "MANAGERS_SEE_PAY": True,  # a manager reads his teams' statements and payouts
    # releasing a payment hold of more than this amount needs a second person (not the one
    # who placed the hold): kamscore.scoring.holds
    "HOLD_RELEASE_FOUR_EYES_ABOVE": 5000,
    # throttles (docs/security.md): failures per key within two windows of N seconds
    "SIGN_IN_USER_LIMIT": 5,  # failed sign-ins per username
    "SIGN_IN_CLIENT_LIMIT": 20,  # failed sign-ins per client address
    "SIGN_IN_WINDOW": 900,
    "API_CREDENTIAL_LIMIT": 20,  # refused API tokens per client address
    "API_CREDENTIAL_WINDOW": 600,
    "THROTTLE_REDIS_URL": None,  # e.g. redis://127.0.0.1:6379/0; None: counts in the database
    # reverse proxies in front of kamscore whose X-Forwarded-For/-Proto/-Host to trust (0: none)
    "TRUSTED_PROXIES": 0,
    # --- plugins ---
    "PLUGINS_DIR": None,  # an extra folder of plugin modules, besides the bundled plugins/
    "DISABLED_PLUGINS": [],  # plugin names not to load
    # --- api ---
    "API_TITLE": "kamscore",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    # Swagger UI is kamscore's own page at /api/docs (kamscore.api.swagger), not flask-smorest's
    "API_PAGE_SIZE_MAX": 500,
    # largest request body (a CSV upload); bigger ones get 413. 64 MiB ≈ 1.2 million fact rows
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # --- surveys ---
    "SURVEY_MIN_GROUP": 3,
    "SURVEY_MIN_GROUP_TEXT": 5,
    "SURVEYS_DIR": None,  # an extra folder of survey definitions, besides the bundled surveys/
    "SURVEY_LINK_MISS_LIMIT": 10,  # unknown survey links per client and window before a 429
    "SURVEY_LINK_MISS_WINDOW": 600,  # seconds
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    # --- mail (Flask-Mailman; kamscore/mail/setup.py maps these onto its MAIL_* names) ---
    "MAIL_BACKEND": "console",  # console | smtp | memory
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_TLS": False,  # STARTTLS, with the server's certificate verified
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 30,  # seconds
    "MAIL_SENDER": "kamscore@localhost",
    # --- scheduler (the separate `kamscore scheduler` process) ---
    "SCHEDULER_INTERVAL_SECONDS": 60,  # how often each job looks for work
    "SCHEDULER_MISFIRE_GRACE_SECONDS": 300,  # a run later than this is dropped (next one does it)
    "SCHEDULER_MAX_ATTEMPTS": 3,  # a failing job is tried this many times per run
    "SCHEDULER_RETRY_DELAY_SECONDS": 10,  # before the second attempt; doubled each time
    # --- background jobs (the `kamscore worker` process; docs/operations.md) ---
    # where the task queue is kept: None means a SQLite file "tasks.sqlite" in the instance
    # folder (one machine); redis://host:6379/0 in production and on several hosts
    "TASK_QUEUE_URL": None,
    "TASK_QUEUE_NAME": "kamscore",  # the queue's name in its store (kamscores sharing a Redis)
    "TASK_QUEUE_IMMEDIATE": False,  # run each task at once where it is queued (tests, the demo)
    "WORKER_THREADS": 2,  # jobs `kamscore worker` runs at once (its --workers default)
    "JOB_UPLOADS_DIR": None,  # uploads waiting for their job; None: instance/job-uploads
    # CSV uploads larger than this are imported by a background job (202 and a job to follow)
    "IMPORT_INLINE_MAX_BYTES": 1024 * 1024,
    # --- money ---
    "CURRENCY": "EUR",
    # --- memory ---
    # numpy's transparent-huge-page advice for large arrays (use_huge_pages below): off, as
    # page faults that compact memory stalled large score runs (docs/operations.md)
    "NUMPY_HUGE_PAGES": False,
}

SECRET_KEY_FILE = "secret_key"


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults → instance config.py → environment → ``overrides``."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="KAMSCORE")
    if overrides:
        app.config.update(overrides)
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config["DATABASE_URL"]:
        path = Path(app.instance_path) / "kamscore.sqlite"
        app.config["DATABASE_URL"] = f"sqlite:///{path}"
    load_secret_key(app)


def load_secret_key(app: Flask) -> None:
    """A secret key from settings, else from ``instance/secret_key``; else an error.

    Only in debug or testing mode is a random per-process key used instead: anywhere else a
    missing key would silently log everybody out at every restart and let sessions be forged
    if a default leaked, so it stops the start-up with the fix to apply.
    """
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / SECRET_KEY_FILE
    if key_file.is_file():
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    if app.debug or app.testing or app.config.get("ALLOW_EPHEMERAL_SECRET"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    raise RuntimeError(
        "No secret key: set KAMSCORE_SECRET_KEY (e.g. `export KAMSCORE_SECRET_KEY="
        f"$(python -c 'import secrets; print(secrets.token_hex(32))')`) or write one to {key_file}"
    )


def write_secret_key(instance_path: str) -> Path:
    """Create ``instance/secret_key`` with a fresh random key if there is none yet."""
    key_file = Path(instance_path) / SECRET_KEY_FILE
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n")
        key_file.chmod(0o600)
    return key_file


def use_huge_pages(enabled: bool) -> bool:
    """Set numpy's transparent-huge-page advice for the arrays made from now on, in this
    process (the ``NUMPY_HUGE_PAGES`` setting, applied by ``create_app``); returns the
    setting before (False where this numpy has no such switch).

    numpy marks every array of 4 MB or more ``madvise(MADV_HUGEPAGE)``. Where the kernel's
    ``transparent_hugepage/defrag`` is ``madvise`` (Debian's default), a page fault in such an
    array may stop to compact memory until a 2 MB page is free. A score run of 100,000 KAMs
    makes hundreds of arrays of 5 to 20 MB: on the 2-vCPU machine of docs/benchmarks.md single
    operations took 30 ms instead of 1.5 ms, and the stalls grew faster than the population
    (a 10,000-KAM run's arrays are mostly under 4 MB). So kamscore turns the advice off unless
    asked (docs/operations.md, Memory)."""
    core = getattr(np, "_core", None) or np.core  # numpy 2, numpy 1.26
    switch = getattr(core.multiarray, "_set_madvise_hugepage", None)
    return bool(switch(enabled)) if switch is not None else False
