"""Twenty writers at once, through the real engine: nobody sees "database is locked".

SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE on every transaction (kamscore.db.session), so
writers queue for the lock; imports also serialise on PostgreSQL (an advisory lock). Threads
share the app's engine as request threads do; processes each open their own, as gunicorn
workers do.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database, get_db
from kamscore.importing import import_csv
from kamscore.models import Fact, Person, Role

# twenty threads or processes at once: never beside the other server tests (tests/conftest.py)
pytestmark = pytest.mark.xdist_group("servers")

WRITERS = 20
ROWS = 150


def _facts_file(writer: int) -> bytes:
    lines = ["period,name,account,value,unit"]
    lines += [f"2026-Q1,metric_{writer},A{row},{row * writer},count" for row in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def db(app):
    database = get_db(app)
    with database.session() as session:
        import_csv(session, "periods", b"code\n2026-Q1\n")
        accounts = "".join(f"A{i},Account {i},hospital,key\n" for i in range(ROWS))
        import_csv(session, "accounts", ("code,name,type,segment\n" + accounts).encode())
    return database


def _run_together(action, count: int = WRITERS) -> list:
    barrier = threading.Barrier(count)

    def start(i: int):
        barrier.wait()
        return action(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(start, range(count)))


def test_twenty_imports_at_once(db):
    def writer(i: int):
        with db.session() as session:
            return import_csv(session, "facts", _facts_file(i), filename=f"w{i}.csv")

    reports = _run_together(writer)
    assert [r.tables["fact"].created for r in reports] == [ROWS] * WRITERS
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Fact)) == WRITERS * ROWS
        names = session.scalars(select(Fact.name).distinct()).all()
    assert sorted(names) == sorted(f"metric_{i}" for i in range(WRITERS))


def test_twenty_imports_of_the_same_new_rows_at_once(db):
    people = b"code,name,role\n" + b"".join(b"P%d,Person %d,kam\n" % (i, i) for i in range(10))

    def writer(_: int):
        with db.session() as session:
            return import_csv(session, "people", people)

    reports = _run_together(writer)
    created = sorted(r.tables["person"].created for r in reports)
    assert created == [0] * (WRITERS - 1) + [10]  # one created them, the others found them
    assert all(r.tables["person"].unchanged == 10 for r in reports if not r.totals.created)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 10


def test_twenty_read_then_write_transactions_at_once(db, backend):
    """Each reads the count, then inserts: the pattern that fails on SQLite without
    BEGIN IMMEDIATE (a read lock cannot be upgraded while another writer waits). SQLite runs
    them one after the other; PostgreSQL (read committed) runs them side by side."""

    def writer(i: int) -> int:
        with db.session() as session:
            seen = session.scalar(select(func.count()).select_from(Person))
            session.add(Person(code=f"K{i}", name=f"KAM {i}", role=Role.KAM))
            return seen

    seen = _run_together(writer)
    if backend == "sqlite":
        assert sorted(seen) == list(range(WRITERS))  # serialised: each saw the ones before
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == WRITERS


def _process_writer(url: str, writer: int, start: multiprocessing.synchronize.Event) -> None:
    database = Database(url)
    start.wait()
    try:
        with database.session() as session:
            import_csv(session, "facts", _facts_file(writer), filename=f"p{writer}.csv")
    finally:
        database.dispose()


def test_twenty_processes_import_at_once_on_a_sqlite_file(tmp_path):
    """As gunicorn workers would: separate processes, one database file."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        import_csv(session, "periods", b"code\n2026-Q1\n")
        accounts = "".join(f"A{i},Account {i},hospital,key\n" for i in range(ROWS))
        import_csv(session, "accounts", ("code,name,type,segment\n" + accounts).encode())
    database.dispose()

    context = multiprocessing.get_context("fork")
    start = context.Event()
    processes = [
        context.Process(target=_process_writer, args=(url, i, start)) for i in range(WRITERS)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * WRITERS
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Fact)) == WRITERS * ROWS
    database.dispose()
