"""Helpers of the background-job tests: a facts file of any size for the example
organisation, waiting for a job through the API, and a real ``kamscore worker`` process.

The worker gets only the ``KAMSCORE_*`` variables the test gives (as gunicorn does in
``gunicorn_process``), so that it sees exactly the test's instance folder, database and queue.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: The periods and accounts of examples/import/ that facts may name.
PERIODS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-01")
ACCOUNTS = ("A001", "A002", "A003", "A004", "A005", "A006")
KAMSCORE = Path(sys.executable).parent / "kamscore"  # the installed console script


def many_facts(rows: int) -> bytes:
    """A valid facts file of ``rows`` rows for the example organisation."""
    lines = ["period,name,account,person,team,product,value,category,unit,source"]
    per_name = len(PERIODS) * len(ACCOUNTS)
    for index in range(rows):
        name, rest = divmod(index, per_name)
        period, account = divmod(rest, len(ACCOUNTS))
        lines.append(f"{PERIODS[period]},measure_{name},{ACCOUNTS[account]},,,,"
                     f"{1000 + index}.5,,EUR,ERP")
    return ("\n".join(lines) + "\n").encode()


def wait_for_job(client, location: str, headers: dict[str, str], timeout: float = 90) -> dict:
    """Poll the job's URL until it is done or failed; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location, headers=headers)
        assert response.status_code == 200, response.json
        if response.json["state"] in ("done", "failed"):
            return response.json
        if time.monotonic() > deadline:
            pytest.fail(f"the job did not finish in {timeout} s: {response.json}")
        time.sleep(0.2)


def start_worker(env: dict[str, str], *, workers: int = 2) -> subprocess.Popen:
    """``kamscore worker`` as docs/operations.md runs it, with ``env`` (which must name
    ``KAMSCORE_INSTANCE_PATH``); its output (text) on ``stdout``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KAMSCORE_")}
    return subprocess.Popen(
        [str(KAMSCORE), "worker", "--workers", str(workers)],
        cwd=env["KAMSCORE_INSTANCE_PATH"], env={**clean, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop_worker(process: subprocess.Popen, *, signalled: bool = False) -> tuple[int, str]:
    """SIGTERM (then SIGKILL after 30 s); the exit code and everything the worker printed.

    ``signalled``: the caller has sent SIGTERM already, so none is sent again. Huey takes a
    second SIGTERM during a graceful stop as "stop now" (it logs ``Received SIGINT``)."""
    if not signalled and process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=5)
    return process.returncode, output
