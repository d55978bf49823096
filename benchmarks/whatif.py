"""How fast what-if answers on the full population: the first try, and the tries after it.

    python benchmarks/whatif.py [--size 250] [--database URL] [--period CODE] [--tries 5]

Uses the same demo database as ``benchmarks/score_run.py`` (built when empty, ``standard``
published when it is not). Then, with one in-process ``InputsCache`` as the web page and the
API keep it:

1. the first what-if (weight moved from growth to CSAT): loads the period's inputs, computes
   the metrics both plans need, evaluates the draft and the published plan, compares;
2. ``--tries`` further what-ifs with other weights: the inputs come from the cache, so only
   the draft is parsed and both plans evaluated again;
3. a pasted YAML draft with a changed curve (again from the cache).

Prints the time of each (the service's own split into inputs and engine, and the total).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from score_run import ensure_demo, ensure_published  # same folder

from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.inputs_cache import InputsCache
from kamscore.scoring.whatif import what_if


def one(database: Database, pm, cache: InputsCache, period: str, **draft) -> dict:  # type: ignore[no-untyped-def]
    with database.sessionmaker() as session:
        started = time.perf_counter()
        report = what_if(session, pm, cache, period=period, baseline_ref="standard", **draft)
        report["wall"] = time.perf_counter() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=250.0)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--period", default="2025-Q2")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tries", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        upgrade(url)
        database = Database(url)
        ensure_demo(database, args.size, args.seed, args.year)
        pm = build_plugin_manager(entry_points=False)
        ensure_published(database, pm)
        with database.sessionmaker() as session:
            source = lifecycle.published_version(session, "standard").source
        cache = InputsCache()
        # weight moves between components the 'development' variant does not override, so
        # that every variant still adds up to 100 %
        rows = [("first what-if (inputs loaded)",
                 one(database, pm, cache, args.period, weights={"growth": 5, "csat": 15}))]
        for k in range(args.tries):
            weights = {"growth": 10 - (k + 1), "csat": 10 + (k + 1)}
            rows.append((f"weights changed again ({k + 1})",
                         one(database, pm, cache, args.period, weights=weights)))
        pasted = source.replace("{at: 125%, pays: 175%, label: cap}",
                                "{at: 130%, pays: 200%, label: cap}")
        rows.append(("pasted YAML, curve changed",
                     one(database, pm, cache, args.period, draft_source=pasted)))
        database.dispose()

    first = rows[0][1]
    print(f"{first['inputs']['kams']:,} people; draft vs {first['baseline']['label']}; "
          f"period {args.period}")
    print()
    print("| what-if | inputs s | engine s | total s | cost change |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, r in rows:
        cached = " (cached)" if r["inputs"]["cached"] else ""
        print(f"| {label}{cached} | {r['seconds']['inputs']:.2f} | {r['seconds']['engine']:.2f}"
              f" | {r['wall']:.2f} | {r['change']['payout']:+,.2f} |")


if __name__ == "__main__":
    main()
