"""How long a full score run takes end to end: plugins, engine, storing the results.

    python benchmarks/score_run.py [--size 250] [--database URL] [--period CODE] [--repeat 3]

Builds the demo population (``--size 250`` = 10,000 KAMs) into a throw-away SQLite file — or
uses ``--database`` (built there first when it is empty, so later runs reuse it) — imports,
approves and publishes ``rulesets/standard.yaml`` (12 components) unless a version of it is
published already, then ``--repeat`` times:

1. times each step on its own, as ``run_score`` performs it: loading the period's metric
   context (only the facts the ruleset's metrics declare, from the periods' fact snapshots;
   for comparison, side by side, also with every fact of the period, as for metrics that
   declare nothing, and from the fact rows, as without snapshots), computing the
   metrics, the engine, encoding the lines (hashes and canonical JSON), and storing the run
   with its lines (one transaction, committed);
2. times ``kamscore.scoring.runs.run_score`` itself, end to end (what ``kamscore score run``
   does, minus starting the process).

Prints the best time of each step and of the whole run, and checks that every run on the
same data has the same input and result hashes. Building the demo is not timed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, func, select

from kamscore.content.bundled import bundled_dir
from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.facts.columns import refresh_snapshots
from kamscore.models import FactSnapshot, FactSnapshotColumn, Person, ScoreRun, ScoreRunStatus, User
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring import evaluation, lifecycle
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.lines import build_lines
from kamscore.scoring.periods import get_period
from kamscore.scoring.run_store import insert_run
from kamscore.scoring.runs import run_score

APPROVER = "benchmark-approver"


def ensure_demo(database: Database, size: float, seed: int, year: int) -> None:
    """Build the demo into ``database`` unless it already holds one (then build the fact
    snapshots it lacks: a database from before migration 0005, or facts changed by hand)."""
    from kamscore.demo.build import build_demo, is_empty
    from kamscore.demo.spec import DemoSpec

    with database.session() as session:
        if not is_empty(session):
            if built := refresh_snapshots(session):
                print(f"built the fact snapshots of {len(built)} periods")
            return
        started = time.perf_counter()
        summary = build_demo(session, DemoSpec(size=size, seed=seed, year=year))
    print(f"built the demo (size {size:g}: {summary.kams:,} KAMs) in "
          f"{time.perf_counter() - started:.0f} s")


def ensure_published(database: Database, pm) -> str:  # type: ignore[no-untyped-def]
    """Publish rulesets/standard.yaml unless a version of ``standard`` is published."""
    with database.sessionmaker() as session:
        try:
            return lifecycle.published_version(session, "standard").label
        except NotFoundError:
            pass
        if session.scalar(select(User).where(User.username == APPROVER)) is None:
            user = User(username=APPROVER, name="Benchmark approver", roles="approver")
            user.set_password("not-used-to-sign-in")
            session.add(user)
            session.commit()
        source = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8")
        version = lifecycle.import_ruleset(session, pm, source, "rulesets/standard.yaml",
                                           user="benchmark")
        lifecycle.approve_version(session, "standard", version.version, user=APPROVER)
        return lifecycle.publish_version(session, "standard", version.version,
                                         user="benchmark").label


def steps_once(database: Database, pm, period_code: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Each step of a run timed on its own (stores a run, as run_score would)."""
    times: dict[str, float] = {}
    with database.sessionmaker() as session:
        version = lifecycle.published_version(session, "standard")
        ruleset = lifecycle.parse_version(version, pm)
        period = get_period(session, period_code)
        roles = evaluation.population_roles(ruleset)
        t = time.perf_counter()
        evaluation.load_context(session, pm, period, roles, None)  # every fact, side by side
        times["context_all"] = time.perf_counter() - t
        times["context_rows"] = _load_from_rows(session, pm, ruleset, period, roles)
        t0 = time.perf_counter()
        ctx = evaluation.load_context(session, pm, period, roles,
                                      evaluation.fact_needs(pm, ruleset))
        t1 = time.perf_counter()
        outcomes = evaluation.compute_outcomes(pm, ctx, evaluation.component_requests(ruleset))
        t2 = time.perf_counter()
        inputs = evaluation.PeriodInputs(period.id, period.code, roles, ctx,
                                         evaluation.engine_population(ctx, ruleset), outcomes)
        scored = evaluation.score(ruleset, inputs)
        t3 = time.perf_counter()
        built = build_lines(ruleset_hash=version.content_hash, inputs=inputs, scored=scored)
        t4 = time.perf_counter()
        ids = dict(session.execute(select(Person.code, Person.id)
                                   .where(Person.role.in_(roles))).all())
        run = ScoreRun(period_id=period.id, ruleset_version_id=version.id,
                       ruleset_name=version.name, status=ScoreRunStatus.COMPLETE,
                       plugins={}, metrics=built.common["metrics"], failures=[],
                       layout=built.layout, input_hash=built.input_hash,
                       result_hash=built.result_hash, currency=ruleset.currency,
                       kam_count=built.kam_count, eligible_count=built.eligible_count,
                       held_count=built.held_count, total_payout=float(built.total_payout),
                       total_target=built.total_target, created_by="benchmark-steps")
        insert_run(session, run, [{**line, "person_id": ids[line["kam_code"]]}
                                  for line in built.lines])
        session.commit()
        t5 = time.perf_counter()
        detail_bytes = sum(len(line["detail"]) for line in built.lines)
    times.update(context=t1 - t0, metrics=t2 - t1, engine=t3 - t2, lines=t4 - t3,
                 store=t5 - t4, steps_total=t5 - t0, kams=len(ctx.kams),
                 components=len(ruleset.components), detail_mb=detail_bytes / 1e6)
    return times


def _load_from_rows(session, pm, ruleset, period, roles) -> float:  # type: ignore[no-untyped-def]
    """The context loaded from the fact rows, as without snapshots (dropped, then restored
    by rolling back)."""
    session.execute(delete(FactSnapshotColumn))
    session.execute(delete(FactSnapshot))
    started = time.perf_counter()
    evaluation.load_context(session, pm, period, roles, evaluation.fact_needs(pm, ruleset))
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed


def run_once(database: Database, pm, period_code: str) -> tuple[float, ScoreRun]:  # type: ignore[no-untyped-def]
    with database.sessionmaker() as session:
        started = time.perf_counter()
        run = run_score(session, pm, period=period_code, ruleset="standard",
                        user="benchmark")
        return time.perf_counter() - started, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=250.0,
                        help="demo size (250 = 10,000 KAMs)")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--period", default="2025-Q2", help="the quarter to score")
    parser.add_argument("--year", type=int, default=2025, help="the demo's business year")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        upgrade(url)
        database = Database(url)
        ensure_demo(database, args.size, args.seed, args.year)
        pm = build_plugin_manager(entry_points=False)
        print(f"ruleset {ensure_published(database, pm)}, period {args.period}, "
              f"database {database.engine.url.get_backend_name()}")
        steps = [steps_once(database, pm, args.period) for _ in range(args.repeat)]
        ends = [run_once(database, pm, args.period) for _ in range(args.repeat)]
        with database.sessionmaker() as session:
            runs = session.scalar(select(func.count()).select_from(ScoreRun))
        database.dispose()

    best = {key: min(s[key] for s in steps) for key in steps[0]}
    hashes = {(run.input_hash, run.result_hash) for _, run in ends}
    run = ends[-1][1]
    print(f"{best['kams']:,} KAMs x {best['components']} components; {run.held_count:,} held, "
          f"{run.eligible_count:,} eligible; total payout {run.total_payout:,.2f} "
          f"{run.currency}; {best['detail_mb']:.1f} MB of line detail per run; "
          f"{runs} runs stored")
    print(f"reruns identical (same input and result hashes): {len(hashes) == 1}")
    print()
    print(f"| step | best of {args.repeat}, s |")
    print("| --- | ---: |")
    for key, label in (("context_all", "(for comparison: load the context with every fact)"),
                       ("context_rows", "(for comparison: load it from the fact rows, no "
                                        "snapshots)"),
                       ("context", "load the metric context (the facts the ruleset reads)"),
                       ("metrics", "compute the metrics (plugins)"),
                       ("engine", "evaluate the ruleset (engine)"),
                       ("lines", "encode lines: hashes and canonical JSON"),
                       ("store", "store run and lines, commit"),
                       ("steps_total", "sum of the steps")):
        print(f"| {label} | {best[key]:.2f} |")
    print(f"| **run_score end to end** | **{min(t for t, _ in ends):.2f}** |")


if __name__ == "__main__":
    main()
