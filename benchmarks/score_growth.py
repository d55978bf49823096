"""How much each step of a score run grows from one population to a larger one, in wall
time and in CPU time, the two sizes alternating.

    python benchmarks/score_growth.py --small URL --large URL [--rounds 4]

``--small`` and ``--large`` are databases holding the demo at two sizes (e.g. 10,000 and
100,000 KAMs: ``kamscore demo --no-serve --size 250`` and ``--size 2500``), each with
``standard`` published (``score_run.py`` publishes it when none is). Each round runs
``score_run.py --current-only --steps-only --repeat 1`` on the small database, then on the
large one, each in a fresh process, so both sizes see the same machine within a minute.

Prints, per step (load, metrics, engine, statements, lines, store), the median and the best
of the rounds at each size, and how much the step grew by each. Wall time is what a user
waits; CPU time (this process's own, user and system: ``time.process_time``) is the work
the step does, and varies less when another process shares the machine. Neither includes
the database server's own CPU on PostgreSQL (``score_run_cpu.py`` measures that for whole
runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("load", "metrics", "engine", "statements", "lines", "store")


def one_run(url: str, period: str, huge_pages: bool = False) -> dict[str, float]:
    """The steps of one run on ``url``, timed by ``score_run.py`` in a fresh process."""
    out = subprocess.run(
        [sys.executable, str(HERE / "score_run.py"), "--database", url, "--period", period,
         "--current-only", "--steps-only", "--repeat", "1",
         *(["--numpy-huge-pages"] if huge_pages else [])],
        capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def growth_table(small: list[dict[str, float]], large: list[dict[str, float]]) -> str:
    """A markdown table of each step's median and best at both sizes, and their ratios."""
    lines = [
        f"| step | clock | {small[0]['kams']:,.0f} KAMs: median, best s | "
        f"{large[0]['kams']:,.0f} KAMs: median, best s | grew (medians) | grew (bests) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for step in STEPS:
        for clock, key in (("wall", step), ("CPU", f"{step}_cpu")):
            a = [run[key] for run in small]
            b = [run[key] for run in large]
            lines.append(
                f"| {step} | {clock} | {statistics.median(a):.3f}, {min(a):.3f} | "
                f"{statistics.median(b):.3f}, {min(b):.3f} | "
                f"{statistics.median(b) / statistics.median(a):.1f}x | "
                f"{min(b) / min(a):.1f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="database URL, the smaller demo")
    parser.add_argument("--large", required=True, help="database URL, the larger demo")
    parser.add_argument("--period", default="2025-Q2")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--numpy-huge-pages", action="store_true",
                        help="numpy's huge-page advice on, as before kamscore turned it off")
    args = parser.parse_args()
    small: list[dict[str, float]] = []
    large: list[dict[str, float]] = []
    for round_ in range(1, args.rounds + 1):
        small.append(one_run(args.small, args.period, args.numpy_huge_pages))
        large.append(one_run(args.large, args.period, args.numpy_huge_pages))
        print(f"round {round_}: " + ", ".join(
            f"{step} {large[-1][step] / small[-1][step]:.1f}x" for step in STEPS)
            + " (wall)", flush=True)
    print()
    print(growth_table(small, large))


if __name__ == "__main__":
    main()
