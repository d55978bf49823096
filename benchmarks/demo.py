"""How long ``kamscore demo`` takes to build its organisation at several sizes.

Each size is built into a fresh, migrated database (a temporary SQLite file; with
``--postgres URL`` also a fresh PostgreSQL database created next to URL's and dropped after),
in one transaction, as ``kamscore demo`` does. Prints one table row per size and backend:
wall-clock seconds, and the CPU seconds of this process (SQLite works inside it; for
PostgreSQL the server's own CPU is not counted), which say more on a busy machine.

    python benchmarks/demo.py --sizes 1 10 50 250
    python benchmarks/demo.py --sizes 250 --postgres postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.demo import DemoSpec, prepare_demo


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.sqlite"
        yield f"sqlite:///{path}", path


@contextmanager
def postgres_database(admin_url: str) -> Iterator[tuple[str, None]]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"kamscore_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False), None
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def measure(url: str, size: float, seed: int) -> dict[str, float]:
    upgrade(url)
    database = Database(url)
    started, cpu = time.perf_counter(), time.process_time()
    with database.session() as session:
        summary = prepare_demo(session, DemoSpec(size=size, seed=seed, year=2025))
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    database.dispose()
    rows = sum(summary.counts.values())
    return {"kams": summary.kams, "accounts": summary.counts["accounts"],
            "facts": summary.counts["facts"], "rows": rows, "build": summary.seconds,
            "total": total, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 50, 250])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (optional)")
    args = parser.parse_args()

    print("| backend | size | KAMs | accounts | facts | all rows | build s | with commit s "
          "| CPU s | rows/s | file MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    backends = [("SQLite", sqlite_database)]
    if args.postgres:
        backends.append(("PostgreSQL", lambda: postgres_database(args.postgres)))
    for size in args.sizes:
        for name, database in backends:
            with database() as (url, path):
                m = measure(url, size, args.seed)
                megabytes = f"{path.stat().st_size / 1e6:,.0f}" if path else "n/a"
            print(f"| {name} | {size:g} | {m['kams']:,} | {m['accounts']:,} | {m['facts']:,} "
                  f"| {m['rows']:,} | {m['build']:.1f} | {m['total']:.1f} | {m['cpu']:.1f} "
                  f"| {m['rows'] / m['total']:,.0f} | {megabytes} |", flush=True)


if __name__ == "__main__":
    main()
