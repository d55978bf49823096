"""How long the ruleset checker takes to refuse each malformed ruleset of the test suite.

    python benchmarks/ruleset_check.py [--repeat 5]

The acceptance criterion of the ruleset language is that a malformed ruleset is refused, with
its problems at file, line and key path, in under a second. The tests check *what* is
reported (``tests/engine/test_engine_validation.py``); this script measures *how fast*, for
every case of ``tests/engine/malformed_cases.py`` (the 100,000-deep YAML among them), and
prints the slowest cases with the best of ``--repeat`` runs each, beside the median case.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))

from conftest import CATALOGUE, FUNCTIONS
from malformed_cases import CASES, F

from kamscore.engine.loader import check_ruleset


def best_of(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        check_ruleset(text, F, CATALOGUE, FUNCTIONS)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", type=int, default=8, help="how many of the slowest cases")
    args = parser.parse_args()
    timed = sorted(((best_of(text, args.repeat), case_id) for case_id, text, _ in CASES),
                   reverse=True)
    print(f"# ruleset check, {len(CASES)} malformed cases, best of {args.repeat}; "
          f"{platform.node()} ({platform.machine()}), {date.today()}")
    print(f"{'case':<60} {'seconds':>9} {'x median':>9}")
    median = statistics.median(t for t, _ in timed)
    for seconds, case_id in timed[:args.show]:
        print(f"{case_id[:60]:<60} {seconds:>9.4f} {seconds / median:>9.1f}")
    print(f"{'median case':<60} {median:>9.4f} {1:>9.1f}")
    print(f"slowest under a second: {'yes' if timed[0][0] < 1.0 else 'NO'}")


if __name__ == "__main__":
    main()
