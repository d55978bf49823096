"""Fixtures of the scoring tests: the tiny population (``tiny_population``), the app's plugin
manager, the tiny plan published, API tokens of the tiny population's users, the demo
organisation with the standard plan published, and the test app served on a loopback port
for the browser tests."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from tiny_population import Tiny, build_tiny, publish
from werkzeug.serving import make_server

from kamscore.auth.tokens import issue_token
from kamscore.content.bundled import bundled_dir
from kamscore.db.session import get_db
from kamscore.demo import DemoSpec, build_demo
from kamscore.models import Person, User
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle


@pytest.fixture
def tiny(session) -> Tiny:
    return build_tiny(session)


@pytest.fixture
def pm(app):
    return get_plugin_manager(app)


@pytest.fixture
def published(session, pm, tiny):
    return publish(session, pm)


@pytest.fixture
def demo(session, pm):
    """The demo organisation of 2025 (40 KAMs, its users ``analyst``, ``approver``, …) with
    the shipped standard plan (a variant for development accounts) published as v1."""
    build_demo(session, DemoSpec(size=1, seed=42, year=2025))
    session.commit()
    source = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8")
    draft = lifecycle.import_ruleset(session, pm, source, "standard.yaml", user="analyst")
    lifecycle.approve_version(session, "standard", draft.version, user="approver")
    lifecycle.publish_version(session, "standard", draft.version, user="analyst")
    session.commit()


@pytest.fixture
def live_server(app):
    """The test app (CSRF off) on a loopback port, for the browser tests: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def tokens(app, tiny):
    """Bearer headers of the tiny population's users; kim is KAM K1's own account."""
    headers = {}
    with get_db(app).session() as session:
        kim = session.scalar(select(User).where(User.username == "kim"))
        kim.person_id = session.scalar(select(Person.id).where(Person.code == "K1"))
        for name in ("ana", "bob", "carol", "kim"):
            _, token = issue_token(session, name, "tests")
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers
