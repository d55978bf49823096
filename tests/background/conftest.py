"""Fixtures of the background-job tests: the example organisation and a user who uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.importing import import_csv, import_kinds
from kamscore.models import User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"


@pytest.fixture
def org(app) -> None:
    """The example organisation (examples/import/) in the test database."""
    with get_db(app).session() as session:
        for kind in import_kinds():
            import_csv(session, kind, (EXAMPLES / f"{kind}.csv").read_bytes())


@pytest.fixture
def uploader(app) -> tuple[int, dict[str, str]]:
    """An analyst, ``ana``: (user id, Authorization headers with a fresh API token)."""
    with get_db(app).session() as session:
        user = User(username="ana", name="Ana", roles="analyst")
        user.set_password("correct horse battery staple")
        session.add(user)
        session.flush()
        _, token = issue_token(session, "ana", "tests")
        return user.id, {"Authorization": f"Bearer {token}"}
