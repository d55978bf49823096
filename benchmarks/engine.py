"""How fast the engine evaluates the standard ruleset, against a hand-written numpy floor.

    python benchmarks/engine.py [--kams 10000] [--repeat 30] [--seed 7]
    python benchmarks/engine.py --sizes 1000 10000 100000   # each size in its own process

Builds random inputs for ``--kams`` KAMs (every one of the standard plan's 12 components, with
some values missing, all segments, grades and partial periods), then times, side by side in
one run:

- ``engine``: ``kamscore.engine.evaluate`` on ``rulesets/standard.yaml`` (everything a
  statement needs is computed: segments, treatments, gates, parts...);
- ``floor``: the same plan written by hand in numpy, computing only the payouts — the
  fastest the plan can reasonably be evaluated in numpy, the floor the engine is measured
  against (target: within 2x);
- ``statements, previous code``: one ``KamStatement.to_dict()`` per KAM (what score runs
  built until the statement columns);
- ``statements, column-wise``: ``Evaluation.statement_columns()``, every KAM's statement as
  arrays (``kamscore.engine.statement_columns``), on a fresh evaluation each time, and
  rendering one KAM's statement from them;
- ``statements, column-wise, one slice``: the same with the whole population as one slice
  (``engine.results.SLICE`` set to the population), alternately with the slices of
  ``SLICE`` KAMs each (the cost per KAM of the latter stays flat as the population grows);
- ``load``: parsing and validating the YAML.

``--no-previous`` skips the previous statements (minutes at 100,000 KAMs).

Both evaluations must give the same rounded payouts (checked, or the script fails), and
the column-wise statements must render the same as ``to_dict()`` (checked on 200 KAMs).
Prints the best and the median of ``--repeat`` runs and the process's peak resident memory;
``--sizes`` runs each size in a fresh process, so each peak is that size's own.
"""

from __future__ import annotations

import argparse
import math
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from kamscore.content.bundled import bundled_dir
from kamscore.engine import MetricValues, Population, evaluate, results
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import load_ruleset
from kamscore.plugin_host.manager import build_plugin_manager

COMPONENTS = ("sales", "growth", "share", "formulary", "wins", "csat", "relationship",
              "plan_quality", "plan_execution", "dmu", "collaboration", "team_goals")


def make_inputs(kams: int, seed: int) -> tuple[Population, dict[str, MetricValues]]:
    rng = np.random.default_rng(seed)
    period_days = np.full(kams, 91.0)
    eligible = np.where(rng.random(kams) < 0.9, 91.0, rng.integers(0, 91, kams).astype(float))
    population = Population(
        codes=np.array([f"E{i:05d}" for i in range(kams)], dtype=object),
        attributes={
            "role": np.where(rng.random(kams) < 0.97, "kam", "manager").astype(object),
            "grade": rng.choice(np.array(["K1", "K2", "K3", "K4"], dtype=object), kams,
                                p=[0.3, 0.4, 0.25, 0.05]),
            "segment": rng.choice(np.array(["strategic", "key", "development"], dtype=object),
                                  kams, p=[0.15, 0.35, 0.5]),
            "eligible_days": eligible, "period_days": period_days,
            "base_salary": rng.normal(86000, 12000, kams).round(-2),
        })
    scales = {
        "sales": (1.0, 0.15), "growth": (0.03, 0.05), "share": (0.2, 0.08),
        "formulary": (70, 25), "wins": (1.2, 0.6), "csat": (0.75, 0.12),
        "relationship": (3.8, 0.5), "plan_quality": (3.5, 0.8), "plan_execution": (0.8, 0.15),
        "dmu": (0.65, 0.15), "collaboration": (3.9, 0.4), "team_goals": (1.0, 0.15),
    }
    values = {}
    for name, (mean, sd) in scales.items():
        value = np.maximum(rng.normal(mean, sd, kams), 0.0 if name != "growth" else -1.0)
        if name in ("share", "csat", "plan_execution", "dmu"):
            value = np.minimum(value, 1.0)
        missing = rng.random(kams) < (0.002 if name in ("sales", "plan_quality") else 0.05)
        value[missing] = np.nan
        n = rng.integers(0, 15, kams).astype(float) if name == "csat" else None
        values[name] = MetricValues(value, n)
    return population, values


def floor(population: Population, values: dict[str, MetricValues]) -> np.ndarray:
    """rulesets/standard.yaml by hand: the payouts in cents, nothing else."""
    a = population.attributes
    v = {name: values[name].value for name in COMPONENTS}
    development = a["segment"] == "development"
    eligible = (a["role"] == "kam") & (a["eligible_days"] >= 30)
    proration = np.clip(a["eligible_days"] / a["period_days"], 0.0, 1.0)
    grade = a["grade"]
    share = np.where(grade == "K1", 0.10, np.where(grade == "K2", 0.125,
                                                   np.where(grade == "K3", 0.15, 0.10)))
    target = a["base_salary"] * share / 4

    def curve(x: np.ndarray, xs: list[float], ys: list[float]) -> np.ndarray:
        return np.interp(x, xs, ys, left=0.0)

    def flat(x: np.ndarray, lowers: list[float], rates: list[float]) -> np.ndarray:
        index = np.searchsorted(lowers, x, side="right") - 1
        return np.where(index < 0, 0.0, np.take(rates, np.maximum(index, 0)))

    strategic = np.where(a["segment"] == "strategic", 1.1, 1.0)
    f = {
        "sales": curve(v["sales"], [0.85, 1.0, 1.15, 1.25], [0.5, 1.0, 1.5, 1.75]) * strategic,
        "growth": curve(v["growth"], [-0.05, 0, 0.05, 0.1], [0, 0.5, 1, 1.5]),
        "share": flat(v["share"], [0, 0.1, 0.2, 0.3], [0, 0.5, 1.0, 1.25]),
        "formulary": flat(v["formulary"], [0, 50, 75, 100], [0, 0.6, 1.0, 1.2]),
        "wins": curve(v["wins"], [0.5, 1.0, 2.0], [0.5, 1.0, 1.5]),
        "csat": flat(v["csat"], [0, 0.6, 0.75, 0.85], [0, 0.5, 1.0, 1.25]),
        "relationship": curve(v["relationship"], [3.0, 3.5, 4.5], [0.5, 1.0, 1.5]),
        "plan_quality": curve(v["plan_quality"], [2, 3, 5], [0.5, 1.0, 1.5]),
        "plan_execution": curve(v["plan_execution"], [0.5, 0.8, 1.0], [0.5, 1.0, 1.25]),
        "dmu": curve(v["dmu"], [0.4, 0.7, 0.9], [0.5, 1.0, 1.25]),
        "collaboration": curve(v["collaboration"], [3.0, 4.0, 4.5], [0.5, 1.0, 1.25]),
        "team_goals": curve(v["team_goals"], [0.8, 1.0, 1.2], [0.5, 1.0, 1.5]),
    }
    base = {"sales": 0.25, "growth": 0.10, "share": 0.05, "formulary": 0.05, "wins": 0.05,
            "csat": 0.10, "relationship": 0.05, "plan_quality": 0.05, "plan_execution": 0.05,
            "dmu": 0.05, "collaboration": 0.10, "team_goals": 0.10}
    dev = dict(base, sales=0.15, dmu=0.10, relationship=0.10)
    missing = {name: np.isnan(v[name]) for name in COMPONENTS}
    held = missing["sales"] | missing["plan_quality"]
    f["csat"] = np.where(missing["csat"], 1.0, f["csat"])
    f["team_goals"] = np.where(missing["team_goals"], 1.0, f["team_goals"])
    f["plan_execution"] = np.where(missing["plan_execution"], 0.0, f["plan_execution"])
    excluded = ("growth", "share", "formulary", "wins", "relationship", "dmu", "collaboration")
    kept = np.zeros(len(development))
    score = np.zeros(len(development))
    for name in COMPONENTS:
        weight = np.where(development, dev[name], base[name])
        if name in excluded:
            weight = np.where(missing[name], 0.0, weight)
            f[name] = np.where(missing[name], 0.0, f[name])
        kept += weight
        score += weight * f[name]
    score = score / kept
    gate = np.where(missing["csat"] | (v["csat"] >= 0.5), 1.0, 0.75)
    final = np.minimum(score, 2.0) * gate
    amount = np.minimum(target * final * proration, 12000.0)
    amount = np.where(eligible & ~held, amount, 0.0)
    micro = np.rint(amount * 1e6).astype(np.int64)
    quotient, remainder = np.divmod(micro, 10_000)
    up = (2 * remainder > 10_000) | ((2 * remainder == 10_000) & (quotient % 2 == 1))
    return quotient + up


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def side_by_side(repeat: int, first: Callable[[], object], second: Callable[[], object]
                 ) -> tuple[list[float], list[float], object, object]:
    """Time ``first`` and ``second`` alternately, so both see the same machine load."""
    times_a, times_b, a, b = [], [], None, None
    for _ in range(repeat):
        started = time.perf_counter()
        a = first()
        middle = time.perf_counter()
        b = second()
        times_a.append(middle - started)
        times_b.append(time.perf_counter() - middle)
    return times_a, times_b, a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kams", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-previous", action="store_true",
                        help="skip the previous statements (to_dict() per KAM: minutes at "
                             "100,000 KAMs)")
    parser.add_argument("--sizes", type=int, nargs="*",
                        help="run each of these sizes in its own process, one after another")
    args = parser.parse_args()
    if args.sizes:
        for size in args.sizes:
            subprocess.run([sys.executable, __file__, "--kams", str(size), "--repeat",
                            str(args.repeat), "--seed", str(args.seed),
                            *(["--no-previous"] if args.no_previous else [])], check=True)
            print()
        return

    metrics, functions = catalogue_of(build_plugin_manager(entry_points=False))
    text = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8")
    population, values = make_inputs(args.kams, args.seed)

    load = best_of(args.repeat, lambda: load_ruleset(text, "standard.yaml", metrics,
                                                     functions))
    ruleset = load[2]
    for _ in range(3):  # warm up both
        evaluate(ruleset, population, values)
        floor(population, values)
    engine_times, floor_times, evaluation, hand = side_by_side(
        args.repeat, lambda: evaluate(ruleset, population, values),
        lambda: floor(population, values))
    same = np.array_equal(evaluation.payout_minor, hand)  # type: ignore[union-attr]
    if not same:
        raise SystemExit("the engine and the hand-written floor disagree on payouts")
    few = max(1, min(args.repeat // 10, 3 if args.kams >= 100_000 else args.repeat))
    fresh = [evaluate(ruleset, population, values) for _ in range(few)]
    old = ((math.nan, math.nan, None) if args.no_previous
           else best_of(few, lambda: [s.to_dict() for s in fresh.pop().statements()]))
    sliced, whole = [], []
    for _ in range(args.repeat):  # alternately: in slices of SLICE KAMs, and in one slice
        for times, step in ((sliced, results.SLICE), (whole, max(1, args.kams))):
            evaluation_now = evaluate(ruleset, population, values)
            original, results.SLICE = results.SLICE, step
            try:
                started = time.perf_counter()
                columns = evaluation_now.statement_columns()
                times.append(time.perf_counter() - started)
            finally:
                results.SLICE = original
    new = (min(sliced), statistics.median(sliced), columns)
    one_slice = (min(whole), statistics.median(whole), None)
    columns = evaluate(ruleset, population, values).statement_columns()
    sample = range(0, args.kams, max(1, args.kams // 200))
    if any(columns.statement(i) != evaluation.statement(i).to_dict()  # type: ignore[union-attr]
           for i in sample):
        raise SystemExit("the column-wise statements differ from to_dict()")
    one = best_of(args.repeat, lambda: columns.statement(args.kams // 2))
    engine = (min(engine_times), statistics.median(engine_times), evaluation)
    hand_row = (min(floor_times), statistics.median(floor_times), hand)
    ratios = [e / f for e, f in zip(engine_times, floor_times, strict=True)]

    print(f"standard ruleset, {args.kams:,} KAMs x {len(ruleset.components)} components; "
          f"best and median of {args.repeat} runs")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {platform.processor() or platform.system()}")
    print(f"{'step':<56}{'best ms':>10}{'median ms':>12}")
    rows = [("load + validate the YAML", load), ("engine: evaluate", engine),
            ("floor: hand-written numpy", hand_row),
            (f"statements, previous: {args.kams:,} x to_dict()", old),
            (f"statements, column-wise: all KAMs, slices of {results.SLICE:,}", new),
            ("statements, column-wise: all KAMs, one slice", one_slice),
            ("one KAM's statement from the columns", one)]
    for label, (best, median, _result) in rows:
        print(f"{label:<56}{best * 1000:>10.2f}{median * 1000:>12.2f}")
    print(f"engine / floor: {engine[0] / hand_row[0]:.2f}x (best vs best), median of the "
          f"paired ratios {statistics.median(ratios):.2f}x; same payouts: {same}; "
          f"total {evaluation.total} {ruleset.currency}")  # type: ignore[union-attr]
    print(f"column-wise / previous statements: {new[0] / old[0]:.4f}; peak resident memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
