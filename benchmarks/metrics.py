"""How long loading a period's metric context and computing every built-in metric take.

    python benchmarks/metrics.py [--size 250] [--database URL] [--period CODE] [--repeat 3]

Builds the demo population with the demo generator (``--size 250`` = 10,000 KAMs) into a
throw-away SQLite file — or uses ``--database`` (built there first when it is empty, so a
second run can reuse it) — then, ``--repeat`` times in a fresh session: loads the
``MetricContext`` of one quarter of the demo's business year (Q2 by default) and computes
every built-in metric with ``compute_metrics``. Prints the best time of each step, the
queries issued, the rows loaded, and the time per metric. Building the demo is not timed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from score_run import ensure_demo  # same folder
from sqlalchemy import event, func, select

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.metrics.compute import compute_metrics
from kamscore.models import Fact, Person, Role
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.context_loader import load_metric_context


def run_once(database: Database, pm, period: str) -> dict:  # type: ignore[no-untyped-def]
    statements = []

    def count(*_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(1)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.sessionmaker() as session:
            started = time.perf_counter()
            ctx = load_metric_context(session, period, pm)
            loaded = time.perf_counter()
            queries = len(statements)
            per_metric = {}
            outcomes = {}
            for name in pm.metrics:
                t0 = time.perf_counter()
                outcomes.update(compute_metrics(pm, ctx, [(name, {})]))
                per_metric[name] = time.perf_counter() - t0
            done = time.perf_counter()
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    failed = [str(o) for o in outcomes.values() if not o.ok]
    if failed:
        raise SystemExit("metric failures:\n" + "\n".join(failed))
    facts = sum(len(c) for c in ctx.facts.by_name.values()) + sum(
        len(c) for c in ctx.previous_facts.by_name.values())
    return {
        "load": loaded - started, "compute": done - loaded, "queries": queries,
        "kams": len(ctx.kams), "accounts": len(ctx.accounts), "facts": facts,
        "assignments": len(ctx.assignments), "per_metric": per_metric,
        "with_data": {k: int(o.has_data.sum()) for k, o in outcomes.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=250)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--year", type=int, default=2025, help="the demo's business year")
    parser.add_argument("--period", default=None, help="default: Q2 of the business year")
    parser.add_argument("--database", default=None, help="a database URL (default: temp SQLite)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    period = args.period or f"{args.year}-Q2"

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'demo.sqlite'}"
        upgrade(url)
        database = Database(url)
        ensure_demo(database, args.size, args.seed, args.year)
        with database.sessionmaker() as session:
            kams = session.scalar(select(func.count()).select_from(Person)
                                  .where(Person.role == Role.KAM))
            facts = session.scalar(select(func.count()).select_from(Fact))
        pm = build_plugin_manager(entry_points=False)
        runs = [run_once(database, pm, period) for _ in range(args.repeat)]
        database.dispose()

    best = {key: min(r[key] for r in runs) for key in ("load", "compute")}
    first = runs[0]
    backend = url.split(":", 1)[0]
    print(f"\nmetric context and every built-in metric, {period}, {backend}, "
          f"best of {args.repeat}")
    print(f"database: {kams:,} KAMs, {facts:,} facts in all periods")
    print(f"context: {first['kams']:,} KAMs, {first['accounts']:,} accounts, "
          f"{first['assignments']:,} assignments, {first['facts']:,} facts loaded "
          f"(period + a year earlier), {first['queries']} queries")
    print()
    print(f"| {'step':<28} | {'seconds':>8} |")
    print(f"| {'-' * 28} | {'-' * 8}:|")
    print(f"| {'load the context':<28} | {best['load']:>8.2f} |")
    print(f"| {'compute all 16 metrics':<28} | {best['compute']:>8.2f} |")
    print(f"| {'total':<28} | {best['load'] + best['compute']:>8.2f} |")
    print()
    print(f"| {'metric':<22} | {'ms':>7} | {'KAMs with data':>14} |")
    print(f"| {'-' * 22} | {'-' * 7}:| {'-' * 14}:|")
    for name in first["per_metric"]:
        ms = min(r["per_metric"][name] for r in runs) * 1000
        print(f"| {name:<22} | {ms:>7.1f} | {first['with_data'][name]:>14,} |")


if __name__ == "__main__":
    main()
