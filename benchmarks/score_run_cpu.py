"""``run_score`` end to end in CPU seconds, this code and a previous checkout alternately.

    python benchmarks/score_run_cpu.py --database URL --previous DIR [--repeat 3]

On a shared machine a run's wall time is mostly waiting for a core. Each run here is a fresh
process (as in ``score_run.py``) that reports its wall time, its own CPU time and, on
PostgreSQL, the CPU time of its server backend (``/proc/<pid>/stat`` of
``pg_backend_pid()``, so the database server must run on this machine). A run only computes
or waits for the database, so on a quiet machine its wall time is about the sum of the two
(plus SQLite's commit to disk). The database must hold the demo with ``standard``
published (``score_run.py`` builds both).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ONE_RUN = """
import os, sys, time
from sqlalchemy import text
from kamscore.db.session import Database
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.runs import run_score
TICK = os.sysconf("SC_CLK_TCK")
def backend_cpu(pid):
    if pid is None:
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK
database = Database(sys.argv[1])
pm = build_plugin_manager(entry_points=False)
with database.sessionmaker() as session:
    pid = None
    if database.engine.dialect.name == "postgresql":
        pid = session.execute(text("select pg_backend_pid()")).scalar()
        session.commit()
    c0, s0, w0 = time.process_time(), backend_cpu(pid), time.perf_counter()
    run = run_score(session, pm, period=sys.argv[2], ruleset="standard", user="benchmark")
    w1, c1, s1 = time.perf_counter(), time.process_time(), backend_cpu(pid)
    print(w1 - w0, c1 - c0, s1 - s0, run.input_hash, run.result_hash)
"""


def one_run(checkout: str, url: str, period: str) -> tuple[float, float, float, str, str]:
    out = subprocess.run([sys.executable, "-c", ONE_RUN, url, period], capture_output=True,
                         text=True, check=True, cwd=checkout,
                         env={"PYTHONPATH": checkout, "PATH": "/usr/bin:/bin"})
    wall, cpu, server, input_hash, result_hash = out.stdout.split()[-5:]
    return float(wall), float(cpu), float(server), input_hash, result_hash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--previous", required=True, help="a checkout of the previous code")
    parser.add_argument("--period", default="2025-Q2")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parents[1])
    print("| code | wall s | process CPU s | server CPU s | CPU sum s | load | hashes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for _ in range(args.repeat):
        for who, checkout in (("current", here), ("previous", args.previous)):
            wall, cpu, server, input_hash, result_hash = one_run(checkout, args.database,
                                                                 args.period)
            load = Path("/proc/loadavg").read_text().split()[0]
            print(f"| {who} | {wall:.2f} | {cpu:.2f} | {server:.2f} | {cpu + server:.2f} | "
                  f"{load} | {input_hash[:12]} {result_hash[:12]} |", flush=True)


if __name__ == "__main__":
    main()
