"""schemathesis with every check against the OpenAPI document of a served app: no failure.

A tiny demo (its rulesets published, a run made, a draft survey campaign) is served by a real
werkzeug server on a free port, on SQLite and on PostgreSQL; the schemathesis CLI runs all its
phases and checks (`--checks all`: no 5xx, documented status codes, content types, headers
and bodies, valid input accepted, invalid input refused, authentication not ignored...) with
the admin's API token, bounded by ``tests/api/schemathesis.toml`` (a fixed seed, a dozen cases
per operation). The demo's own codes are offered as values of the path, query and body
parameters half of the time, so that the cases reach real runs, statements, plans, rulesets
and campaigns, not only 404s.

To search further than CI does, add schemathesis options in ``KAMSCORE_SCHEMATHESIS_ARGS``,
e.g. ``KAMSCORE_SCHEMATHESIS_ARGS="--seed 7 --max-examples 100" pytest --timeout 0 -k
schemathesis`` (the run then has no time limit of its own).
"""

from __future__ import annotations

import datetime as dt
import json
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
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.demo import DemoSpec, prepare_demo
from kamscore.demo.pay import DEMO_RULESETS, publish_and_score
from kamscore.importing import import_kinds
from kamscore.models import Account, Period, Person, Product, Role, ScoreRun, Team
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.surveys.campaigns import CampaignSpec, create_campaign

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXTRA_ARGS = shlex.split(os.environ.get("KAMSCORE_SCHEMATHESIS_ARGS", ""))
#: CI's run takes about half a minute per database; one that takes this long has hung.
TIME_LIMIT = 150
DEMO = DemoSpec(size=0.1, seed=42, year=2025)
CAMPAIGN = "CSAT-2025-Q4"

#: Which parameters take the demo's values (half of the time), from which list.
BINDINGS = {
    "path.code": "codes", "path.kam": "kams", "path.account": "accounts",
    "path.period": "periods", "path.run_id": "runs", "path.name": "rulesets",
    "path.version": "versions", "path.kind": "kinds",
    "query.period": "periods", "query.team": "teams", "query.account": "accounts",
    "query.a": "refs", "query.b": "refs",
    "body.period": "periods", "body.ruleset": "rulesets", "body.baseline": "refs",
    "body.draft_version": "refs", "body.correction_of": "runs",
}


def _demo_values(session: Session) -> dict[str, list]:
    """Codes, names and ids that exist in the demo, by kind."""
    periods = list(session.scalars(select(Period.code)))
    teams = list(session.scalars(select(Team.code)))
    accounts = list(session.scalars(select(Account.code).limit(5)))
    people = list(session.scalars(select(Person.code).limit(3)))
    products = list(session.scalars(select(Product.code).limit(2)))
    return {
        "codes": [*periods, *teams, *accounts, *people, *products, CAMPAIGN],
        "kams": list(session.scalars(select(Person.code).where(Person.role == Role.KAM))),
        "accounts": accounts, "teams": teams, "periods": periods,
        "runs": list(session.scalars(select(ScoreRun.id))),
        "rulesets": list(DEMO_RULESETS), "versions": [1],
        "refs": [*DEMO_RULESETS, f"{DEMO_RULESETS[0]}:1"],
        "kinds": list(import_kinds()),
    }


@pytest.fixture
def served_demo(database_url, tmp_path) -> Iterator[tuple[str, str, dict[str, list]]]:
    """(base URL, admin token, the demo's values) of the demo served on a free port."""
    app = create_app(
        {"SECRET_KEY": "schemathesis", "DATABASE_URL": database_url, "MAIL_BACKEND": "memory",
         # schemathesis sends wrong tokens on purpose (its auth checks): the throttle would
         # then refuse its valid requests with 429, which tests/auth/test_throttle.py covers
         "API_CREDENTIAL_LIMIT": 1_000_000},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        with get_db(app).session() as session:
            prepare_demo(session, DEMO)
        with get_db(app).sessionmaker() as session:
            publish_and_score(session, get_plugin_manager(), DEMO)
        with get_db(app).session() as session:
            opens = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
            create_campaign(session, CampaignSpec(
                code=CAMPAIGN, survey="customer_satisfaction", period="2025-Q4",
                opens_at=opens, closes_at=opens + dt.timedelta(days=14), created_by="admin"))
            _, token = issue_token(session, "admin", "schemathesis")
            values = _demo_values(session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)  # a line per request would bury schemathesis' report
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", token, values
    finally:
        server.shutdown()
        thread.join()
        access_log.setLevel(level)
        get_db(app).dispose()


def _config(values: dict[str, list], path: Path) -> Path:
    """The repository's configuration plus the demo's values as dictionaries."""
    lines = [CONFIG.read_text(encoding="utf-8")]
    for name, entries in values.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(entries)}\n")
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}'
              for key, name in BINDINGS.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_schemathesis_finds_nothing(served_demo, tmp_path):
    url, token, values = served_demo
    config = _config(values, tmp_path / "schemathesis.toml")
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
         "run", f"{url}/api/openapi.json", "--checks", "all", *EXTRA_ARGS],
        cwd=tmp_path, env={**os.environ, "KAMSCORE_API_TOKEN": token},
        capture_output=True, text=True, timeout=None if EXTRA_ARGS else TIME_LIMIT,
        check=False,
    )
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.out").write_text(output, encoding="utf-8")
    assert result.returncode == 0, output[-20_000:]
    assert "Tested: 50" in output, output[-5_000:]
