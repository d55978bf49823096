"""Fixtures of the API tests: the example organisation, users with API tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.importing import import_csv, import_kinds
from kamscore.models import User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"


@pytest.fixture
def api_org(app):
    """The example organisation imported into the test database."""
    with get_db(app).session() as session:
        for kind in import_kinds():
            import_csv(session, kind, (EXAMPLES / f"{kind}.csv").read_bytes())


@pytest.fixture
def make_user(app):
    """make_user(username, roles) → (user id, Authorization headers with a fresh token)."""

    def make(username: str, roles: str) -> tuple[int, dict[str, str]]:
        with get_db(app).session() as session:
            user = User(username=username, name=username.title(), roles=roles)
            user.set_password("correct horse battery staple")
            session.add(user)
            session.flush()
            _, token = issue_token(session, username, "tests")
            return user.id, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def viewer(make_user) -> dict[str, str]:
    """A user who may read everything and change nothing (the auditor role)."""
    return make_user("viewer", "auditor")[1]


@pytest.fixture
def analyst(make_user) -> dict[str, str]:
    return make_user("analyst", "analyst")[1]


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
