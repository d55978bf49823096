"""How long a big facts import takes: first import, re-import, dry run, changed values.

    python benchmarks/imports.py [--rows 200000] [--postgres URL]

Builds a throw-away database (SQLite file in a temp folder; PostgreSQL when a server URL is
given: a fresh database is created on it and dropped), imports the reference data a facts file
needs, then times ``import_csv`` on a generated facts file of ``--rows`` rows and prints a
table. The CSV generation is not timed.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.importing import import_csv

PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
NAMES = ["net_sales", "sales_target", "market_share", "investment", "gross_profit"]
PRODUCTS = [f"P{i:02d}" for i in range(10)]


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


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


def facts_file(rows: int, accounts: int, bump: float = 0.0) -> bytes:
    """``rows`` facts: every period, name and product for as many accounts as needed."""
    per_account = len(PERIODS) * len(NAMES) * len(PRODUCTS)
    body = []
    for index in range(rows):
        account, rest = divmod(index, per_account)
        period, rest = divmod(rest, len(NAMES) * len(PRODUCTS))
        name, product = divmod(rest, len(PRODUCTS))
        value = 1000.0 + (index * 7919) % 100_000 + bump
        body.append(
            [
                PERIODS[period],
                NAMES[name],
                f"A{account % accounts:05d}",
                PRODUCTS[product],
                value,
                "EUR",
                "bench",
            ]
        )
    return _csv(["period", "name", "account", "product", "value", "unit", "source"], body)


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


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--postgres", help="server URL, e.g. postgresql+psycopg://postgres@127.0.0.1/test"
    )
    args = parser.parse_args()
    per_account = len(PERIODS) * len(NAMES) * len(PRODUCTS)
    accounts = max(1, -(-args.rows // per_account))

    with database(args.postgres) as url:
        upgrade(url)
        db = Database(url)
        for kind, data in reference_files(accounts):
            with db.session() as session:
                import_csv(session, kind, data)
        first = facts_file(args.rows, accounts)
        changed = facts_file(args.rows, accounts, bump=0.5)

        def run(data: bytes, dry_run: bool = False) -> Callable[[], object]:
            def action() -> object:
                with db.session() as session:
                    return import_csv(session, "facts", data, filename="facts.csv", dry_run=dry_run)

            return action

        results = []
        for label, action in (
            ("first import (all created)", run(first)),
            ("same file again (all unchanged)", run(first)),
            ("dry run of changed values", run(changed, dry_run=True)),
            ("changed values (all updated)", run(changed)),
        ):
            seconds, report = timed(action)
            results.append((label, seconds, report.totals.as_dict()))  # type: ignore[attr-defined]
        db.dispose()

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"facts import, {args.rows:,} rows ({len(first) / 1e6:.1f} MB), {backend}")
    print(f"| {'run':<34} | {'seconds':>7} | {'rows/s':>8} | counts |")
    print(f"| {'-' * 34} | {'-' * 7} | {'-' * 8} | ------ |")
    for label, seconds, counts in results:
        summary = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        print(f"| {label:<34} | {seconds:7.1f} | {args.rows / seconds:8,.0f} | {summary} |")


if __name__ == "__main__":
    main()
