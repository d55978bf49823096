"""Fixtures of the scoring tests: the tiny population (``tiny_population``), the app's plugin
manager, the tiny plan published, and API tokens of the tiny population's users."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tiny_population import Tiny, build_tiny, publish

from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.models import Person, User
from kamscore.plugin_host.manager import get_plugin_manager


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
