"""schemathesis with every check against the OpenAPI document of a served app: no failure.

A tiny demo (its rulesets published, a run made) is served by a real werkzeug server on a
free port, on SQLite and on PostgreSQL; the schemathesis CLI runs all its phases and checks
(`--checks all`: no 5xx, documented status codes, content types, headers and bodies, valid
input accepted, invalid input refused, authentication not ignored...) with the admin's API
token, bounded by ``tests/api/schemathesis.toml`` (a fixed seed, a dozen cases per operation).
The demo's own codes are offered as values of the path and query parameters half of the time,
so that the cases reach real runs, statements, plans and rulesets, not only 404s.

To search further than CI does, add schemathesis options in ``KAMSCORE_SCHEMATHESIS_ARGS``,
e.g. ``KAMSCORE_SCHEMATHESIS_ARGS="--seed 7 --max-examples 100"``.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.demo import DemoSpec, prepare_demo
from kamscore.demo.pay import publish_and_score
from kamscore.models import Account, Period, Person, Role, ScoreRun, Team
from kamscore.plugin_host.manager import get_plugin_manager

CONFIG = Path(__file__).with_name("schemathesis.toml")
DEMO = DemoSpec(size=0.1, seed=42, year=2025)


@pytest.fixture
def served_demo(database_url, tmp_path) -> Iterator[tuple[str, str, dict[str, list]]]:
    """(base URL, admin token, the demo's codes) of the demo served on a free port."""
    app = create_app(
        {"SECRET_KEY": "schemathesis", "DATABASE_URL": database_url, "MAIL_BACKEND": "memory"},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        with get_db(app).session() as session:
            prepare_demo(session, DEMO)
        with get_db(app).sessionmaker() as session:
            publish_and_score(session, get_plugin_manager(), DEMO)
        with get_db(app).session() as session:
            _, token = issue_token(session, "admin", "schemathesis")
            codes = {
                "kams": session.scalars(select(Person.code).where(Person.role == Role.KAM)).all(),
                "accounts": session.scalars(select(Account.code).limit(5)).all(),
                "teams": session.scalars(select(Team.code)).all(),
                "periods": session.scalars(select(Period.code)).all(),
                "runs": session.scalars(select(ScoreRun.id)).all(),
            }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)  # a line per request would bury schemathesis' report
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", token, codes
    finally:
        server.shutdown()
        thread.join()
        access_log.setLevel(level)
        get_db(app).dispose()


def _config(codes: dict[str, list], path: Path) -> Path:
    """The repository's configuration plus dictionaries of the demo's codes."""
    lines = [CONFIG.read_text(encoding="utf-8"), ""]
    for name, values in codes.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {values!r}\n".replace("'", '"'))
    lines.append("[parameters]")
    bindings = {
        "path.kam": "kams", "path.code": "periods", "path.account": "accounts",
        "path.period": "periods", "path.run_id": "runs", "query.period": "periods",
        "query.team": "teams", "query.account": "accounts",
        "body.period": "periods",
    }
    for key, dictionary in bindings.items():
        lines.append(f'"{key}" = {{ dictionary = "{dictionary}", probability = 0.5 }}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_schemathesis_finds_nothing(served_demo, tmp_path):
    url, token, codes = served_demo
    config = _config(codes, tmp_path / "schemathesis.toml")
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
         "run", f"{url}/api/openapi.json", "--checks", "all",
         *shlex.split(os.environ.get("KAMSCORE_SCHEMATHESIS_ARGS", ""))],
        cwd=tmp_path, env={**os.environ, "KAMSCORE_API_TOKEN": token},
        capture_output=True, text=True, timeout=850, check=False,
    )
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.out").write_text(output, encoding="utf-8")
    assert result.returncode == 0, output[-20_000:]
    assert "Tested: 40" in output or "API Operations" in output, output[-5_000:]
