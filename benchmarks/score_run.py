"""How long a full score run takes, step by step, previous code beside the current one.

    python benchmarks/score_run.py --database URL [--tile 10] [--repeat 3] [--previous DIR]

Uses the demo in ``--database`` (built there first when it is empty: ``--size 25`` = 1,000
KAMs, ``--size 250`` = 10,000), publishes ``rulesets/standard.yaml`` unless a version is
published, then ``--repeat`` times, each step on its own as ``run_score`` performs it:

1. ``load``: the period's metric context (the facts the ruleset's metrics declare);
2. ``metrics``: computing the metrics (plugins);
3. ``engine``: evaluating the ruleset, with the hand-written numpy floor of
   ``benchmarks/engine.py`` timed beside it on the same inputs;
4. ``statements``: every KAM's statement column-wise (``Evaluation.statement_columns``),
   beside the previous code's ``KamStatement.to_dict()`` per KAM;
5. ``lines``: input records and hashes, the detail blocks (``scoring/lines.py``), beside the
   previous encoder (a canonical JSON text per line, ``codec.output_records``);
6. ``store``: the run, its lines and blocks inserted and committed, beside the previous
   lines with their JSON text (rolled back).

With ``--tile N`` the population loaded from the database is repeated N times (codes
suffixed ``~k``; the KAMs added as people inside the transaction, rolled back at the end),
so steps 3-6 run on N times the KAMs: how a 100,000-KAM run behaves from a 10,000-KAM demo
(steps 1-2 are the database's 10,000).

Then ``run_score`` end to end ``--repeat`` times (not with ``--tile``), alternating with
``--previous DIR`` (a checkout of the previous code, e.g. ``git worktree add DIR main``),
each in a fresh process on the same database. Prints the best time of each step, the stored
detail size, the hashes of reruns and the peak resident memory of this process.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from engine import floor
from sqlalchemy import insert, select

from kamscore.config import use_huge_pages
from kamscore.content.bundled import bundled_dir
from kamscore.db.free_memory import release_free_memory
from kamscore.db.gc_pause import gc_paused
from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.engine import MetricValues, Population
from kamscore.facts.columns import refresh_snapshots
from kamscore.metrics.compute import MetricFailure
from kamscore.metrics.record_lists import RecordLists
from kamscore.models import Person, ScoreRun, ScoreRunStatus, User
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring import codec, evaluation, lifecycle
from kamscore.scoring.canonical import dumps_plain
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.lines import build_lines, used_outcomes
from kamscore.scoring.periods import get_period
from kamscore.scoring.run_store import insert_run
from kamscore.scoring.runs import run_score

APPROVER = "benchmark-approver"
PREVIOUS_RUN = """
import sys, time
from kamscore.db.session import Database
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.runs import run_score
database = Database(sys.argv[1])
pm = build_plugin_manager(entry_points=False)
with database.sessionmaker() as session:
    started = time.perf_counter()
    run = run_score(session, pm, period=sys.argv[2], ruleset="standard", user="benchmark")
    print(time.perf_counter() - started, run.input_hash, run.result_hash)
"""


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


def _tile(inputs: evaluation.PeriodInputs, times: int) -> evaluation.PeriodInputs:
    """The population and its metric outcomes repeated ``times`` times (codes ``X~k``)."""
    if times == 1:
        return inputs
    codes = inputs.population.codes
    tiled = np.array([f"{c}~{k}" if k else c for k in range(times) for c in codes.tolist()],
                     dtype=object)

    def rep(column):  # type: ignore[no-untyped-def]
        if isinstance(column, RecordLists):
            return column.take(np.tile(np.arange(len(column)), times))
        if isinstance(column, np.ndarray):
            return np.concatenate([column] * times)
        return list(column) * times

    population = Population(tiled, {n: rep(c) for n, c in inputs.population.attributes.items()})
    outcomes = {}
    for key, outcome in inputs.outcomes.items():
        if isinstance(outcome, MetricFailure):
            outcomes[key] = outcome
            continue
        outcomes[key] = dataclasses.replace(
            outcome, kams=tiled, values=rep(outcome.values), n=rep(outcome.n),
            reasons=rep(outcome.reasons),
            input_columns={n: rep(c) for n, c in outcome.input_columns.items()},
            input_rows=None if outcome.input_rows is None else rep(outcome.input_rows))
    return dataclasses.replace(inputs, population=population, outcomes=outcomes)


def _previous_lines(inputs, scored, ruleset_hash):  # type: ignore[no-untyped-def]
    """The lines as the previous code encoded them: a canonical JSON text each."""
    ev = scored.evaluation
    outcomes = used_outcomes(scored, inputs)
    common = {"period": inputs.period_code, "roles": list(inputs.roles),
              "ruleset": ruleset_hash, "metrics": evaluation_sources(outcomes)}
    prefix = hashlib.sha256((dumps_plain(common) + "\n").encode("utf-8"))
    records = codec.input_records(inputs.population.codes, inputs.population.attributes,
                                  outcomes)
    details = codec.line_details(records, codec.output_records(ev))
    hashes = []
    for record in records:
        digest = prefix.copy()
        digest.update(record.encode("utf-8"))
        hashes.append(digest.hexdigest())
    return details, hashes


def evaluation_sources(outcomes):  # type: ignore[no-untyped-def]
    from kamscore.scoring.lines import metric_sources

    return metric_sources(outcomes)


def steps_once(database: Database, pm, period_code: str, tile: int,  # type: ignore[no-untyped-def]
               previous: bool = True, commit: bool = True) -> dict[str, float]:
    """Each step of a run timed on its own, the previous code's beside."""
    times: dict[str, float] = {}
    with database.sessionmaker() as session, gc_paused():  # as run_score runs
        version = lifecycle.published_version(session, "standard")
        ruleset = lifecycle.parse_version(version, pm)
        period = get_period(session, period_code)
        roles = evaluation.population_roles(ruleset)
        t0 = time.perf_counter()
        c0 = time.process_time()
        ctx = evaluation.load_context(session, pm, period, roles,
                                      evaluation.fact_needs(pm, ruleset))
        t1 = time.perf_counter()
        c1 = time.process_time()
        outcomes = evaluation.compute_outcomes(pm, ctx, evaluation.component_requests(ruleset))
        t2 = time.perf_counter()
        c2 = time.process_time()
        inputs = _tile(evaluation.PeriodInputs(
            period.id, period.code, roles, ctx, evaluation.engine_population(ctx, ruleset),
            outcomes), tile)
        # as run_score does: the context let go, and its memory returned, before scoring
        # (the lines' strings then come from fresh pages, as in a run, not from its holes)
        inputs = dataclasses.replace(inputs, ctx=None)
        del ctx
        release_free_memory()
        t2b = time.perf_counter()
        c2b = time.process_time()
        scored = evaluation.score(ruleset, inputs)
        t3 = time.perf_counter()
        c3 = time.process_time()
        values = {cid: MetricValues(np.asarray(scored.evaluation.component(cid).value,
                                               dtype=float), None)
                  for cid in (c.id for c in ruleset.components)}
        f0 = time.perf_counter()
        hand = floor(inputs.population, values)
        times["floor"] = time.perf_counter() - f0
        times["floor_same"] = float(np.array_equal(hand, scored.evaluation.payout_minor))
        ev = scored.evaluation
        s0, sc0 = time.perf_counter(), time.process_time()
        ev.statement_columns()
        times["statements"] = time.perf_counter() - s0
        times["statements_cpu"] = time.process_time() - sc0
        if previous:
            s0 = time.perf_counter()
            previous_statements = [s.to_dict() for s in ev.statements()]
            times["statements_previous"] = time.perf_counter() - s0
            del previous_statements
        t4a = time.perf_counter()
        c4a = time.process_time()
        built = build_lines(ruleset_hash=version.content_hash, inputs=inputs, scored=scored)
        t4 = time.perf_counter()
        c4 = time.process_time()
        details, hashes = (_previous_lines(inputs, scored, version.content_hash) if previous
                           else ([], []))
        times["lines_previous"] = time.perf_counter() - t4
        same_hashes = hashes == [line["input_hash"] for line in built.lines]
        ids = dict(session.execute(select(Person.code, Person.id)
                                   .where(Person.role.in_(roles))).all())
        if tile > 1:
            extra = [{"code": c, "name": c, "role": "kam"}
                     for c in inputs.population.codes.tolist() if c not in ids]
            session.execute(insert(Person), extra)
            ids = dict(session.execute(select(Person.code, Person.id)).all())

        def run_row(by: str) -> ScoreRun:
            return ScoreRun(period_id=period.id, ruleset_version_id=version.id,
                            ruleset_name=version.name, status=ScoreRunStatus.COMPLETE,
                            plugins={}, metrics=built.common["metrics"], failures=[],
                            layout=built.layout, input_hash=built.input_hash,
                            result_hash=built.result_hash, currency=ruleset.currency,
                            kam_count=built.kam_count, eligible_count=built.eligible_count,
                            held_count=built.held_count,
                            total_payout=float(built.total_payout),
                            total_target=built.total_target, created_by=by)

        t5a = time.perf_counter()
        c5a = time.process_time()
        insert_run(session, run_row("benchmark-steps"),
                   [{**line, "person_id": ids[line["kam_code"]]} for line in built.lines],
                   built.blocks)
        if tile > 1 or not commit:
            session.flush()
        else:
            session.commit()
        t5 = time.perf_counter()
        c5 = time.process_time()
        if previous:
            insert_run(session, run_row("benchmark-previous"),
                       [{**line, "person_id": ids[line["kam_code"]], "detail": details[i]}
                        for i, line in enumerate(built.lines)])
            session.flush()
        times["store_previous"] = time.perf_counter() - t5
        session.rollback()
        detail_bytes = sum(len(b.payload) for b in built.blocks)
        previous_bytes = sum(len(d.encode("utf-8")) for d in details)
    times.update(load=t1 - t0, metrics=t2 - t1, engine=t3 - t2b, lines=t4 - t4a,
                 store=t5 - t5a, load_cpu=c1 - c0, metrics_cpu=c2 - c1, engine_cpu=c3 - c2b,
                 lines_cpu=c4 - c4a, store_cpu=c5 - c5a, kams=float(len(inputs.population.codes)),
                 components=float(len(ruleset.components)), detail_mb=detail_bytes / 1e6,
                 previous_mb=previous_bytes / 1e6, same_hashes=float(same_hashes))
    times["total"] = sum(times[k] for k in ("load", "metrics", "engine", "lines", "store"))
    return times


def run_once(database: Database, pm, period_code: str) -> tuple[float, ScoreRun]:  # type: ignore[no-untyped-def]
    with database.sessionmaker() as session:
        started = time.perf_counter()
        run = run_score(session, pm, period=period_code, ruleset="standard",
                        user="benchmark")
        return time.perf_counter() - started, run


def run_previous(url: str, period_code: str, checkout: str) -> tuple[float, str, str]:
    """``run_score`` with the previous code, in a fresh process: (seconds, hashes)."""
    out = subprocess.run([sys.executable, "-c", PREVIOUS_RUN, url, period_code],
                         capture_output=True, text=True, check=True, cwd=checkout,
                         env={"PYTHONPATH": checkout, "PATH": "/usr/bin:/bin"})
    seconds, input_hash, result_hash = out.stdout.split()[-3:]
    return float(seconds), input_hash, result_hash


def run_current(url: str, period_code: str) -> tuple[float, str, str]:
    """``run_score`` with this checkout, in a fresh process."""
    here = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", PREVIOUS_RUN, url, period_code],
                         capture_output=True, text=True, check=True, cwd=here,
                         env={"PYTHONPATH": here, "PATH": "/usr/bin:/bin"})
    seconds, input_hash, result_hash = out.stdout.split()[-3:]
    return float(seconds), input_hash, result_hash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=250.0,
                        help="demo size when the database is empty (250 = 10,000 KAMs)")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--period", default="2025-Q2", help="the quarter to score")
    parser.add_argument("--year", type=int, default=2025, help="the demo's business year")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tile", type=int, default=1,
                        help="repeat the population this many times for steps 3-6")
    parser.add_argument("--linear", type=int, metavar="N",
                        help="time the steps at tile 1 and tile N alternately in this process "
                             "and print how much each grew (steps 3-6 only)")
    parser.add_argument("--current-only", action="store_true",
                        help="skip the previous code's steps (for this code's peak memory)")
    parser.add_argument("--steps-only", action="store_true",
                        help="time the steps only, not run_score end to end after them")
    parser.add_argument("--previous", help="a checkout of the previous code, for run_score "
                                           "end to end side by side")
    parser.add_argument("--numpy-huge-pages", action="store_true",
                        help="keep numpy's huge-page advice on (kamscore's apps turn it off: "
                             "docs/operations.md, Memory)")
    args = parser.parse_args()
    use_huge_pages(args.numpy_huge_pages)  # as create_app does with NUMPY_HUGE_PAGES

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        upgrade(url)
        database = Database(url)
        ensure_demo(database, args.size, args.seed, args.year)
        pm = build_plugin_manager(entry_points=False)
        print(f"ruleset {ensure_published(database, pm)}, period {args.period}, "
              f"database {database.engine.url.get_backend_name()}, tile {args.tile}")
        if args.linear:
            rounds = [(steps_once(database, pm, args.period, 1, False, False),
                       steps_once(database, pm, args.period, args.linear, False, False))
                      for _ in range(args.repeat)]
            database.dispose()
            _print_growth(rounds, args.linear)
            return
        steps = [steps_once(database, pm, args.period, args.tile, not args.current_only)
                 for _ in range(args.repeat)]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ends: list[tuple[str, float, str, str]] = []
        if args.tile == 1 and not args.steps_only:
            for _ in range(args.repeat):
                if args.previous:
                    ends.append(("previous", *run_previous(url, args.period, args.previous)))
                ends.append(("current", *run_current(url, args.period)))
        database.dispose()

    best = {key: min(s[key] for s in steps) for key in steps[0]}
    print(f"{best['kams']:,.0f} KAMs x {best['components']:.0f} components; "
          f"line detail stored: {best['detail_mb']:.1f} MB (previous code "
          f"{best['previous_mb']:.1f} MB, {best['previous_mb'] / best['detail_mb']:.1f}x "
          "(0 when not run)); "
          "input hashes as the previous code's: "
          f"{'not checked' if args.current_only else bool(best['same_hashes'])}; "
          f"engine and floor same payouts: {bool(best['floor_same'])}")
    print(f"peak resident memory of the steps: {peak:,.0f} MB")
    print()
    print(f"| step | current, best of {args.repeat}, s | previous code, s |")
    print("| --- | ---: | ---: |")
    rows = (("load", "load the metric context", None),
            ("metrics", "compute the metrics (plugins)", None),
            ("engine", "engine: evaluate the ruleset", "floor"),
            ("statements", "statements, all KAMs", "statements_previous"),
            ("lines", "lines: input hashes, detail encoded", "lines_previous"),
            ("store", "store run and lines" + (" (flush)" if args.tile > 1 else ", commit"),
             "store_previous"))
    for key, label, other in rows:
        beside = "" if other is None or other not in best else f"{best[other]:.3f}"
        if other == "floor":
            beside = f"floor (numpy by hand): {beside}"
        print(f"| {label} | {best[key]:.3f} | {beside} |")
    print(f"| sum of the steps | {best['total']:.2f} | |")
    if args.current_only:
        print("(previous code's steps not run: --current-only)")
    for who in ("current", "previous"):
        mine = [e for e in ends if e[0] == who]
        if mine:
            print(f"run_score end to end, {who} code, fresh process each: "
                  + ", ".join(f"{e[1]:.2f}" for e in mine) + " s; reruns identical: "
                  + str(len({(e[2], e[3]) for e in mine}) == 1)
                  + f"; input hash {mine[0][2][:12]}")
    print(json.dumps({k: round(v, 4) for k, v in best.items()}))


def _print_growth(rounds, times: int) -> None:  # type: ignore[no-untyped-def]
    """Each step at the database's size and at ``times`` the KAMs, best of the rounds."""
    small = {k: min(r[0][k] for r in rounds) for k in rounds[0][0]}
    large = {k: min(r[1][k] for r in rounds) for k in rounds[0][1]}
    print(f"| step | {small['kams']:,.0f} KAMs, s | {large['kams']:,.0f} KAMs, s | grew |")
    print("| --- | ---: | ---: | ---: |")
    for key in ("engine", "floor", "statements", "lines", "store"):
        print(f"| {key} | {small[key]:.3f} | {large[key]:.3f} | "
              f"{large[key] / small[key]:.1f}x |")
    print(f"(the same load and metrics feed both: {small['load']:.2f} s, "
          f"{small['metrics']:.2f} s and {large['load']:.2f} s, {large['metrics']:.2f} s)")


if __name__ == "__main__":
    main()
