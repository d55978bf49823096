"""kamscore under a real gunicorn, started the two ways docs/operations.md says
(``gunicorn -w N -b HOST:PORT wsgi:app`` in a checkout, ``'kamscore.wsgi:create_server_app()'``
anywhere): it serves /health and pages on a migrated database, and refuses to start on a
schema that is behind or without a secret key."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gunicorn_process import (
    FROM_CHECKOUT,
    FROM_PACKAGE,
    START_TIMEOUT,
    Target,
    free_port,
    serving,
    start_gunicorn,
    stop_gunicorn,
)

from kamscore.db.migrate import upgrade

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


def _refused(env: dict[str, str], target: Target) -> tuple[int, str]:
    """Start gunicorn expecting it to give up; return its exit code and output."""
    process = start_gunicorn(free_port(), env, target)
    try:
        process.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        output = stop_gunicorn(process)
        pytest.fail("gunicorn kept running although it should have refused:\n" + output)
    return process.returncode, stop_gunicorn(process)


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
