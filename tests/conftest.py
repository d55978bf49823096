"""Shared fixtures, in the style of Flask's tutorial: function-scoped app/client/runner.

Database tests run on every backend in ``BACKENDS``: SQLite (a real file) always, and
PostgreSQL whenever 127.0.0.1:5432 answers (or ``KAMSCORE_TEST_POSTGRES_URL`` names a server).
Each PostgreSQL session gets a fresh database of its own, dropped at the end.

The schema is migrated once per backend and session (``alembic upgrade head``); each test then
gets a clean copy: a copied SQLite file, or truncated PostgreSQL tables.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from kamscore import create_app
from kamscore.db.migrate import upgrade
from kamscore.db.session import get_db
from kamscore.models import Base

PG_ADMIN_URL = os.environ.get(
    "KAMSCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    if os.environ.get("KAMSCORE_TEST_NO_POSTGRES"):
        return False
    url = make_url(PG_ADMIN_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            pass
    except OSError:
        return False
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


BACKENDS = ["sqlite", *(["postgresql"] if _postgres_reachable() else [])]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database for this test session; yields the backend's name.

    A test for PostgreSQL alone says so with
    ``@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)``; it is skipped,
    with the reason, when no PostgreSQL answers.
    """
    if request.param not in BACKENDS:
        pytest.skip(f"no PostgreSQL answers at {make_url(PG_ADMIN_URL).render_as_string()} "
                    "(set KAMSCORE_TEST_POSTGRES_URL), or KAMSCORE_TEST_NO_POSTGRES is set")
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
        upgrade(f"sqlite:///{template}")
        request.config._kamscore_sqlite_template = template
        yield "sqlite"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"kamscore_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    request.config._kamscore_pg_url = url
    try:
        upgrade(url)
        yield "postgresql"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def database_url(backend, request, tmp_path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if backend == "sqlite":
        path = tmp_path / "kamscore.sqlite"
        shutil.copyfile(request.config._kamscore_sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.config._kamscore_pg_url
    yield url
    _truncate_all(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield app
    get_db(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A SQLAlchemy session on the test database (commit what you want others to see)."""
    with get_db(app).sessionmaker() as session:
        yield session


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


#: Debian's Chromium (``apt-get install chromium``), never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    """The machine's Chromium driven by Playwright, shared by the browser tests of a module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def loopback_page(chromium):
    """``(page, foreign)``: a fresh page of ``chromium`` that may load from 127.0.0.1 only.
    Every other request (a CDN, a font service) is refused and listed in ``foreign``."""
    from urllib.parse import urlparse

    foreign: list[str] = []

    def guard(route):  # type: ignore[no-untyped-def]
        if urlparse(route.request.url).hostname != "127.0.0.1":
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context = chromium.new_context()
    page = context.new_page()
    page.route("**/*", guard)
    yield page, foreign
    context.close()
