"""kamscore under a real gunicorn, started the two ways docs/operations.md says
(``gunicorn -w N -b HOST:PORT wsgi:app`` in a checkout, ``'kamscore.wsgi:create_server_app()'``
anywhere): it serves /health and pages on a migrated database, and refuses to start on a
schema that is behind or without a secret key."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kamscore.db.migrate import upgrade

# gunicorn's workers start against a timeout: never beside the other server tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The two ways docs/operations.md starts kamscore: from a checkout (``wsgi.py`` at the top)
#: and from an installed package, in any directory (gunicorn's application factory form).
FROM_CHECKOUT = ("wsgi:app", REPO)
FROM_PACKAGE = ("kamscore.wsgi:create_server_app()", None)


def _gunicorn(port: int, env: dict[str, str],
              target: tuple[str, Path | None] = FROM_CHECKOUT) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KAMSCORE_")}
    app, cwd = target
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "5", app],
        cwd=cwd or env["KAMSCORE_INSTANCE_PATH"], env={**clean, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=5)
    return output


@contextmanager
def serving(env: dict[str, str], target: tuple[str, Path | None]) -> Iterator[str]:
    for _attempt in range(3):  # another process may take the free port before gunicorn does
        port = _free_port()
        process = _gunicorn(port, env, target)
        try:
            started = _wait_for_health(process, port)
        except BaseException:
            _stop(process)  # never leave a gunicorn behind
            raise
        if started:
            break
    else:
        pytest.fail("gunicorn found no free port in three attempts")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def _wait_for_health(process: subprocess.Popen, port: int) -> bool:
    """Wait until gunicorn answers /health: True once it does, False when it stopped because
    the port was taken. Fails the test when it stops otherwise or the start time runs out;
    an answer slower than the probe's own timeout (a loaded machine) is asked again."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                output = _stop(process)
                if "Address already in use" in output:
                    return False
                pytest.fail("gunicorn did not start:\n" + output)
            time.sleep(0.2)


def _refused(env: dict[str, str], target: tuple[str, Path | None]) -> tuple[int, str]:
    """Start gunicorn expecting it to give up; return its exit code and output."""
    process = _gunicorn(_free_port(), env, target)
    try:
        process.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        output = _stop(process)
        pytest.fail("gunicorn kept running although it should have refused:\n" + output)
    return process.returncode, _stop(process)


TARGETS = pytest.mark.parametrize("target", [FROM_CHECKOUT, FROM_PACKAGE],
                                  ids=["wsgi.py", "factory"])


def _instance(tmp_path: Path) -> str:
    (tmp_path / "instance").mkdir()
    return str(tmp_path / "instance")


@TARGETS
def test_gunicorn_serves_health_and_pages(tmp_path, target):
    url = f"sqlite:///{tmp_path / 'kamscore.sqlite'}"
    upgrade(url)
    env = {"KAMSCORE_DATABASE_URL": url, "KAMSCORE_SECRET_KEY": "gunicorn-test-secret",
           "KAMSCORE_INSTANCE_PATH": _instance(tmp_path)}
    with serving(env, target) as base:
        with urllib.request.urlopen(f"{base}/health", timeout=10) as response:
            assert response.status == 200
            assert b'"status":"ok"' in response.read().replace(b" ", b"")
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            page = response.read().decode()
            assert response.status == 200 and "The database is empty" in page
        with urllib.request.urlopen(f"{base}/static/web/kamscore.css", timeout=10) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/v1/people", timeout=10)
        assert refused.value.code == 401  # the API wants a token or a session
        assert refused.value.headers["Content-Type"] == "application/json"


@TARGETS
def test_gunicorn_refuses_a_schema_that_is_behind(tmp_path, target):
    env = {"KAMSCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}",
           "KAMSCORE_SECRET_KEY": "gunicorn-test-secret",
           "KAMSCORE_INSTANCE_PATH": _instance(tmp_path)}
    code, output = _refused(env, target)
    assert code != 0
    assert "kamscore db upgrade" in output


@TARGETS
def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path, target):
    url = f"sqlite:///{tmp_path / 'kamscore.sqlite'}"
    upgrade(url)
    env = {"KAMSCORE_DATABASE_URL": url, "KAMSCORE_INSTANCE_PATH": _instance(tmp_path)}
    code, output = _refused(env, target)
    assert code != 0
    assert "No secret key: set KAMSCORE_SECRET_KEY" in output
