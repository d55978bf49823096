"""A database that does not answer: every page and API call is a 503 with Retry-After and a
plain page (the API's JSON shape under /api), never a 500 traceback."""

from __future__ import annotations

import logging
import socket

import pytest

from kamscore import create_app
from kamscore.db.session import get_db

PAGES = ("/", "/sign-in", "/kams", "/accounts?page=2", "/scoring/", "/scoring/runs/1",
         "/campaigns/", "/s/some-token", "/survey/1")
API = ("/api/v1/people", "/api/v1/runs/1", "/api/v1/rulesets", "/api/v1/campaigns/")


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_url(backend, tmp_path) -> str:
    """PostgreSQL: a server on a port where nothing listens. SQLite: a database "file" that
    is a directory, which cannot be opened."""
    if backend == "postgresql":
        return f"postgresql+psycopg://postgres@127.0.0.1:{_unused_port()}/kamscore"
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()
    return f"sqlite:///{folder}"


@pytest.fixture(params=[True, False], ids=["testing", "production"])
def down_app(request, unreachable_url, tmp_path):
    """An app on the unreachable database, in testing mode (exceptions would propagate) and
    as production runs it (CSRF on)."""
    config = {"SECRET_KEY": "x", "DATABASE_URL": unreachable_url}
    if request.param:
        config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    yield app
    get_db(app).dispose()


def test_pages_are_503_with_retry_after_and_a_plain_page(down_app, caplog):
    client = down_app.test_client()
    with caplog.at_level(logging.ERROR, logger="kamscore.db.unavailable"):
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 503, (url, response.data[:300])
            assert response.headers["Retry-After"] == "30"
            assert response.mimetype == "text/html"
            page = response.get_data(as_text=True)
            assert "<h1>Service unavailable</h1>" in page
            assert "Traceback" not in page and "127.0.0.1" not in page
    assert any("database unavailable (GET /kams)" in r.getMessage() for r in caplog.records)


def test_a_sign_in_is_503_not_500(unreachable_url, tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": unreachable_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False}, instance_path=str(tmp_path / "instance"))
    response = app.test_client().post("/sign-in", data={"username": "ana",
                                                        "password": "secret"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    get_db(app).dispose()


def test_api_calls_are_503_in_the_error_shape(down_app):
    client = down_app.test_client()
    headers = {"Authorization": "Bearer some-token"}
    for url in API:
        response = client.get(url, headers=headers)
        assert response.status_code == 503, (url, response.data[:300])
        assert response.headers["Retry-After"] == "30"
        assert response.json["code"] == 503 and response.json["status"] == "Service Unavailable"
        assert "not available" in response.json["message"]
    response = client.post("/api/v1/rulesets", json={"source": "name: x"}, headers=headers)
    assert response.status_code == 503 and response.json["code"] == 503


def test_health_says_unreachable_with_retry_after(down_app):
    response = down_app.test_client().get("/health")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["database"] == "unreachable"
