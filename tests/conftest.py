"""Shared fixtures, in the style of Flask's tutorial: function-scoped app/client/runner.

Database tests run on every backend in ``BACKENDS``: SQLite (a real file) always, and
PostgreSQL whenever 127.0.0.1:5432 answers (or ``KAMSCORE_TEST_POSTGRES_URL`` names a server).
Each PostgreSQL session gets a fresh database of its own, dropped at the end.

The schema is migrated once per backend and session (``alembic upgrade head``); each test then
gets a clean copy: a copied SQLite file, or truncated PostgreSQL tables.

The suite runs in parallel under pytest-xdist (``-n auto --dist loadgroup`` in pyproject's
``addopts``; ``-n0`` or ``-p no:xdist`` runs it in one process). Each worker is a session:
its own SQLite template, its own PostgreSQL database, its own ``tmp_path`` folders, servers
on ports the system hands out. Tests that must not share the machine with each other carry
an ``xdist_group`` mark, which keeps them on one worker, one after the other: the browser
tests (group ``browser``, given here to every test marked ``browser``) and the tests that
start servers or many processes (group ``servers``).
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


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Without pytest-xdist (``-p no:xdist``, or not installed), accept the ``-n`` and ``--dist``
    options of pyproject's ``addopts`` and run the suite in this one process."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "pytest-xdist is off: its options are accepted, unused")
    # _addoption, as pytest-xdist does: addoption refuses lowercase short options to plugins
    group._addoption("-n", "--numprocesses", dest="numprocesses", default=None,
                     help="unused: pytest-xdist is off")
    group.addoption("--dist", dest="dist", default="no", help="unused: pytest-xdist is off")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups from the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test joins the xdist group ``browser``: one Chromium at a time, and each
    module's shared ``chromium`` started once."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


class SessionDatabases:
    """The migrated databases of one test session, made on first use and kept to its end.

    Under pytest-xdist every worker is a session of its own, so each worker migrates its own
    SQLite template (in its own ``tmp_path_factory`` folder) and creates its own PostgreSQL
    database, named after the worker and a random suffix; no two workers share a database.
    Kept outside the parametrised ``backend`` fixture so that a worker which runs tests of
    both backends in turns (xdist hands out a group's tests together) makes each database once.
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, worker: str) -> None:
        self._tmp_path_factory = tmp_path_factory
        self._worker = worker
        self._sqlite_template: Path | None = None
        self._pg_name: str | None = None
        self._pg_url: str | None = None

    def sqlite_template(self) -> Path:
        """A migrated SQLite file, to be copied for each test."""
        if self._sqlite_template is None:
            template = self._tmp_path_factory.mktemp("sqlite") / "template.sqlite"
            upgrade(f"sqlite:///{template}")
            self._sqlite_template = template
        return self._sqlite_template

    def postgres_url(self) -> str:
        """The URL of a fresh, migrated PostgreSQL database of this session."""
        if self._pg_url is None:
            name = f"kamscore_test_{self._worker}_{uuid.uuid4().hex[:12]}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            self._pg_name = name
            url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            upgrade(url)
            self._pg_url = url
        return self._pg_url

    def drop(self) -> None:
        """Drop the PostgreSQL database, if one was made (SQLite files go with tmp_path)."""
        if self._pg_name is None:
            return
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self._pg_name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._pg_name}"'))
        finally:
            admin.dispose()
        self._pg_name = self._pg_url = None


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory) -> Iterator[SessionDatabases]:
    """This session's (this xdist worker's) databases, dropped when it ends."""
    databases = SessionDatabases(tmp_path_factory, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    try:
        yield databases
    finally:
        databases.drop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, session_databases) -> str:
    """A migrated database for this test session; the backend's name.

    A test for PostgreSQL alone says so with
    ``@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)``; it is skipped,
    with the reason, when no PostgreSQL answers.
    """
    if request.param not in BACKENDS:
        pytest.skip(f"no PostgreSQL answers at {make_url(PG_ADMIN_URL).render_as_string()} "
                    "(set KAMSCORE_TEST_POSTGRES_URL), or KAMSCORE_TEST_NO_POSTGRES is set")
    if request.param == "sqlite":
        request.config._kamscore_sqlite_template = session_databases.sqlite_template()
    else:
        request.config._kamscore_pg_url = session_databases.postgres_url()
    return request.param


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
    from browser_steps import loopback_only

    context = chromium.new_context()
    page = context.new_page()
    foreign = loopback_only(page)
    yield page, foreign
    context.close()
