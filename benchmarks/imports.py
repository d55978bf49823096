"""How long a big facts import takes beside its floor, on SQLite and PostgreSQL in one run.

    python benchmarks/imports.py [--rows 200000] [--postgres URL] [--sqlite-only]
    python benchmarks/imports.py --memory-rows 10000000 [--postgres URL]
    python benchmarks/imports.py --first-rounds 3 [--rows 200000] [--postgres URL]

For each database a throw-away one is built (an SQLite file in a temp folder; a fresh
database on the PostgreSQL server, dropped at the end), the reference data a facts file
needs is imported, then ``import_file`` is timed on a generated facts file of ``--rows``
rows: first import, the same file again, a dry run of changed values, the changed values.

The floor beside each row is the same file loaded as cheaply as the database allows into a
table with the file's columns and a unique key on its natural key: ``COPY ... FROM STDIN
(FORMAT csv)`` on PostgreSQL; Python's csv reader and one ``executemany`` on SQLite (the
parse is part of the floor, as it is of COPY). Floor and import alternate, so both see the
same load on a shared machine.

``--first-rounds N`` times the first import alone N times, each rolled back, beside a floor
measured just before it and rolled back as well (neither pays for writing its pages at the
commit), and prints the best import over the best floor and the median of each round's
ratio. ``--update-rounds N`` does the same for an update of every value (the file imported
and committed once, then the file with every value changed, rolled back each round).

``--memory-rows`` writes a file of that many rows to disk, imports it in a child process
from the file (streamed, as the CLI does) and prints the child's peak resident memory; then
the same file with every value changed, imported over it in another child (an update of
every fact: on SQLite the in-place path, which keeps an 8-byte hash of each key).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, make_url, text

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.importing import import_file

PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
NAMES = ["net_sales", "sales_target", "market_share", "investment", "gross_profit"]
PRODUCTS = [f"P{i:02d}" for i in range(10)]
HEADER = ["period", "name", "account", "product", "value", "unit", "source"]
PER_ACCOUNT = len(PERIODS) * len(NAMES) * len(PRODUCTS)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def accounts_for(rows: int) -> int:
    return max(1, -(-rows // PER_ACCOUNT))


def reference_files(accounts: int) -> list[tuple[str, bytes]]:
    return [
        ("periods", _csv(["code"], [[p] for p in PERIODS])),
        ("products", _csv(["code", "name"], [[p, f"Product {p}"] for p in PRODUCTS])),
        (
            "accounts",
            _csv(
                ["code", "name", "type", "segment"],
                [[f"A{i:05d}", f"Account {i}", "hospital", "key"] for i in range(accounts)],
            ),
        ),
    ]


def fact_rows(rows: int, accounts: int, bump: float = 0.0) -> Iterator[list[object]]:
    """``rows`` facts: every period, name and product for as many accounts as needed."""
    for index in range(rows):
        account, rest = divmod(index, PER_ACCOUNT)
        period, rest = divmod(rest, len(NAMES) * len(PRODUCTS))
        name, product = divmod(rest, len(PRODUCTS))
        value = 1000.0 + (index * 7919) % 100_000 + bump
        yield [PERIODS[period], NAMES[name], f"A{account % accounts:05d}", PRODUCTS[product],
               value, "EUR", "bench"]


def facts_file(rows: int, accounts: int, bump: float = 0.0) -> bytes:
    return _csv(HEADER, list(fact_rows(rows, accounts, bump)))


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite"
        return
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"kamscore_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def floor(db: Database, data: bytes, *, commit: bool = True) -> float:
    """The file into a bare table with a unique key, as fast as the database allows;
    committed (timed with the commit), or rolled back (``commit=False``: beside an import that
    is rolled back too)."""
    ddl = ("CREATE TABLE bench_floor (id {serial} PRIMARY KEY, period VARCHAR(10), "
           "name VARCHAR(60), account VARCHAR(40), product VARCHAR(40), value FLOAT, "
           "unit VARCHAR(20), source VARCHAR(120), UNIQUE (period, name, account, product))")
    postgres = db.engine.dialect.name == "postgresql"
    with db.session() as session:
        conn = session.connection()
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_floor")
        conn.exec_driver_sql(ddl.format(serial="SERIAL" if postgres else "INTEGER"))
    start = time.perf_counter()
    with db.sessionmaker() as session:
        conn = session.connection()
        columns = ", ".join(HEADER)
        if postgres:
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY bench_floor ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                copy.write(data)
        else:
            rows = csv.reader(io.StringIO(data.decode("utf-8")))
            next(rows)
            conn.connection.driver_connection.executemany(
                f"INSERT INTO bench_floor ({columns}) VALUES ({', '.join('?' * len(HEADER))})",
                rows)
        if commit:
            session.commit()
        seconds = time.perf_counter() - start
        session.rollback()
    with db.session() as session:
        session.connection().exec_driver_sql("DROP TABLE bench_floor")
    return seconds


def prepared(url: str, rows: int) -> tuple[Database, int]:
    """The database at ``url`` upgraded, with the reference data a facts file of ``rows``
    rows needs; returns it and the number of accounts."""
    accounts = accounts_for(rows)
    upgrade(url)
    db = Database(url)
    for kind, data in reference_files(accounts):
        with db.session() as session:
            import_file(session, kind, data)
    return db, accounts


def bench(url: str, rows: int) -> list[tuple[str, float, float, dict[str, int]]]:
    db, accounts = prepared(url, rows)
    first = facts_file(rows, accounts)
    changed = facts_file(rows, accounts, bump=0.5)

    def run(data: bytes, dry_run: bool = False) -> Callable[[], Any]:
        def action() -> Any:
            with db.session() as session:
                return import_file(session, "facts", data, filename="facts.csv",
                                   dry_run=dry_run)
        return action

    results = []
    for label, data, action in (
        ("first import (all created)", first, run(first)),
        ("same file again (all unchanged)", first, run(first)),
        ("dry run of changed values", changed, run(changed, dry_run=True)),
        ("changed values (all updated)", changed, run(changed)),
    ):
        floor_seconds = floor(db, data)
        seconds, report = timed(action)
        results.append((label, seconds, floor_seconds, report.totals.as_dict()))
    db.dispose()
    return results


def first_rounds(url: str, rows: int, rounds: int, *,
                 update: bool = False) -> tuple[list[float], list[float]]:
    """The first import only (``update``: an update of every value), ``rounds`` times, each
    rolled back and beside a floor measured just before it: (floors, imports) in seconds."""
    db, accounts = prepared(url, rows)
    data = facts_file(rows, accounts)
    if update:
        with db.session() as session:
            import_file(session, "facts", data, filename="facts.csv")
        data = facts_file(rows, accounts, bump=0.5)
    floors, imports = [], []
    for _ in range(rounds):
        floors.append(floor(db, data, commit=False))
        with db.sessionmaker() as session:
            seconds, _report = timed(lambda session=session: import_file(
                session, "facts", data, filename="facts.csv"))
            session.rollback()
        imports.append(seconds)
    db.dispose()
    return floors, imports


def print_rounds(backend: str, floors: list[float], imports: list[float],
                 label: str = "first imports") -> None:
    ratios = sorted(i / f for i, f in zip(imports, floors, strict=True))
    print(f"{backend}: floors {' '.join(f'{x:.2f}' for x in floors)} s, {label} "
          f"{' '.join(f'{x:.2f}' for x in imports)} s, best / best floor "
          f"{min(imports):.2f} / {min(floors):.2f} = {min(imports) / min(floors):.1f}x, "
          f"median ratio {statistics.median(ratios):.1f}x")


def print_table(backend: str, rows: int, results: list[tuple[str, float, float,
                                                             dict[str, int]]]) -> None:
    print(f"\nfacts import, {rows:,} rows, {backend}")
    print(f"| {'run':<34} | {'seconds':>7} | {'floor s':>7} | {'ratio':>5} | "
          f"{'rows/s':>8} | counts |")
    print(f"| {'-' * 34} | {'-' * 7}:| {'-' * 7}:| {'-' * 5}:| {'-' * 8}:| ------ |")
    for label, seconds, floor_seconds, counts in results:
        summary = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        print(f"| {label:<34} | {seconds:7.1f} | {floor_seconds:7.1f} | "
              f"{seconds / floor_seconds:5.1f} | {rows / seconds:8,.0f} | {summary} |")


def memory_run(rows: int, postgres: str | None) -> None:
    """Write a file of ``rows`` facts, import it in a child process, then the same facts
    with every value changed in another; print each child's peak."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, "facts.csv"), os.path.join(folder, "changed.csv")]
        for path, bump in zip(paths, (0.0, 0.5), strict=True):
            with open(path, "w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(HEADER)
                writer.writerows(fact_rows(rows, accounts_for(rows), bump))
        size = os.path.getsize(paths[0])
        with database(postgres) as url:
            for label, path in zip(("imported", "updated"), paths, strict=True):
                start = time.perf_counter()
                child = subprocess.run([sys.executable, __file__, "--child", path, url,
                                        str(rows)], capture_output=True, text=True)
                if child.returncode:
                    raise SystemExit(child.stderr[-3000:])
                seconds = time.perf_counter() - start
                peak_mb, counts = child.stdout.strip().splitlines()[-1].split(" ", 1)
                print(f"{rows:,} rows ({size / 1e6:,.0f} MB of CSV), "
                      f"{'PostgreSQL' if postgres else 'SQLite'}: {label} in {seconds:,.0f} s "
                      f"({rows / seconds:,.0f} rows/s), peak memory {float(peak_mb):,.0f} MB; "
                      f"{counts}")


def child(path: str, url: str, rows: int) -> None:
    """Import the facts file at ``path`` (the reference data first, unless there)."""
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        if not session.connection().exec_driver_sql("SELECT 1 FROM period").first():
            for kind, data in reference_files(accounts_for(rows)):
                import_file(session, kind, data)
    with open(path, "rb") as stream, db.session() as session:
        report = import_file(session, "facts", stream, filename="facts.csv")
    db.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak_mb:.0f} {report.totals.as_dict()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--memory-rows", type=int, help="measure peak memory at this size")
    parser.add_argument("--first-rounds", type=int,
                        help="only the first import, this many times (rolled back) beside "
                             "floors; prints the best of each")
    parser.add_argument("--update-rounds", type=int,
                        help="only an update of every value, this many times (rolled back) "
                             "beside floors; prints the best of each")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.memory_rows:
        memory_run(args.memory_rows, None)
        if not args.sqlite_only:
            memory_run(args.memory_rows, args.postgres)
        return
    if args.first_rounds or args.update_rounds:
        update = not args.first_rounds
        label = "updates" if update else "first imports"
        rounds = args.update_rounds if update else args.first_rounds
        with database(None) as url:
            print_rounds("SQLite", *first_rounds(url, args.rows, rounds, update=update), label)
        if not args.sqlite_only:
            with database(args.postgres) as url:
                print_rounds("PostgreSQL", *first_rounds(url, args.rows, rounds, update=update),
                             label)
        return
    with database(None) as url:
        print_table("SQLite", args.rows, bench(url, args.rows))
    if not args.sqlite_only:
        with database(args.postgres) as url:
            print_table("PostgreSQL", args.rows, bench(url, args.rows))


if __name__ == "__main__":
    main()
