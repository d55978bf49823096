"""A real gunicorn in a subprocess on a free loopback port, for the tests that need one
(tests/test_gunicorn.py, the survey concurrency and scale-out tests); ``free_port`` serves any
test that starts a server.

gunicorn gets only the ``KAMSCORE_*`` variables the test gives: any set in the environment of
the test run are left out, so that each server sees exactly its own instance folder and
settings.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60  # seconds until /health answers (workers boot slowly on a busy machine)

#: The two ways docs/operations.md starts kamscore: from a checkout (``wsgi.py`` at the top)
#: and from an installed package, in any directory (gunicorn's application factory form).
#: ``(app, working directory)``; ``None`` is the instance folder.
Target = tuple[str, Path | None]
FROM_CHECKOUT: Target = ("wsgi:app", REPO)
FROM_PACKAGE: Target = ("kamscore.wsgi:create_server_app()", None)


def free_port() -> int:
    """A loopback port that was free a moment ago (another process may take it meanwhile)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, env: dict[str, str], target: Target = FROM_CHECKOUT, *,
                   workers: int = 2, threads: int = 1, timeout: int = 30) -> subprocess.Popen:
    """Start gunicorn on ``127.0.0.1:port`` with ``env`` (which must name
    ``KAMSCORE_INSTANCE_PATH``); output (text) on ``stdout``. ``threads`` > 1 makes gthread
    workers."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KAMSCORE_")}
    app, cwd = target
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--timeout", str(timeout), "--graceful-timeout", "5", app],
        cwd=cwd or env["KAMSCORE_INSTANCE_PATH"], env={**clean, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop_gunicorn(process: subprocess.Popen) -> str:
    """SIGTERM (then SIGKILL after 20 s); returns everything gunicorn printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=5)
    return output


@contextmanager
def serving(env: dict[str, str], target: Target = FROM_CHECKOUT, *, workers: int = 2,
            threads: int = 1, timeout: int = 30) -> Iterator[str]:
    """gunicorn serving until the block ends; yields its base URL once ``/health`` answers.
    Fails the test with gunicorn's output when it does not start."""
    for _attempt in range(3):  # another process may take the free port before gunicorn does
        port = free_port()
        process = start_gunicorn(port, env, target, workers=workers, threads=threads,
                                 timeout=timeout)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    break
            except OSError:  # refused, reset, timed out (workers still booting), or 503
                if process.poll() is not None or time.monotonic() > deadline:
                    output = stop_gunicorn(process)
                    if "Address already in use" in output:
                        break
                    pytest.fail("gunicorn did not start:\n" + output)
                time.sleep(0.2)
        if process.poll() is None:
            break
    else:
        pytest.fail("gunicorn found no free port in three attempts")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_gunicorn(process)
