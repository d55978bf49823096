"""Real HTTP servers on loopback for the survey tests: Werkzeug's threaded server in-process
(browser tests) and gunicorn in a subprocess (concurrency tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.db.session import get_db


def real_app(database_url: str, instance_path: Path, **config):
    """An app as production runs it: CSRF on, not in testing mode."""
    settings = {"SECRET_KEY": "live-server-secret", "DATABASE_URL": database_url,
                "MAIL_BACKEND": "memory", **config}
    return create_app(settings, instance_path=str(instance_path))


@contextmanager
def werkzeug_server(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_db(app).dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(database_url: str, instance_path: Path, *, workers: int = 2,
                    threads: int = 4) -> Iterator[str]:
    """gunicorn serving ``wsgi:app`` on loopback (several processes and threads)."""
    port = _free_port()
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "KAMSCORE_DATABASE_URL": database_url,
           "KAMSCORE_SECRET_KEY": "live-server-secret", "KAMSCORE_MAIL_BACKEND": "memory",
           "KAMSCORE_INSTANCE_PATH": str(instance_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--threads", str(threads), "--timeout", "60", "wsgi:app"],
        cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"gunicorn did not start:\n{output}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
